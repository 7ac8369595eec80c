"""Motion and amendment pages: submitting, seconding, ruling, amendments, outcomes and ballots."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.meetings import queries
from grassroots.meetings.debate_html import thread_html
from grassroots.meetings.forms import (
    AmendmentForm,
    BallotForm,
    CommentForm,
    MotionForm,
    OutcomeForm,
    RulingForm,
)
from grassroots.meetings.models import Amendment, Meeting, MeetingStatus, Motion, Outcome
from grassroots.meetings.seconders import Candidate, seconders_named
from grassroots.meetings.services.amendments import (
    accept_amendment_as_friendly,
    propose_amendment,
    rule_amendment_out_of_order,
)
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.decisions import (
    record_amendment_outcome,
    record_motion_outcome,
    send_motion_to_ballot,
)
from grassroots.meetings.services.motions import rule_motion, second_motion, submit_motion
from grassroots.meetings.views.common import attempt, motion_url, reason_form
from grassroots.organisation.permissions import Capability, may


@login_required
def motion_submit(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    if (
        not queries.is_in_scope(queries.member_of(request.user), meeting)
        or not meeting.takes_motions
    ):
        raise Http404(gettext("Not found."))
    form = MotionForm(request.POST or None)
    named = str(request.POST.get("seconder", ""))[:200] if request.method == "POST" else ""
    matches = seconders_named(meeting, named, proposer=queries.member_of(request.user))
    choice = form.fields["seconder_choice"]
    if len(matches) > 1 and isinstance(choice, forms.ChoiceField):
        choice.choices = [(str(c.pk), c.label) for c in matches]
    else:
        del form.fields["seconder_choice"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seconder = _chosen_seconder(form, meeting, matches, data)
        if seconder is not None:
            try:
                motion = submit_motion(
                    actor=request.user,
                    meeting=meeting,
                    title=data["title"],
                    text=data["text"],
                    notes=data["notes"],
                    believes=data["believes"],
                    resolves=data["resolves"],
                    seconder_number=seconder.membership_number,
                )
            except MeetingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    gettext(
                        "Submitted. Your seconder has been asked to confirm on their meetings page."
                    ),
                )
                return redirect(motion_url(motion))
    return render(
        request,
        "meetings/motion_form.html",
        {"meeting": meeting, "form": form, "motions_open": queries.motions_open(meeting)},
        status=400 if form.errors else 200,
    )


def _chosen_seconder(
    form: MotionForm, meeting: Meeting, matches: list[Candidate], data: dict[str, Any]
) -> Candidate | None:
    """The one member the proposer named, or ``None`` with the reason on the form."""
    if len(matches) == 1:
        return matches[0]
    if not matches:
        form.add_error(
            "seconder",
            gettext(
                "No member of %(scope_name)s who may second this motion is called "
                "“%(seconder)s”. Give their first name and surname as the movement knows "
                "them, or their membership number; you cannot second your own motion."
            )
            % {"scope_name": meeting.scope_name, "seconder": data["seconder"].strip()},
        )
        return None
    chosen = next((c for c in matches if str(c.pk) == data.get("seconder_choice")), None)
    if chosen is None:
        form.add_error(
            "seconder_choice",
            gettext(
                "%(matches)s members of %(scope_name)s are called “%(seconder)s”: choose "
                "which one you mean."
            )
            % {
                "matches": len(matches),
                "scope_name": meeting.scope_name,
                "seconder": data["seconder"].strip(),
            },
        )
    return chosen


def _id_param(data: Any, name: str) -> int | None:
    value = str(data.get(name, ""))
    return int(value) if value.isdigit() else None


def motion_context(request: HttpRequest, motion: Motion) -> dict[str, Any]:
    meeting = motion.meeting
    data = request.POST if request.method == "POST" else request.GET
    member = queries.member_of(request.user)
    may_moderate = may(request.user, Capability.MODERATE_DEBATE, meeting)
    thread = queries.debate_thread(motion, for_moderator=may_moderate)
    in_scope = queries.is_in_scope(member, meeting)
    debate_open = queries.debate_open(motion)
    return {
        "meeting": meeting,
        "motion": motion,
        "member": member,
        "amendments": queries.amendments_with_diffs(motion),
        "thread": thread,
        "thread_html": thread_html(
            thread,
            base_url=motion_url(motion),
            member_id=member.pk if member else None,
            in_scope=in_scope,
            debate_open=debate_open,
            may_moderate=may_moderate,
        ),
        "revisions": motion.revisions.all(),
        "debate_open": debate_open,
        "motions_open": queries.motions_open(meeting),
        "in_scope": in_scope,
        "may_run": may(request.user, Capability.RUN_MEETINGS, meeting),
        "may_chair": may(request.user, Capability.CHAIR_MEETING, meeting),
        # Outcomes are recorded at the meeting (services.decisions refuses them before): the
        # links are not offered until it has started.
        "outcomes_open": queries.has_started(meeting) and meeting.status != MeetingStatus.CANCELLED,
        "may_moderate": may_moderate,
        "may_forward": queries.may_forward(request.user, motion),
        "forwarded": queries.forward_of(motion),
        "is_mover": member is not None and motion.proposer_id == member.pk,
        "is_seconder": member is not None and motion.seconder_id == member.pk,
        "comment_form": CommentForm(),
        "motion_url": motion_url(motion),
        "outcome": Outcome.objects.filter(motion=motion).first(),
        "ballot_result": queries.ballot_result(motion),
        "reply_to": _id_param(data, "reply" if request.method == "GET" else "parent"),
        "on_amendment": _id_param(data, "amendment"),
    }


@login_required
def motion_detail(request: AuthenticatedRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    return render(request, "meetings/motion_detail.html", motion_context(request, motion))


@login_required
@require_POST
def motion_second(request: AuthenticatedRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    return attempt(
        request,
        lambda: second_motion(actor=request.user, motion=motion),
        back=motion_url(motion),
        success=gettext("You have seconded the motion; members can now see and debate it."),
    )


@login_required
def motion_rule(request: AuthenticatedRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    if not may(request.user, Capability.RUN_MEETINGS, motion.meeting):
        raise Http404(gettext("Not found."))
    form = RulingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule_motion(
                actor=request.user,
                motion=motion,
                in_order=form.cleaned_data["decision"] == "in_order",
                reason=form.cleaned_data["reason"],
            )
        except MeetingError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, gettext("Ruling recorded."))
            return redirect(motion_url(motion))
    return render(
        request,
        "meetings/motion_rule.html",
        {"meeting": motion.meeting, "motion": motion, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def amendment_propose(
    request: AuthenticatedRequest, meeting_id: int, motion_id: int
) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    if not queries.is_in_scope(queries.member_of(request.user), motion.meeting):
        raise Http404(gettext("Not found."))
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            propose_amendment(actor=request.user, motion=motion, **form.cleaned_data)
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Your amendment is proposed."))
            return redirect(motion_url(motion))
    return render(
        request,
        "meetings/amendment_form.html",
        {
            "meeting": motion.meeting,
            "motion": motion,
            "form": form,
            "paragraphs": motion.paragraphs,
        },
        status=400 if form.errors else 200,
    )


def _amendment(
    request: HttpRequest, meeting_id: int, motion_id: int, amendment_id: int
) -> Amendment:
    return queries.get_amendment_for(request.user, meeting_id, motion_id, amendment_id)


@login_required
@require_POST
def amendment_accept(
    request: AuthenticatedRequest, meeting_id: int, motion_id: int, amendment_id: int
) -> HttpResponse:
    amendment = _amendment(request, meeting_id, motion_id, amendment_id)
    return attempt(
        request,
        lambda: accept_amendment_as_friendly(actor=request.user, amendment=amendment),
        back=motion_url(amendment.motion),
        success=gettext("Accepted as friendly: the motion's text now includes it."),
    )


@login_required
def amendment_rule(
    request: AuthenticatedRequest, meeting_id: int, motion_id: int, amendment_id: int
) -> HttpResponse:
    amendment = _amendment(request, meeting_id, motion_id, amendment_id)
    motion = amendment.motion
    if not may(request.user, Capability.RUN_MEETINGS, motion.meeting):
        raise Http404(gettext("Not found."))
    return reason_form(
        request,
        lambda reason: rule_amendment_out_of_order(
            actor=request.user, amendment=amendment, reason=reason
        ),
        meeting=motion.meeting,
        back=motion_url(motion),
        success=gettext("The amendment is ruled out of order."),
        heading=gettext("Rule amendment %(number)s out of order") % {"number": amendment.number},
        button=gettext("Rule it out of order"),
    )


@login_required
def amendment_outcome(
    request: AuthenticatedRequest, meeting_id: int, motion_id: int, amendment_id: int
) -> HttpResponse:
    amendment = _amendment(request, meeting_id, motion_id, amendment_id)
    motion = amendment.motion
    if not may(request.user, Capability.CHAIR_MEETING, motion.meeting):
        raise Http404(gettext("Not found."))
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_amendment_outcome(actor=request.user, amendment=amendment, **form.cleaned_data)
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("Amendment %(number)s: outcome recorded.") % {"number": amendment.number},
            )
            return redirect(motion_url(motion))
    return render(
        request,
        "meetings/outcome_form.html",
        {
            "form": form,
            "meeting": motion.meeting,
            "motion": motion,
            "heading": gettext("Amendment %(amendment)s to motion %(motion)s")
            % {"amendment": amendment.number, "motion": motion.number},
            "diff": queries.amendment_diff(amendment),
            "quorum": queries.quorum(motion.meeting),
        },
        status=400 if form.errors else 200,
    )


@login_required
def motion_outcome(request: AuthenticatedRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    if not may(request.user, Capability.CHAIR_MEETING, motion.meeting):
        raise Http404(gettext("Not found."))
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_motion_outcome(actor=request.user, motion=motion, **form.cleaned_data)
        except MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("Motion %(number)s: outcome recorded.") % {"number": motion.number}
            )
            return redirect(motion_url(motion))
    return render(
        request,
        "meetings/outcome_form.html",
        {
            "form": form,
            "meeting": motion.meeting,
            "motion": motion,
            "heading": gettext("Motion %(number)s: %(title)s")
            % {"number": motion.number, "title": motion.title},
            "diff": None,
            "quorum": queries.quorum(motion.meeting),
        },
        status=400 if form.errors else 200,
    )


@login_required
def motion_ballot(request: AuthenticatedRequest, meeting_id: int, motion_id: int) -> HttpResponse:
    motion = queries.get_motion_for(request.user, meeting_id, motion_id)
    if not may(request.user, Capability.CHAIR_MEETING, motion.meeting):
        raise Http404(gettext("Not found."))
    form = BallotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            send_motion_to_ballot(actor=request.user, motion=motion, **form.cleaned_data)
        except MeetingError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            form.add_error(None, gettext("You cannot run ballots for this body."))
        else:
            messages.success(
                request,
                gettext(
                    "A draft ballot is created: set up its tellers and open it on the "
                    "ballot's page."
                ),
            )
            return redirect(motion_url(motion))
    return render(
        request,
        "meetings/motion_ballot.html",
        {
            "form": form,
            "meeting": motion.meeting,
            "motion": motion,
            "quorum": queries.quorum(motion.meeting),
        },
        status=400 if form.errors else 200,
    )
