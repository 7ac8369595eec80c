"""Oversight pages: thin views that parse a form, call a service or query, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots import clock
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.oversight import commitments, queries, services
from grassroots.oversight.forms import (
    AnswerForm,
    CommitmentForm,
    CommitmentUpdateForm,
    DecisionForm,
    InitiativeForm,
    MeetingForm,
    MinutesForm,
    PaperForm,
    PrepareKeysForm,
    RulesForm,
    SearchForm,
)
from grassroots.oversight.models import Initiative, InitiativeKind, InitiativeStatus, Paper


def _refused(request: HttpRequest, form: Any, error: services.OversightError) -> None:
    form.add_error(None, str(error))


@login_required
def overview(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "oversight/overview.html",
        {
            "meetings": list(queries.published_meetings()[:5]),
            "overdue": queries.overdue_records(),
            "collecting": [i for i in queries.initiatives()[:50] if i.is_collecting],
            "commitments_overdue": [c for c in queries.commitments() if c.is_overdue],
            "rules": queries.current_rules(),
        },
    )


# --- The register --------------------------------------------------------------------------


@login_required
def register(request: AuthenticatedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    text = body = ""
    if form.is_valid():
        text, body = form.cleaned_data["q"], form.cleaned_data["body"]
    context = {
        "form": form,
        "query": text,
        "decisions": list(queries.search_decisions(text, body)[:100]),
        "meetings": list(queries.published_meetings()[:50]) if not text else [],
        "overdue": queries.overdue_records(),
        "drafts": queries.drafts_for(request.user),
        "can_record": bool(queries.bodies_recordable_by(request.user)),
        "rules": queries.current_rules(),
    }
    if getattr(request, "htmx", False):
        return render(request, "oversight/register.html#results", context)
    return render(request, "oversight/register.html", context)


@login_required
def meeting_detail(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_for(request.user, meeting_id)
    return render(
        request,
        "oversight/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": list(meeting.decisions.prefetch_related("named_votes")),
            "papers": list(meeting.papers.all()),
            "can_record": queries.may_record(request.user, meeting.body, meeting.region),
        },
    )


@login_required
def decision_detail(request: AuthenticatedRequest, decision_id: int) -> HttpResponse:
    decision = queries.get_decision_for(request.user, decision_id)
    return render(
        request,
        "oversight/decision_detail.html",
        {
            "decision": decision,
            "votes": list(decision.named_votes.all()),
            "call_ins": list(decision.call_ins.all()),
        },
    )


@login_required
def paper_download(request: AuthenticatedRequest, paper_id: int) -> FileResponse:
    paper = Paper.objects.filter(pk=paper_id).first()
    if paper is None:
        raise Http404("No such paper.")
    queries.get_meeting_for(request.user, paper.meeting_id)
    response = FileResponse(
        paper.file.open("rb"),
        content_type=paper.content_type,
        as_attachment=True,
        filename=f"paper-{paper.pk}.{(paper.file.name or '').rsplit('.', 1)[-1]}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def meeting_create(request: AuthenticatedRequest) -> HttpResponse:
    choices = queries.bodies_recordable_by(request.user)
    if not choices:
        raise Http404("No such page.")
    form = MeetingForm(request.POST or None, body_choices=choices)
    if request.method == "POST" and form.is_valid():
        body, region = queries.body_from_choice(form.cleaned_data["body"])
        try:
            meeting = services.start_meeting(
                actor=request.user,
                body=body,
                region=region,
                title=form.cleaned_data["title"],
                held_on=form.cleaned_data["held_on"],
            )
        except services.OversightError as error:
            _refused(request, form, error)
        else:
            messages.success(
                request, gettext("Meeting record started. Add its decisions, papers and minutes.")
            )
            return redirect("oversight_meeting_record", meeting_id=meeting.pk)
    return render(request, "oversight/meeting_form.html", {"form": form})


def _roster(meeting: Any) -> list[Any] | None:
    if queries.votes_are_named(queries.current_rules(), meeting.body):
        return queries.committee_members(meeting.body, meeting.region, meeting.held_on)
    return None


@login_required
def meeting_record(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    """The recorder's page for a draft: minutes (posted here), decisions, papers, publish."""
    meeting = queries.get_meeting_to_record(request.user, meeting_id)
    if meeting.is_published:
        return redirect("oversight_meeting", meeting_id=meeting.pk)
    minutes_form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and minutes_form.is_valid():
        try:
            services.save_minutes(
                actor=request.user, meeting=meeting, minutes=minutes_form.cleaned_data["minutes"]
            )
        except services.OversightError as error:
            _refused(request, minutes_form, error)
        else:
            messages.success(request, gettext("Minutes saved."))
            return redirect("oversight_meeting_record", meeting_id=meeting.pk)
    return _record_page(request, meeting, minutes_form=minutes_form)


def _record_page(request: HttpRequest, meeting: Any, **forms: Any) -> HttpResponse:
    roster = _roster(meeting)
    context = {
        "meeting": meeting,
        "decisions": list(meeting.decisions.all()),
        "papers": list(meeting.papers.all()),
        "named": roster is not None,
        "minutes_form": forms.get("minutes_form")
        or MinutesForm(initial={"minutes": meeting.minutes}),
        "decision_form": forms.get("decision_form") or DecisionForm(roster=roster),
        "paper_form": forms.get("paper_form") or PaperForm(),
        "publish_error": forms.get("publish_error", ""),
    }
    status = (
        400 if any(f is not None and getattr(f, "errors", None) for f in forms.values()) else 200
    )
    if forms.get("publish_error"):
        status = 400
    return render(request, "oversight/meeting_record.html", context, status=status)


@login_required
@require_POST
def decision_add(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_to_record(request.user, meeting_id)
    form = DecisionForm(request.POST, roster=_roster(meeting))
    if form.is_valid():
        try:
            services.record_decision(
                actor=request.user,
                meeting=meeting,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                outcome=form.cleaned_data["outcome"],
                totals=form.totals(),
                named_votes=form.named_votes(),
                threshold="two-thirds" if form.cleaned_data.get("two_thirds") else "majority",
            )
        except services.OversightError as error:
            _refused(request, form, error)
        else:
            messages.success(request, gettext("Decision recorded."))
            return redirect("oversight_meeting_record", meeting_id=meeting.pk)
    return _record_page(request, meeting, decision_form=form)


@login_required
@require_POST
def paper_add(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_to_record(request.user, meeting_id)
    form = PaperForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_paper(
                actor=request.user,
                meeting=meeting,
                title=form.cleaned_data["title"],
                upload=upload,
                size=upload.size,
            )
        except services.OversightError as error:
            _refused(request, form, error)
        else:
            messages.success(request, gettext("Paper added."))
            return redirect("oversight_meeting_record", meeting_id=meeting.pk)
    return _record_page(request, meeting, paper_form=form)


@login_required
@require_POST
def meeting_publish(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_meeting_to_record(request.user, meeting_id)
    try:
        services.publish_meeting(actor=request.user, meeting=meeting)
    except services.OversightError as error:
        return _record_page(request, meeting, publish_error=str(error))
    messages.success(request, gettext("The record is published to members."))
    return redirect("oversight_meeting", meeting_id=meeting.pk)


# --- Initiatives ---------------------------------------------------------------------------


@login_required
def initiative_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "oversight/initiative_list.html",
        {"initiatives": list(queries.initiatives()[:200]), "rules": queries.current_rules()},
    )


@login_required
def initiative_start(request: AuthenticatedRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    decision_param = request.GET.get("decision", "")
    if decision_param.isdigit():
        initial = {"kind": InitiativeKind.CALL_IN, "decision": int(decision_param)}
    form = InitiativeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.start_initiative(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                decision_id=form.cleaned_data["decision"],
            )
        except services.OversightError as error:
            _refused(request, form, error)
        else:
            messages.success(
                request, gettext("Initiative started, with your signature as the first.")
            )
            return redirect("oversight_initiative", initiative_id=initiative.pk)
    decision = queries.published_decision(initial.get("decision"))
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "oversight/initiative_form.html",
        {"form": form, "decision": decision, "rules": queries.current_rules()},
        status=status,
    )


def _initiative_page(
    request: HttpRequest, initiative: Initiative, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "oversight/initiative_detail.html",
        {
            "initiative": initiative,
            "events": list(initiative.events.all()),
            "my_signature": queries.own_signature(request.user, initiative),
            "by_region": (
                queries.signature_counts_by_region(initiative)
                if may(request.user, Capability.VIEW_SIGNATURE_COUNTS, NATION)
                else None
            ),
            "may_answer": may(request.user, Capability.ANSWER_INITIATIVES, NATION)
            and initiative.status == InitiativeStatus.REFERRED,
            "answer_form": AnswerForm(),
            "error": error,
            "now": clock.now(),
        },
        status=status,
    )


@login_required
def initiative_detail(request: AuthenticatedRequest, initiative_id: int) -> HttpResponse:
    initiative = queries.get_initiative_for(request.user, initiative_id)
    if getattr(request, "htmx", False):
        return render(request, "oversight/initiative_detail.html#count", {"initiative": initiative})
    return _initiative_page(request, initiative)


@login_required
@require_POST
def initiative_sign(request: AuthenticatedRequest, initiative_id: int) -> HttpResponse:
    initiative = queries.get_initiative_for(request.user, initiative_id)
    try:
        services.sign_initiative(actor=request.user, initiative_id=initiative.pk)
    except services.OversightError as error:
        return _initiative_page(request, initiative, error=str(error), status=400)
    messages.success(request, gettext("You have signed. Only you can see that you signed."))
    return redirect("oversight_initiative", initiative_id=initiative.pk)


@login_required
@require_POST
def initiative_answer(request: AuthenticatedRequest, initiative_id: int) -> HttpResponse:
    initiative = queries.get_initiative_for(request.user, initiative_id)
    if not may(request.user, Capability.ANSWER_INITIATIVES, NATION):
        raise Http404("No such page.")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _initiative_page(
            request, initiative, error=gettext("Write the committee's answer."), status=400
        )
    try:
        services.answer_initiative(
            actor=request.user, initiative=initiative, response=form.cleaned_data["response"]
        )
    except services.OversightError as error:
        return _initiative_page(request, initiative, error=str(error), status=400)
    messages.success(request, gettext("The answer is published on the initiative's timeline."))
    return redirect("oversight_initiative", initiative_id=initiative.pk)


# --- Accountability ------------------------------------------------------------------------


@login_required
def accountability(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "oversight/accountability.html",
        {
            "commitments": list(queries.commitments()),
            "can_manage": may(request.user, Capability.MANAGE_COMMITMENTS, NATION),
        },
    )


@login_required
def commitment_add(request: AuthenticatedRequest) -> HttpResponse:
    if not may(request.user, Capability.MANAGE_COMMITMENTS, NATION):
        raise Http404("No such page.")
    form = CommitmentForm(request.POST or None, initial={"made_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commitments.add_commitment(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                made_on=data["made_on"],
                due_on=data["due_on"],
                decision_id=data["decision"],
            )
        except services.OversightError as error:
            _refused(request, form, error)
        else:
            messages.success(request, gettext("Commitment added to the accountability page."))
            return redirect("oversight_accountability")
    return render(
        request,
        "oversight/commitment_form.html",
        {"form": form, "heading": gettext("Add a commitment")},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def commitment_update(request: AuthenticatedRequest, commitment_id: int) -> HttpResponse:
    commitment = queries.get_commitment_to_manage(request.user, commitment_id)
    form = CommitmentUpdateForm(
        request.POST or None,
        initial={
            "status": commitment.status,
            "evidence": commitment.evidence,
            "evidence_url": commitment.evidence_url,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commitments.update_commitment(
                actor=request.user,
                commitment=commitment,
                status=data["status"],
                note=data["note"],
                evidence=data["evidence"],
                evidence_url=data["evidence_url"],
            )
        except services.OversightError as error:
            _refused(request, form, error)
        else:
            messages.success(request, gettext("Commitment updated."))
            return redirect("oversight_accountability")
    return render(
        request,
        "oversight/commitment_form.html",
        {
            "form": form,
            "heading": gettext("Update: %(title)s") % {"title": commitment.title},
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Rules and the standing tellers' keys ---------------------------------------------------


@login_required
def rules_edit(request: AuthenticatedRequest) -> HttpResponse:
    if not may(request.user, Capability.SET_OVERSIGHT_RULES, NATION):
        raise Http404("No such page.")
    form = RulesForm(request.POST or None, instance=queries.current_rules())
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rules(
                actor=request.user,
                values=form.rule_values(),
                standing_tellers=form.standing_tellers,
            )
        except services.OversightError as error:
            _refused(request, form, error)
        else:
            messages.success(
                request, gettext("Rules saved. Initiatives already started keep theirs.")
            )
            return redirect("oversight_rules")
    return render(
        request,
        "oversight/rules_form.html",
        {
            "form": form,
            "keys": queries.prepared_keys(),
            "usable": queries.usable_key_count(),
            "keys_form": PrepareKeysForm(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def keys_prepare(request: AuthenticatedRequest) -> HttpResponse:
    if not may(request.user, Capability.SET_OVERSIGHT_RULES, NATION):
        raise Http404("No such page.")
    form = PrepareKeysForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Prepare between 1 and 20 keys at a time."))
        return redirect("oversight_rules")
    try:
        keys = services.prepare_keys(actor=request.user, count=form.cleaned_data["count"])
    except services.OversightError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("%(count)s keys prepared; each is usable once every teller collects a share.")
            % {"count": len(keys)},
        )
    return redirect("oversight_rules")


@login_required
def teller_shares(request: AuthenticatedRequest) -> HttpResponse:
    shares = queries.my_prepared_shares(request.user)
    if not shares:
        raise Http404("No such page.")
    return render(request, "oversight/teller_shares.html", {"shares": shares})


@login_required
def teller_share_collect(request: AuthenticatedRequest, share_id: int) -> HttpResponse:
    share = queries.get_prepared_share_for(request.user, share_id)
    if request.method != "POST":
        return render(request, "oversight/teller_share.html", {"share": share, "text": None})
    try:
        text = services.collect_prepared_share(actor=request.user, share=share)
    except services.OversightError as error:
        messages.error(request, str(error))
        return redirect("oversight_teller_shares")
    return render(request, "oversight/teller_share.html", {"share": share, "text": text})
