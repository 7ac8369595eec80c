"""Pages for the roles above the group (docs/organisation.md): who holds them, appointing and
ending them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation.models import Area, OfficerBasis, Region, Role, RoleAssignment
from grassroots.organisation.permissions import NATION, current_assignments, is_holder
from grassroots.organisation.services.officers import OfficerError
from grassroots.organisation.services.roles import (
    ROLES_ABOVE,
    BodyAbove,
    appoint_role,
    body_of,
    end_role_above,
    may_appoint_above,
    may_manage_roles_above,
)
from grassroots.organisation.structure_forms import ABOVE_BASES, AppointAboveForm, EndAboveForm


def _posts(user: Any) -> dict[str, tuple[str, BodyAbove, str]]:
    """Every role and body the person may appoint to: key -> (role, body, label)."""
    posts: dict[str, tuple[str, BodyAbove, str]] = {}
    for area in Area.objects.filter(closed_on__isnull=True).select_related("region"):
        if may_appoint_above(user, Role.AREA_COORDINATOR, area):
            posts[f"area_coordinator:{area.slug}"] = (
                Role.AREA_COORDINATOR,
                area,
                gettext("Area Coordinator, %(area)s") % {"area": area.name},
            )
    for region in Region.objects.filter(closed_on__isnull=True):
        if may_appoint_above(user, Role.REGIONAL_COORDINATOR, region):
            posts[f"regional_coordinator:{region.slug}"] = (
                Role.REGIONAL_COORDINATOR,
                region,
                gettext("Regional Coordinator, %(region)s") % {"region": region.name},
            )
    for role in (Role.NATIONAL_OFFICE, Role.NATIONAL_COMMITTEE, Role.AUDITOR):
        if may_appoint_above(user, role, NATION):
            posts[role.value] = (role, NATION, str(role.label))
    return posts


def _visible(user: Any) -> QuerySet[RoleAssignment]:
    roles = RoleAssignment.objects.filter(role__in=ROLES_ABOVE).select_related(
        "member", "area__region", "region"
    )
    if any(a.role == Role.NATIONAL_OFFICE for a in current_assignments(user)):
        return roles
    held = (a.region_id for a in current_assignments(user) if a.role == Role.REGIONAL_COORDINATOR)
    regions = [region_id for region_id in held if region_id is not None]
    return roles.filter(area__region_id__in=regions) | roles.filter(region_id__in=regions)


@login_required
def roles_above(request: AuthenticatedRequest) -> HttpResponse:
    if not may_manage_roles_above(request.user):
        raise Http404("No such page.")
    day = clock.today()
    roles = _visible(request.user).order_by("role", "-starts_on")
    current = [r for r in roles if r.starts_on <= day and (r.ends_on is None or r.ends_on >= day)]
    endable = {r.pk for r in current if may_appoint_above(request.user, r.role, body_of(r))}
    return render(
        request,
        "organisation/roles_above.html",
        {"current": current, "history": roles[:200], "endable": endable},
    )


@login_required
def roles_appoint(request: AuthenticatedRequest) -> HttpResponse:
    posts = _posts(request.user)
    if not posts:
        raise Http404("No such page.")
    form = AppointAboveForm(
        request.POST if request.method == "POST" else None,
        posts=[(key, label) for key, (_, _, label) in posts.items()],
        initial={"starts_on": clock.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        role, body, label = posts[data["post"]]
        try:
            assignment = appoint_role(
                actor=request.user,
                role=role,
                body=body,
                membership_number=data["membership_number"],
                last_name=data["last_name"],
                starts_on=data["starts_on"],
                basis=data["basis"],
                decided_on=data["decided_on"],
                reference=data["reference"],
            )
        except OfficerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("%(member)s is appointed %(label)s.")
                % {"member": assignment.member.full_name, "label": label},
            )
            return redirect("roles_above")
    return render(request, "organisation/roles_appoint.html", {"form": form})


@login_required
def roles_end(request: AuthenticatedRequest, assignment_id: int) -> HttpResponse:
    assignment = (
        RoleAssignment.objects.filter(pk=assignment_id, role__in=ROLES_ABOVE)
        .select_related("member", "area", "region")
        .first()
    )
    if assignment is None:
        raise Http404("No such role.")
    bases = []
    if is_holder(request.user, assignment):
        bases.append((OfficerBasis.RESIGNATION.value, "I resign"))
    if may_appoint_above(request.user, assignment.role, body_of(assignment)):
        bases += ABOVE_BASES
    if not bases:
        raise Http404("No such role.")
    form = EndAboveForm(
        request.POST if request.method == "POST" else None,
        bases=bases,
        initial={"ends_on": clock.today(), "basis": bases[0][0] if len(bases) == 1 else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            end_role_above(
                actor=request.user,
                assignment=assignment,
                ends_on=data["ends_on"],
                basis=data["basis"],
                reason=data["reason"],
                decided_on=data["decided_on"],
            )
        except OfficerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("The role of %(assignment)s ends.") % {"assignment": assignment}
            )
            return redirect("roles_above" if may_manage_roles_above(request.user) else "home")
    return render(request, "organisation/roles_end.html", {"form": form, "assignment": assignment})
