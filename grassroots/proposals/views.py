"""Proposal pages: thin views that parse a form, call a service or a query, and render. Every
page works without JavaScript; a refused action answers 404 alike for missing and forbidden."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.confirm import confirm_page, is_confirmed
from grassroots.meetings.debate_html import thread_html
from grassroots.meetings.models import Comment
from grassroots.people.queries import own_member
from grassroots.proposals import queries
from grassroots.proposals.forms import (
    CommentForm,
    EscalateForm,
    PositionForm,
    ProposalForm,
    RulesForm,
    ScheduleForm,
    StatementForm,
    position_words,
)
from grassroots.proposals.models import Proposal, ProposalStatus, say_outcome
from grassroots.proposals.rules import Process
from grassroots.proposals.services.closing import (
    close_proposal_now,
    outcome_of,
    write_outcome_statement,
)
from grassroots.proposals.services.common import ProposalError
from grassroots.proposals.services.discussion import post_comment
from grassroots.proposals.services.escalation import (
    BALLOT_PROCESSES,
    next_meeting,
    schedule_found_meeting,
    send_to_agenda,
    send_to_ballot,
)
from grassroots.proposals.services.positions import take_position, withdraw_position
from grassroots.proposals.services.proposing import (
    amend_proposal,
    make_proposal,
    may_amend,
    set_proposal_rules,
)
from grassroots.proposals.services.reminders import remind_non_responders

# A proposal's page lists every position, and the latest changes of position: a body of
# thousands changing their minds would otherwise make the page grow without end.
HISTORY_SHOWN = 100


def _body_for(request: AuthenticatedRequest, body_key: str) -> queries.Body:
    body = queries.body_from_key(body_key)
    if not queries.may_see_body(request.user, body):
        raise Http404(gettext("No such body."))
    return body


def _to_detail(proposal: Proposal) -> HttpResponse:
    return redirect("proposals:detail", proposal_id=proposal.pk)


@login_required
def body_proposals(request: AuthenticatedRequest, body_key: str) -> HttpResponse:
    """The body's open proposals and its decision log."""
    body = _body_for(request, body_key)
    return render(
        request,
        "proposals/body.html",
        {
            "body": body,
            "open_proposals": list(queries.open_proposals(body)),
            "decisions": list(queries.decision_log(body)[:100]),
            "may_propose": queries.may_propose(request.user, body),
            "member_id": getattr(own_member(request.user), "pk", None),
            "may_run": queries.may_run(request.user, body),
            "above": [
                b for b in queries.bodies_above(body) if queries.may_see_body(request.user, b)
            ],
        },
    )


def _proposal_form_result(
    request: AuthenticatedRequest, form: ProposalForm, act: Any
) -> HttpResponse | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        proposal = act(data)
    except ProposalError as error:
        form.add_error(None, str(error))
        return None
    return _to_detail(proposal)


@login_required
def create_proposal(request: AuthenticatedRequest, body_key: str) -> HttpResponse:
    body = _body_for(request, body_key)
    if not queries.may_propose(request.user, body):
        raise Http404(gettext("No such page."))
    form = ProposalForm(request.POST or None)
    if request.method == "POST":

        def act(data: dict[str, Any]) -> Proposal:
            return make_proposal(
                actor=request.user,
                level=body.level,
                scope=body.scope,
                title=data["title"],
                text=data["text"],
                process=data["process"],
                closes_at=data["closes_at"],
                options=data["options"],
                option_times=data["option_times"],
                budget=data["budget"],
                meeting_minutes=data["meeting_minutes"],
            )

        done = _proposal_form_result(request, form, act)
        if done is not None:
            messages.success(request, gettext("Your proposal is open for the body's members."))
            return done
    return render(
        request,
        "proposals/form.html",
        {
            "form": form,
            "body": body,
            "heading": gettext("Make a proposal to %(body)s") % {"body": body.name},
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def amend(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    if not may_amend(request.user, proposal) or proposal.status == ProposalStatus.SUPERSEDED:
        raise Http404(gettext("No such page."))
    initial = {
        "title": proposal.title,
        "text": proposal.text,
        "options": "\n".join(o.label for o in proposal.options.all())
        if proposal.process != Process.TIME
        else "",
        "budget": proposal.budget or None,
    }
    form = ProposalForm(request.POST or None, initial=initial, amending=True)
    if request.method == "POST":

        def act(data: dict[str, Any]) -> Proposal:
            return amend_proposal(
                actor=request.user,
                proposal=proposal,
                title=data["title"],
                text=data["text"],
                closes_at=data["closes_at"],
                options=data["options"],
                option_times=data["option_times"],
                budget=data["budget"],
            )

        done = _proposal_form_result(request, form, act)
        if done is not None:
            messages.success(
                request, gettext("The amended proposal is open; positions start afresh.")
            )
            return done
    return render(
        request,
        "proposals/form.html",
        {
            "form": form,
            "body": queries.body_of(proposal),
            "heading": gettext("Amend and re-propose “%(title)s”") % {"title": proposal.title},
            "proposal": proposal,
        },
        status=400 if request.method == "POST" else 200,
    )


def _position_form(proposal: Proposal, data: Any = None, **kwargs: Any) -> PositionForm:
    return PositionForm(
        data,
        process=proposal.process,
        options=list(proposal.options.all()),
        budget=proposal.budget,
        **kwargs,
    )


@login_required
def proposal_detail(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    return _render_detail(request, proposal)


def _render_detail(
    request: AuthenticatedRequest,
    proposal: Proposal,
    *,
    position_form: PositionForm | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = own_member(request.user)
    mine = queries.position_of(member, proposal)
    if position_form is None:
        initial: dict[str, Any] = {"reason": mine.reason} if mine else {}
        if mine and mine.choice:
            initial["choice"] = mine.choice
        if mine and mine.scores:
            initial.update({f"option_{k}": v for k, v in mine.scores.items()})
        position_form = _position_form(proposal, initial=initial)
    may_run = queries.may_run(request.user, proposal)
    is_open = proposal.status == ProposalStatus.OPEN
    may_moderate = queries.may_moderate(request.user, proposal)
    thread = queries.discussion(proposal, for_moderator=may_moderate)
    may_discuss = queries.may_discuss(request.user, proposal)
    discussion_open = queries.discussion_open(proposal)
    asked = request.POST.get("parent") if request.method == "POST" else request.GET.get("reply")
    options = list(proposal.options.all())
    return render(
        request,
        "proposals/detail.html",
        {
            "proposal": proposal,
            "options": options,
            "positions": [
                (p, position_words(proposal.process, p.choice, p.scores, options))
                for p in queries.positions(proposal)
            ],
            "history": [
                (c, position_words(proposal.process, c.choice, c.scores, options))
                for c in queries.history(proposal).order_by("-at", "-id")[:HISTORY_SHOWN]
            ][::-1],
            "history_count": queries.history(proposal).count(),
            "thread": thread,
            "thread_html": thread_html(
                thread,
                base_url=proposal_url(proposal),
                member_id=member.pk if member else None,
                in_scope=may_discuss,
                debate_open=discussion_open,
                may_moderate=may_moderate,
            ),
            "reply_to": int(asked) if asked and asked.isdigit() else None,
            "may_moderate": may_moderate,
            "open_reports": queries.open_reports(proposal).count() if may_moderate else 0,
            "newer": proposal.amended_versions.first(),
            "mine": mine,
            "may_take_part": is_open and queries.is_participant(member, proposal),
            "position_form": position_form,
            "comment_form": comment_form or CommentForm(),
            "may_comment": discussion_open and may_discuss,
            "discussion_open": discussion_open,
            "may_amend": may_amend(request.user, proposal)
            and proposal.status != ProposalStatus.SUPERSEDED
            and not proposal.escalated_to,
            "may_close": is_open
            and (may_run or (member is not None and member.pk == proposal.proposer_id)),
            "may_write_statement": proposal.status == ProposalStatus.CLOSED
            and (may_run or (member is not None and member.pk == proposal.proposer_id)),
            "may_run": may_run,
            "may_escalate": may_run and proposal.is_contested and not proposal.escalated_to,
            "may_schedule": may_run
            and proposal.process == Process.TIME
            and proposal.status == ProposalStatus.CLOSED
            and proposal.chosen_option_id is not None
            and proposal.scheduled_meeting_id is None,
            "standing": say_outcome(outcome_of(proposal).sentence.as_json()) if is_open else "",
            "turnout": queries.turnout(proposal),
            "proposal_body_key": queries.body_of(proposal).key,
        },
        status=status,
    )


@login_required
@require_POST
def position(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    form = _position_form(proposal, request.POST)
    if form.is_valid():
        try:
            take_position(
                actor=request.user,
                proposal=proposal,
                choice=form.cleaned_data.get("choice") or "",
                scores=form.scores() if proposal.takes_scores else None,
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("Your position is recorded; you can change it until the close.")
            )
            return _to_detail(proposal)
    return _render_detail(request, proposal, position_form=form, status=400)


@login_required
@require_POST
def withdraw(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    try:
        withdraw_position(actor=request.user, proposal=proposal)
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Your position is withdrawn."))
    return _to_detail(proposal)


@login_required
@require_POST
def comment(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        parent = None
        if data["parent"] and proposal.thread_id is not None:
            parent = Comment.objects.filter(pk=data["parent"], thread_id=proposal.thread_id).first()
        # A reply names a comment in this proposal's discussion; anything else is refused, not
        # posted as a new comment.
        if data["parent"] and parent is None:
            form.add_error(
                "body",
                gettext(
                    "The comment you are replying to is not in this proposal's "
                    "discussion. Nothing was posted: reply from the comment itself, or "
                    "post a new comment."
                ),
            )
        else:
            try:
                comment = post_comment(
                    actor=request.user, proposal=proposal, body=data["body"], parent=parent
                )
            except PermissionDenied:
                raise Http404(gettext("No such page.")) from None
            except ProposalError as error:
                form.add_error("body", str(error))
            else:
                return redirect(f"{proposal_url(proposal)}#comment-{comment.pk}")
    return _render_detail(request, proposal, comment_form=form, status=400)


def proposal_url(proposal: Proposal) -> str:
    from django.urls import reverse

    return reverse("proposals:detail", args=[proposal.pk])


@login_required
@require_POST
def close(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=gettext("Close “%(title)s” now?") % {"title": proposal.title},
            consequences=[
                gettext(
                    "The outcome is worked out from the positions taken so far and recorded in "
                    "the body's decision log."
                ),
                gettext("Nobody can take or change a position afterwards. This cannot be undone."),
            ],
            button=gettext("Yes, close it now"),
            back_url=proposal_url(proposal),
        )
    try:
        close_proposal_now(actor=request.user, proposal=proposal)
    except PermissionDenied as error:
        raise Http404(gettext("No such page.")) from error
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("The proposal is closed and its outcome recorded."))
    return _to_detail(proposal)


@login_required
def statement(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    member = own_member(request.user)
    is_proposer = member is not None and member.pk == proposal.proposer_id
    if proposal.status != ProposalStatus.CLOSED or not (
        is_proposer or queries.may_run(request.user, proposal)
    ):
        raise Http404(gettext("No such page."))
    form = StatementForm(request.POST or None, initial={"statement": proposal.outcome_statement})
    if request.method == "POST" and form.is_valid():
        try:
            write_outcome_statement(
                actor=request.user, proposal=proposal, statement=form.cleaned_data["statement"]
            )
        except ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("The outcome statement is published with the decision.")
            )
            return _to_detail(proposal)
    return render(
        request,
        "proposals/statement.html",
        {"proposal": proposal, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _officer_proposal(request: AuthenticatedRequest, proposal_id: int) -> Proposal:
    proposal = queries.get_proposal_for(request.user, proposal_id)
    if not queries.may_run(request.user, proposal):
        raise Http404(gettext("No such page."))
    return proposal


@login_required
def turnout(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    """Officers: how many have responded and who has not (names only, never an address)."""
    proposal = _officer_proposal(request, proposal_id)
    return render(
        request,
        "proposals/turnout.html",
        {
            "proposal": proposal,
            "turnout": queries.turnout(proposal),
            "not_responded": list(queries.not_responded(proposal)[:500]),
        },
    )


@login_required
@require_POST
def remind(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = _officer_proposal(request, proposal_id)
    try:
        sent = remind_non_responders(actor=request.user, proposal=proposal)
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, gettext("A reminder is on its way to %(sent)s members.") % {"sent": sent}
        )
    return redirect("proposals:turnout", proposal_id=proposal.pk)


@login_required
def escalate(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = _officer_proposal(request, proposal_id)
    if proposal.escalated_to:
        # A second click, or another officer's: it was sent on once, and is not sent again.
        messages.info(
            request,
            gettext("Already %(status)s.")
            % {"status": proposal.get_escalated_to_display().lower()},
        )
        return _to_detail(proposal)
    if not proposal.is_contested:
        raise Http404(gettext("No such page."))
    form = EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["to"] == "ballot":
                if not data["opens_at"] or not data["closes_at"]:
                    raise ProposalError(gettext("Give the times the ballot opens and closes."))
                send_to_ballot(
                    actor=request.user,
                    proposal=proposal,
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                )
            else:
                send_to_agenda(actor=request.user, proposal=proposal)
        except PermissionDenied:
            form.add_error(None, gettext("You cannot run ballots for this body."))
        except ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Sent on: it will be decided there."))
            return _to_detail(proposal)
    return render(
        request,
        "proposals/escalate.html",
        {
            "proposal": proposal,
            "form": form,
            "meeting": next_meeting(proposal),
            "ballot_possible": proposal.process in BALLOT_PROCESSES,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def schedule(request: AuthenticatedRequest, proposal_id: int) -> HttpResponse:
    proposal = _officer_proposal(request, proposal_id)
    if proposal.process != Process.TIME or proposal.status != ProposalStatus.CLOSED:
        raise Http404(gettext("No such page."))
    form = ScheduleForm(request.POST or None, initial={"title": proposal.title})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = schedule_found_meeting(
                actor=request.user,
                proposal=proposal,
                title=data["title"],
                format=data["format"],
                address=data["address"],
                online_link=data["online_link"],
            )
        except ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("The meeting is scheduled at the time the poll found.")
            )
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(
        request,
        "proposals/schedule.html",
        {"proposal": proposal, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def rules(request: AuthenticatedRequest, body_key: str) -> HttpResponse:
    body = _body_for(request, body_key)
    if not queries.may_run(request.user, body):
        raise Http404(gettext("No such page."))
    current = queries.rules_for(body)
    form = RulesForm(
        request.POST or None,
        initial={
            "who_may_propose": current.who_may_propose,
            "consensus_max_blocks": current.consensus_max_blocks,
            "consensus_agree_percent": current.consensus_agree_percent,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_proposal_rules(actor=request.user, body=body, **form.cleaned_data)
        except ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The body's rules for proposals are saved."))
            return redirect("proposals:body", body_key=body.key)
    return render(
        request,
        "proposals/rules.html",
        {"body": body, "form": form},
        status=400 if request.method == "POST" else 200,
    )
