"""Pages for delegates and forwarded motions: parse, ask ``queries``/``services``, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots import clock
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.delegation import queries
from grassroots.delegation.bodies import (
    bodies_above,
    body_from_key,
    body_of,
    receiving_body_of,
)
from grassroots.delegation.forms import (
    AllocationForm,
    CompositeForm,
    DelegateForm,
    ElectionForm,
    ForwardForm,
    PlaceForm,
    WithdrawForm,
)
from grassroots.delegation.models import CompositeStatus, ForwardStatus
from grassroots.delegation.services import allocation, common, composites, delegates, forwarding
from grassroots.meetings.models import MeetingStatus
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "delegation/home.html",
        {
            "meetings": queries.delegate_meetings_visible_to(request.user),
            "forwardable": queries.forwardable_motions(request.user),
            "bodies": queries.bodies_receiving_for(request.user),
        },
    )


@login_required
def meeting(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    found = queries.get_delegate_meeting_for(request.user, meeting_id)
    body = body_of(found)
    groups = queries.groups_user_records_for(request.user, found)
    return render(
        request,
        "delegation/meeting.html",
        {
            "meeting": found,
            "body": body,
            "view": queries.allocation_view(found),
            "can_allocate": may(request.user, Capability.ALLOCATE_DELEGATES, body),
            "can_record": bool(groups),
            "record_group_ids": {g.pk for g in groups},
            "member_id": getattr(getattr(request.user, "member", None), "pk", None),
            "is_scheduled": found.status == MeetingStatus.SCHEDULED,
        },
    )


@login_required
def allocate(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    found = queries.get_delegate_meeting_for(request.user, meeting_id)
    if not may(request.user, Capability.ALLOCATE_DELEGATES, body_of(found)):
        raise Http404(gettext("No such meeting."))
    form = AllocationForm(
        request.POST if request.method == "POST" else None,
        initial={"counted_on": clock.today(), "minimum": 1},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocation.allocate_delegates(
                actor=request.user,
                meeting=found,
                seats=data["seats"],
                minimum=data["minimum"],
                counted_on=data["counted_on"],
                seed=data["seed"],
            )
        except common.DelegationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The delegates are allocated."))
            return redirect("delegation_meeting", meeting_id=found.pk)
    return render(
        request,
        "delegation/allocate.html",
        {"meeting": found, "form": form, "current": common.current_allocation(found)},
    )


def _member_of_group(form: Any, group: Any) -> Member | None:
    """The member the form's membership number names, if their home group is ``group``;
    otherwise the error goes on the field."""
    member = Member.objects.filter(
        membership_number=form.cleaned_data["membership_number"].strip().upper()
    ).first()
    if member is None or member.home_group_id != group.pk:
        form.add_error(
            "membership_number",
            gettext("No member of %(name)s has that membership number.") % {"name": group.name},
        )
        return None
    return member


@login_required
def record_delegate(request: AuthenticatedRequest, meeting_id: int) -> HttpResponse:
    found = queries.get_delegate_meeting_for(request.user, meeting_id)
    groups = queries.groups_user_records_for(request.user, found)
    if not groups:
        raise Http404(gettext("No such meeting."))
    form = DelegateForm(
        request.POST if request.method == "POST" else None,
        groups=groups,
        group_meetings=queries.electing_meetings(groups),
        ballots=queries.electing_ballots(groups),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = data["group"]
        member = _member_of_group(form, group)
        if member is not None:
            try:
                delegates.record_delegate(
                    actor=request.user,
                    meeting=found,
                    group=group,
                    member=member,
                    elected_by=data["elected_by"],
                    group_meeting=data["group_meeting"],
                    ballot=data["ballot"],
                )
            except common.DelegationError as error:
                form.add_error(None, str(error))
            except PermissionDenied as error:
                raise Http404(gettext("No such meeting.")) from error
            else:
                messages.success(
                    request,
                    gettext("%(full_name)s is recorded as a delegate.")
                    % {"full_name": member.full_name},
                )
                return redirect("delegation_meeting", meeting_id=found.pk)
    return render(request, "delegation/record_delegate.html", {"meeting": found, "form": form})


@login_required
def withdraw_delegate(request: AuthenticatedRequest, delegate_id: int) -> HttpResponse:
    delegate = queries.get_delegate_for(request.user, delegate_id)
    is_self = queries.may_withdraw_self(request.user, delegate)
    form = WithdrawForm(
        request.POST if request.method == "POST" else None, reason_required=not is_self
    )
    if request.method == "POST" and form.is_valid():
        try:
            delegates.withdraw_delegate(
                actor=request.user, delegate=delegate, reason=form.cleaned_data["reason"]
            )
        except common.DelegationError as error:
            form.add_error(None, str(error))
        except PermissionDenied as error:
            raise Http404(gettext("No such delegate.")) from error
        else:
            messages.success(
                request,
                gettext("You are no longer a delegate.")
                if is_self
                else gettext(
                    "%(name)s is no longer a delegate; the group can now record a replacement."
                )
                % {"name": delegate.member.full_name},
            )
            return redirect("delegation_meeting", meeting_id=delegate.meeting_id)
    return render(
        request,
        "delegation/withdraw_delegate.html",
        {"delegate": delegate, "meeting": delegate.meeting, "form": form, "is_self": is_self},
        status=400 if form.errors else 200,
    )


@login_required
def replace_delegate(request: AuthenticatedRequest, delegate_id: int) -> HttpResponse:
    delegate = queries.get_delegate_for(request.user, delegate_id)
    if not may(request.user, Capability.RECORD_DELEGATES, delegate.group):
        raise Http404(gettext("No such delegate."))
    groups = [delegate.group]
    form = ElectionForm(
        request.POST if request.method == "POST" else None,
        group_meetings=queries.electing_meetings(groups),
        ballots=queries.electing_ballots(groups),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = _member_of_group(form, delegate.group)
        if member is not None:
            try:
                delegates.replace_delegate(
                    actor=request.user,
                    delegate=delegate,
                    member=member,
                    elected_by=data["elected_by"],
                    group_meeting=data["group_meeting"],
                    ballot=data["ballot"],
                )
            except common.DelegationError as error:
                form.add_error(None, str(error))
            except PermissionDenied as error:
                raise Http404(gettext("No such delegate.")) from error
            else:
                messages.success(
                    request,
                    gettext("%(full_name)s is recorded as a delegate in the place of %(replaced)s.")
                    % {"full_name": member.full_name, "replaced": delegate.member.full_name},
                )
                return redirect("delegation_meeting", meeting_id=delegate.meeting_id)
    return render(
        request,
        "delegation/replace_delegate.html",
        {"delegate": delegate, "meeting": delegate.meeting, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def forward_motion(request: AuthenticatedRequest, motion_id: int) -> HttpResponse:
    motion = queries.get_forwardable_motion_for(request.user, motion_id)
    bodies = bodies_above(body_of(motion.meeting))
    form = ForwardForm(request.POST if request.method == "POST" else None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        to = body_from_key(form.cleaned_data["to"])
        if to is None:
            raise Http404(gettext("No such body."))
        try:
            forward = forwarding.forward_motion(
                actor=request.user, motion=motion, to=to, note=form.cleaned_data["note"]
            )
        except common.DelegationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("The motion is forwarded to %(described)s.") % {"described": to.described},
            )
            return redirect("delegation_forward_detail", forward_id=forward.pk)
    return render(
        request,
        "delegation/forward.html",
        {"motion": motion, "form": form, "source": body_of(motion.meeting)},
    )


def _place_on_agenda(
    request: HttpRequest,
    body: Any,
    *,
    can_place: bool,
    place: Callable[[Any], object],
    placed: str,
) -> tuple[PlaceForm | None, bool]:
    """The "put it on an agenda" form of a forwarded motion's or a composite's page: the form
    (None for those who may not place it) and whether it was placed just now. A refusal from
    the service is shown on the form; nothing is placed."""
    if not can_place:
        return None, False
    form = PlaceForm(
        request.POST if request.method == "POST" else None,
        meetings=queries.receiving_meetings(body),
    )
    if request.method == "POST" and form.is_valid():
        try:
            place(form.cleaned_data["meeting"])
        except common.DelegationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, placed)
            return form, True
    return form, False


@login_required
def forward_detail(request: AuthenticatedRequest, forward_id: int) -> HttpResponse:
    forward = queries.get_forward_for(request.user, forward_id)
    body = receiving_body_of(forward)
    can_place = (
        may(request.user, Capability.RECEIVE_MOTIONS, body)
        and forward.status == ForwardStatus.AWAITING
        and forward.composite_id is None
    )
    if not can_place and request.method == "POST":
        raise Http404(gettext("No such motion."))
    form, done = _place_on_agenda(
        request,
        body,
        can_place=can_place,
        place=lambda meeting: forwarding.place_forward_on_agenda(
            actor=request.user, forward=forward, meeting=meeting
        ),
        placed=gettext("The motion is on the agenda."),
    )
    if done:
        return redirect("delegation_forward_detail", forward_id=forward.pk)
    stage, supporters = queries.forward_history(forward)
    return render(
        request,
        "delegation/forward_detail.html",
        {
            "forward": forward,
            "body": body,
            "stage": stage,
            "supporters": supporters,
            "form": form,
        },
    )


@login_required
def body(request: AuthenticatedRequest, body_key: str) -> HttpResponse:
    found = queries.get_body_for(request.user, body_key)
    forwards = queries.forwards_to(found)
    composite_list = queries.composites_for(found)
    return render(
        request,
        "delegation/body.html",
        {
            "body": found,
            "awaiting": queries.awaiting(forwards),
            "forwards": forwards,
            "composites": composite_list,
            "can_receive": may(request.user, Capability.RECEIVE_MOTIONS, found),
        },
    )


@login_required
def propose_composite(request: AuthenticatedRequest, body_key: str) -> HttpResponse:
    found = queries.get_body_for(request.user, body_key)
    if not may(request.user, Capability.RECEIVE_MOTIONS, found):
        raise Http404(gettext("No such body."))
    candidates = [
        f
        for f in queries.forwards_to(found)
        if f.composite_id is None and f.status != ForwardStatus.COMPOSITED
    ]
    form = CompositeForm(request.POST if request.method == "POST" else None, forwards=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            composite = composites.propose_composite(
                actor=request.user,
                forwards=list(data["forwards"]),
                title=data["title"],
                text=data["text"],
            )
        except common.DelegationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("The composite is proposed; each mover must now agree.")
            )
            return redirect("delegation_composite_detail", composite_id=composite.pk)
    return render(request, "delegation/composite_propose.html", {"body": found, "form": form})


@login_required
def composite_detail(request: AuthenticatedRequest, composite_id: int) -> HttpResponse:
    composite = queries.get_composite_for(request.user, composite_id)
    body = receiving_body_of(composite)
    can_place = (
        may(request.user, Capability.RECEIVE_MOTIONS, body)
        and composite.status == CompositeStatus.PROPOSED
    )
    if not can_place and request.method == "POST":
        raise Http404(gettext("No such composite."))
    form, done = _place_on_agenda(
        request,
        body,
        can_place=can_place,
        place=lambda meeting: composites.place_composite_on_agenda(
            actor=request.user, composite=composite, meeting=meeting
        ),
        placed=gettext("The composite is on the agenda in place of its parts."),
    )
    if done:
        return redirect("delegation_composite_detail", composite_id=composite.pk)
    member = getattr(request.user, "member", None)
    agreed = set(composite.agreements.values_list("forward_id", flat=True))
    parts = list(
        composite.parts.select_related("mover", "motion__meeting").order_by("forwarded_at", "id")
    )
    return render(
        request,
        "delegation/composite_detail.html",
        {
            "composite": composite,
            "body": body,
            "parts": [(p, p.pk in agreed) for p in parts],
            "waiting": composites.movers_yet_to_agree(composite),
            "may_agree": member is not None
            and composite.status == CompositeStatus.PROPOSED
            and any(p.mover_id == member.pk and p.pk not in agreed for p in parts),
            "form": form,
            "history": (
                queries.motion_history(composite.placed_motion) if composite.placed_motion else None
            ),
        },
    )


@login_required
@require_POST
def agree_to_composite(request: AuthenticatedRequest, composite_id: int) -> HttpResponse:
    composite = queries.get_composite_for(request.user, composite_id)
    try:
        composites.agree_to_composite(actor=request.user, composite=composite)
    except PermissionDenied as error:
        raise Http404(gettext("No such composite.")) from error
    except common.DelegationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Your agreement to the composite is recorded."))
    return redirect("delegation_composite_detail", composite_id=composite.pk)
