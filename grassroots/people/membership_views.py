"""Membership pages (docs/organisation.md): the member's own (status, renewal, dues, any
disciplinary case with the right to respond and appeal), national office's page for one
member, and the deciding bodies' cases."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation.permissions import Capability, may, may_decide_appeals
from grassroots.people import discipline, dues, lifecycle, queries
from grassroots.people.membership_forms import (
    AppealDecisionForm,
    AppealForm,
    DecisionForm,
    DuesByHandForm,
    NoticeForm,
    RenewByHandForm,
    ResponseForm,
)
from grassroots.people.models import DisciplinaryCase, DuesRecord, Member

Errors = (lifecycle.LifecycleError, discipline.DisciplineError, dues.DuesError)


def _dues_of(member: Member) -> DuesRecord | None:
    return DuesRecord.objects.filter(member=member).first()


def _posted(request: AuthenticatedRequest, action: str) -> Any:
    return (
        request.POST if request.method == "POST" and request.POST.get("action") == action else None
    )


@login_required
def my_membership(request: AuthenticatedRequest) -> HttpResponse:
    """The member's status and renewal date, renewing, their dues, and any disciplinary case:
    the reason, their response, the decision and their appeal."""
    member = queries.own_member(request.user)
    if member is None:
        raise Http404("You have no member record.")
    cases = list(DisciplinaryCase.objects.filter(member=member))
    case = cases[0] if cases else None
    response_form = ResponseForm(_posted(request, "respond"), prefix="respond")
    appeal_form = AppealForm(_posted(request, "appeal"), prefix="appeal")
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "renew":
            lifecycle.renew_membership(actor=request.user, member=member)
            messages.success(request, gettext("Thank you: your membership is renewed."))
            return redirect("my_membership")
        if action == "respond" and case is not None and response_form.is_valid():
            discipline.respond(
                actor=request.user, case=case, response=response_form.cleaned_data["response"]
            )
            messages.success(
                request, gettext("Your response is recorded; the deciding body will read it.")
            )
            return redirect("my_membership")
        if action == "appeal" and case is not None and appeal_form.is_valid():
            discipline.lodge_appeal(
                actor=request.user, case=case, statement=appeal_form.cleaned_data["statement"]
            )
            messages.success(request, gettext("Your appeal is lodged."))
            return redirect("my_membership")
    except Errors as error:
        messages.error(request, str(error))
    return render(
        request,
        "people/my_membership.html",
        {
            "member": member,
            "case": case,
            "past_cases": cases[1:],
            "dues": _dues_of(member),
            "response_form": response_form,
            "appeal_form": appeal_form,
            "grace_days": lifecycle.grace_days(),
            "today": clock.today(),
        },
    )


@login_required
def member_membership(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """National office: renew by hand, correct dues by hand, give disciplinary notice."""
    member = queries.get_member_for(request.user, number, purpose="membership page")
    if not may(request.user, Capability.MANAGE_MEMBERSHIP, member):
        raise Http404("No such member.")
    renew_form = RenewByHandForm(_posted(request, "renew"), prefix="renew")
    notice_form = NoticeForm(
        _posted(request, "notice"),
        prefix="notice",
        initial={"respond_by": clock.today() + datetime.timedelta(days=21)},
    )
    record = _dues_of(member)
    dues_form = DuesByHandForm(
        _posted(request, "dues"),
        prefix="dues",
        initial={
            "amount": Decimal(record.amount_pence) / 100 if record else None,
            "frequency": record.frequency if record else None,
            "paid_up_to": record.paid_up_to if record else None,
        },
    )
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "renew" and renew_form.is_valid():
            lifecycle.renew_membership(
                actor=request.user, member=member, reason=renew_form.cleaned_data["reason"]
            )
            messages.success(
                request,
                gettext("%(member)s's membership is renewed.") % {"member": member.full_name},
            )
            return redirect("member_membership", number=number)
        if action == "notice" and notice_form.is_valid():
            data = notice_form.cleaned_data
            discipline.give_notice(
                actor=request.user,
                member=member,
                sanction=data["sanction"],
                reason=data["reason"],
                body=data["body"],
                respond_by=data["respond_by"],
            )
            messages.success(
                request, gettext("Notice is given to %(member)s.") % {"member": member.full_name}
            )
            return redirect("member_membership", number=number)
        if action == "dues" and dues_form.is_valid():
            data = dues_form.cleaned_data
            dues.set_dues_by_hand(
                actor=request.user,
                member=member,
                amount_pence=int(data["amount"] * 100),
                frequency=data["frequency"],
                paid_up_to=data["paid_up_to"],
                reason=data["reason"],
            )
            messages.success(
                request, gettext("%(member)s's dues are updated.") % {"member": member.full_name}
            )
            return redirect("member_membership", number=number)
    except Errors as error:
        messages.error(request, str(error))
    return render(
        request,
        "people/member_membership.html",
        {
            "record": member,
            "dues": record,
            "cases": DisciplinaryCase.objects.filter(member=member),
            "renew_form": renew_form,
            "notice_form": notice_form,
            "dues_form": dues_form,
        },
    )


def _may_see_cases(user: Any) -> bool:
    return any(may_decide_appeals(user, b) for b in discipline.DECIDING_BODIES)


@login_required
def discipline_cases(request: AuthenticatedRequest) -> HttpResponse:
    if not _may_see_cases(request.user):
        raise Http404("No such page.")
    return render(
        request,
        "people/discipline_cases.html",
        {
            "waiting": discipline.cases_for_bodies(request.user),
            "recent": DisciplinaryCase.objects.select_related("member")[:100],
        },
    )


@login_required
def discipline_case(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """A case for the national bodies: the decision, or the appeal's decision."""
    if not _may_see_cases(request.user):
        raise Http404("No such case.")
    case = DisciplinaryCase.objects.select_related("member").filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case.")
    decide_form = DecisionForm(_posted(request, "decide"), prefix="decide")
    appeal_form = AppealDecisionForm(_posted(request, "appeal"), prefix="appeal")
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "decide" and decide_form.is_valid():
            data = decide_form.cleaned_data
            discipline.decide(
                actor=request.user,
                case=case,
                impose=data["decision"] == "impose",
                reasons=data["reasons"],
                suspended_until=data["suspended_until"],
            )
            messages.success(request, gettext("The decision is recorded and sent to the member."))
            return redirect("discipline_case", case_id=case.pk)
        if action == "appeal" and appeal_form.is_valid():
            data = appeal_form.cleaned_data
            discipline.decide_appeal(
                actor=request.user,
                case=case,
                uphold=data["decision"] == "uphold",
                reasons=data["reasons"],
            )
            messages.success(
                request, gettext("The appeal's decision is recorded and sent to the member.")
            )
            return redirect("discipline_case", case_id=case.pk)
    except PermissionDenied:
        messages.error(request, gettext("Only the body the rules name decides this."))
    except Errors as error:
        messages.error(request, str(error))
    return render(
        request,
        "people/discipline_case.html",
        {
            "case": case,
            "may_decide": may_decide_appeals(request.user, case.body),
            "may_decide_appeal": bool(case.appeal_body)
            and may_decide_appeals(request.user, case.appeal_body),
            "decide_form": decide_form,
            "appeal_form": appeal_form,
        },
    )
