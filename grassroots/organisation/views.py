from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from grassroots import clock
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation import queries
from grassroots.organisation.finder import PostcodeError, find_groups
from grassroots.organisation.forms import (
    AgmForm,
    AgreementForm,
    AppealForm,
    AppointOfficerForm,
    CriteriaForm,
    DecideAppealForm,
    EndRoleForm,
    PostcodeForm,
    ReasonForm,
)
from grassroots.organisation.group_page import panels_for
from grassroots.organisation.models import Group, GroupStatus, OfficerBasis, RoleAssignment
from grassroots.organisation.permissions import (
    NATION,
    Capability,
    is_holder,
    may,
    may_see_recognition_history,
    officer_bases,
)
from grassroots.organisation.recognition import AGREEMENT_VERSION, evaluate_group
from grassroots.organisation.services import appeals, common, officers, review


def group_list(request: HttpRequest) -> HttpResponse:
    """Every group by region, and the groups for a postcode when a visitor asks (public)."""
    form = PostcodeForm(request.GET if "postcode" in request.GET else None)
    found = None
    if form.is_bound and form.is_valid():
        try:
            found = find_groups(form.cleaned_data["postcode"])
        except PostcodeError as error:
            form.add_error("postcode", str(error))
    groups = (
        Group.objects.filter(closed_on__isnull=True)
        .select_related("area__region")
        .order_by("area__region__name", "area__name", "name")
    )
    return render(
        request, "organisation/group_list.html", {"groups": groups, "form": form, "found": found}
    )


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = queries.get_group(slug)
    return render(
        request,
        "organisation/group_detail.html",
        {
            "group": group,
            "officers": queries.current_officers(group),
            "panels": panels_for(group),
            "can_view_members": may(request.user, Capability.VIEW_MEMBERS, group),
            **_recognition_context(request, group),
        },
    )


def _recognition_context(request: HttpRequest, group: Group) -> dict[str, object]:
    """The status is public; its history (reasons, who decided) is for the group's members
    and those who oversee it (docs/recognition.md)."""
    user = request.user
    sees_history = may_see_recognition_history(user, group)
    return {
        "recognition": queries.group_status(group),
        "sees_history": sees_history,
        "history": queries.recognition_history(group) if sees_history else [],
        "appeals": queries.appeals_of(group) if sees_history else [],
        "criteria_results": (
            evaluate_group(group, queries.current_criteria(), clock.today()) if sees_history else []
        ),
        "endable_roles": queries.endable_roles(user, group) if user.is_authenticated else [],
        "can_record_agm": may(user, Capability.RECORD_AGM, group),
        "can_appeal": may(user, Capability.APPEAL_RECOGNITION, group),
        "can_derecognise": may(user, Capability.MANAGE_RECOGNITION, group),
    }


@login_required
def record_agm(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    group = queries.get_group(slug)
    if not may(request.user, Capability.RECORD_AGM, group):
        raise Http404("No such group.")
    form = AgmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            officers.record_agm(
                actor=request.user, group=group, held_on=form.cleaned_data["held_on"]
            )
        except common.RecognitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The AGM is recorded."))
            return redirect("group_detail", slug=group.slug)
    return render(request, "organisation/agm_form.html", {"group": group, "form": form})


@login_required
def group_officers(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The group's officers now and every appointment before, with how each began and ended:
    for the group's members and those who oversee it."""
    group = queries.get_group(slug)
    if not may_see_recognition_history(request.user, group):
        raise Http404("No such group.")
    return render(
        request,
        "organisation/group_officers.html",
        {
            "group": group,
            "officers": queries.current_officers(group),
            "endable_roles": queries.endable_roles(request.user, group),
            "history": queries.officer_history(group),
            "can_appoint": bool(officer_bases(request.user, group)),
        },
    )


@login_required
def appoint_officer(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    group = queries.get_group(slug)
    bases = officer_bases(request.user, group)
    if not bases:
        raise Http404("No such group.")
    form = AppointOfficerForm(
        request.POST if request.method == "POST" else None,
        bases=bases,
        roles=[(r.value, str(r.label)) for r in officers.GROUP_ROLES],
        initial={"starts_on": clock.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = officers.appoint_officer(
                actor=request.user,
                group=group,
                role=data["role"],
                membership_number=data["membership_number"],
                last_name=data["last_name"],
                starts_on=data["starts_on"],
                basis=data["basis"],
                decided_on=data["decided_on"],
                reference=data["reference"],
            )
        except officers.OfficerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("%(member)s is appointed %(role)s from %(starts_on)s.")
                % {
                    "member": assignment.member.full_name,
                    "role": assignment.get_role_display(),
                    "starts_on": dateformat.format(assignment.starts_on, "j F Y"),
                },
            )
            return redirect("group_officers", slug=group.slug)
    return render(request, "organisation/appoint_officer.html", {"group": group, "form": form})


def _end_bases(request: HttpRequest, assignment: RoleAssignment) -> list[str]:
    bases: list[str] = []
    if is_holder(request.user, assignment):
        bases.append(OfficerBasis.RESIGNATION)
    if assignment.group is not None:
        bases += officer_bases(request.user, assignment.group)
    elif not bases:
        bases.append(OfficerBasis.OVERSIGHT)
    return bases


@login_required
def end_role(request: AuthenticatedRequest, slug: str, assignment_id: int) -> HttpResponse:
    group = queries.get_group(slug)
    assignment = queries.get_role_to_end_for(request.user, group, assignment_id)
    form = EndRoleForm(
        request.POST if request.method == "POST" else None,
        bases=_end_bases(request, assignment),
        initial={"ends_on": clock.today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            officers.end_role(
                actor=request.user,
                assignment=assignment,
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
                basis=form.cleaned_data["basis"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except common.RecognitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("The role of %(role)s ends.") % {"role": assignment.get_role_display()},
            )
            return redirect("group_detail", slug=group.slug)
    return render(
        request,
        "organisation/end_role.html",
        {"group": group, "assignment": assignment, "form": form},
    )


@login_required
def derecognise(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    group = queries.get_group(slug)
    if not may(request.user, Capability.MANAGE_RECOGNITION, group):
        raise Http404("No such group.")
    recognition = queries.group_status(group)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    is_suspended = recognition.status == GroupStatus.SUSPENDED
    if request.method == "POST" and is_suspended and form.is_valid():
        try:
            review.derecognise_group(
                actor=request.user, group=group, reason=form.cleaned_data["reason"]
            )
        except common.RecognitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("%(group)s is de-recognised.") % {"group": group.name}
            )
            return redirect("group_detail", slug=group.slug)
    return render(
        request,
        "organisation/derecognise.html",
        {"group": group, "form": form, "recognition": recognition, "is_suspended": is_suspended},
    )


@login_required
def appeal(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    group = queries.get_group(slug)
    if not may(request.user, Capability.APPEAL_RECOGNITION, group):
        raise Http404("No such group.")
    recognition = queries.group_status(group)
    pending = queries.pending_appeal(group)
    may_lodge = recognition.status in appeals.APPEALABLE and pending is None
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and may_lodge and form.is_valid():
        try:
            appeals.lodge_appeal(
                actor=request.user, group=group, statement=form.cleaned_data["statement"]
            )
        except common.RecognitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The appeal is lodged."))
            return redirect("group_detail", slug=group.slug)
    return render(
        request,
        "organisation/appeal_form.html",
        {
            "group": group,
            "form": form,
            "recognition": recognition,
            "pending": pending,
            "may_lodge": may_lodge,
            "body": queries.current_criteria().get_appeal_body_display(),
        },
    )


@login_required
def recognition_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    page = request.GET.get("page", "1")
    dashboard = queries.recognition_dashboard(
        request.user, page=int(page) if page.isdigit() and len(page) < 7 else 1
    )
    if dashboard is None:
        raise Http404("Not found.")
    return render(
        request,
        "organisation/recognition_dashboard.html",
        {
            "dashboard": dashboard,
            "can_manage": may(request.user, Capability.MANAGE_RECOGNITION, NATION),
            "criteria": queries.current_criteria(),
        },
    )


@login_required
def recognition_criteria(request: AuthenticatedRequest) -> HttpResponse:
    if not may(request.user, Capability.MANAGE_RECOGNITION, NATION):
        raise Http404("Not found.")
    criteria = queries.current_criteria()
    form = CriteriaForm(request.POST if request.method == "POST" else None, instance=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            review.update_criteria(
                actor=request.user,
                values={name: form.cleaned_data[name] for name in review.CRITERIA_FIELDS},
            )
        except common.RecognitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("The criteria are saved. Every group is reviewed against them tonight."),
            )
            return redirect("recognition_dashboard")
    return render(request, "organisation/criteria_form.html", {"form": form})


@login_required
def appeal_list(request: AuthenticatedRequest) -> HttpResponse:
    if not queries.appeal_bodies_of(request.user):
        raise Http404("Not found.")
    return render(
        request,
        "organisation/appeal_list.html",
        {"appeals": queries.appeals_for_body(request.user)},
    )


@login_required
def appeal_decide(request: AuthenticatedRequest, appeal_id: int) -> HttpResponse:
    the_appeal = queries.get_appeal_for(request.user, appeal_id)
    form = DecideAppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and the_appeal.is_pending and form.is_valid():
        try:
            appeals.decide_appeal(
                actor=request.user,
                appeal=the_appeal,
                upheld=form.cleaned_data["decision"] == "upheld",
                reasons=form.cleaned_data["reasons"],
            )
        except common.RecognitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The decision is recorded and the group is told."))
            return redirect("recognition_appeal_list")
    return render(request, "organisation/appeal_decide.html", {"appeal": the_appeal, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def data_protection_agreement(request: AuthenticatedRequest) -> HttpResponse:
    """The agreement's text, for anyone signed in; a serving Data Manager accepts it here."""
    roles = queries.data_manager_roles_of(request.user)
    pending = [r for r in roles if not _has_accepted(r)]
    form = AgreementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and pending and form.is_valid():
        for assignment in pending:
            officers.accept_agreement(actor=request.user, assignment=assignment)
        messages.success(
            request, gettext("Thank you: you have accepted the data protection agreement.")
        )
        return redirect("data_protection_agreement")
    return render(
        request,
        "organisation/agreement.html",
        {"form": form, "pending": pending, "roles": roles, "version": AGREEMENT_VERSION},
    )


def _has_accepted(assignment: RoleAssignment) -> bool:
    return assignment.agreement_acceptances.filter(version=AGREEMENT_VERSION).exists()


@login_required
def national_overview(request: AuthenticatedRequest) -> HttpResponse:
    if not may(request.user, Capability.VIEW_NATIONAL_OVERVIEW, NATION):
        raise Http404("Not found.")
    regions = queries.national_overview()
    return render(
        request,
        "organisation/national_overview.html",
        {"regions": regions, "total": sum(r.members for r in regions)},
    )
