"""Pages for changing the structure (national office; regional coordinators in their region)
and the public change log (docs/organisation.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation.models import Area, Group, Region, StructureChange
from grassroots.organisation.permissions import may_change_structure
from grassroots.organisation.services import structure
from grassroots.organisation.structure_forms import (
    CloseForm,
    CreateForm,
    MoveForm,
    RenameForm,
    SplitForm,
)

LEVELS: dict[str, type[Group] | type[Area] | type[Region]] = {
    "group": Group,
    "area": Area,
    "region": Region,
}


def _regions_for(user: Any) -> list[Region]:
    return [r for r in Region.objects.order_by("name") if may_change_structure(user, r)]


@login_required
def structure_home(request: AuthenticatedRequest) -> HttpResponse:
    """The regions, areas and groups the person may change, with links to change each."""
    regions = _regions_for(request.user)
    if not regions and not may_change_structure(request.user, None):
        raise Http404("No such page.")
    areas = Area.objects.filter(region__in=regions).order_by("name")
    groups = Group.objects.filter(area__in=areas).order_by("name")
    return render(
        request,
        "organisation/structure_home.html",
        {
            "regions": regions,
            "areas": list(areas),
            "groups": list(groups),
            "may_change_regions": may_change_structure(request.user, None),
        },
    )


def _parents(user: Any, level: str) -> list[tuple[str, str]]:
    regions = [r for r in _regions_for(user) if r.closed_on is None]
    if level == "area":
        return [(r.slug, r.name) for r in regions]
    areas = Area.objects.filter(region__in=regions, closed_on__isnull=True).select_related("region")
    return [(a.slug, f"{a.name} ({a.region.name})") for a in areas.order_by("region__name", "name")]


@login_required
def structure_create(request: AuthenticatedRequest, level: str) -> HttpResponse:
    if level not in LEVELS or not (_regions_for(request.user) or level == "region"):
        raise Http404("No such page.")
    if level == "region" and not may_change_structure(request.user, None):
        raise Http404("No such page.")
    form = CreateForm(
        request.POST if request.method == "POST" else None,
        level=level,
        parents=_parents(request.user, level),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        body: Any
        try:
            if level == "region":
                body = structure.create_region(
                    actor=request.user, name=data["name"], reason=data["reason"]
                )
            elif level == "area":
                body = structure.create_area(
                    actor=request.user,
                    region=Region.objects.get(slug=data["parent"]),
                    name=data["name"],
                    reason=data["reason"],
                )
            else:
                body = structure.create_group(
                    actor=request.user,
                    area=Area.objects.get(slug=data["parent"]),
                    name=data["name"],
                    postcode_districts=data.get("postcode_districts", ""),
                    reason=data["reason"],
                )
        except structure.StructureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("%(body)s is created; the change is in the log.") % {"body": body.name},
            )
            return redirect("structure_body", level=level, slug=body.slug)
    return render(request, "organisation/structure_create.html", {"form": form, "level": level})


def _body_for(user: Any, level: str, slug: str) -> Any:
    model = LEVELS.get(level)
    body: Any = model.objects.filter(slug=slug).first() if model is not None else None
    if body is None:
        raise Http404("No such body.")
    region = None if isinstance(body, Region) else structure.region_of(body)
    if not may_change_structure(user, region):
        raise Http404("No such body.")
    return body


def _forms(user: Any, body: Any, data: Any, action: str | None) -> dict[str, Any]:
    def bound(name: str) -> Any:
        return data if action == name else None

    regions = [r for r in _regions_for(user) if r.closed_on is None]
    forms: dict[str, Any] = {"rename": RenameForm(bound("rename"), prefix="rename")}
    if isinstance(body, Group):
        areas = Area.objects.filter(region__in=regions, closed_on__isnull=True).exclude(
            pk=body.area_id
        )
        forms["move"] = MoveForm(
            bound("move"),
            prefix="move",
            choices=[(a.slug, a.name) for a in areas.order_by("name")],
            label=gettext("Move to the area"),
        )
        others = Group.objects.filter(area__region__in=regions, closed_on__isnull=True).exclude(
            pk=body.pk
        )
        forms["merge"] = MoveForm(
            bound("merge"),
            prefix="merge",
            choices=[(g.slug, g.name) for g in others.order_by("name")],
            label=gettext("Merge into the group"),
        )
        forms["split"] = SplitForm(bound("split"), prefix="split")
    elif isinstance(body, Area):
        forms["move"] = MoveForm(
            bound("move"),
            prefix="move",
            choices=[(r.slug, r.name) for r in regions if r.pk != body.region_id],
            label=gettext("Move to the region"),
        )
    forms["close"] = CloseForm(bound("close"), prefix="close")
    return forms


def _apply(user: Any, body: Any, action: str, data: dict[str, Any]) -> tuple[Any, str]:
    if action == "rename":
        structure.rename(actor=user, body=body, name=data["name"], reason=data["reason"])
        return body, gettext("%(body)s is renamed.") % {"body": body.name}
    if action == "move" and isinstance(body, Group):
        area = Area.objects.get(slug=data["to"])
        structure.move_group(actor=user, group=body, to_area=area, reason=data["reason"])
        return body, gettext("%(body)s is now in %(area)s.") % {
            "body": body.name,
            "area": area.name,
        }
    if action == "move" and isinstance(body, Area):
        region = Region.objects.get(slug=data["to"])
        structure.move_area(actor=user, area=body, to_region=region, reason=data["reason"])
        return body, gettext("%(body)s is now in %(region)s.") % {
            "body": body.name,
            "region": region.name,
        }
    if action == "merge":
        into = Group.objects.get(slug=data["to"])
        structure.merge_groups(actor=user, source=body, into=into, reason=data["reason"])
        return into, gettext("%(body)s is merged into %(into)s.") % {
            "body": body.name,
            "into": into.name,
        }
    if action == "split":
        new = structure.split_group(
            actor=user,
            group=body,
            new_name=data["new_name"],
            postcode_districts=data["postcode_districts"],
            reason=data["reason"],
        )
        return new, gettext("%(new)s is split from %(body)s.") % {
            "new": new.name,
            "body": body.name,
        }
    structure.close_body(actor=user, body=body, reason=data["reason"])
    return body, gettext("%(body)s is closed; its history stays.") % {"body": body.name}


@login_required
def structure_body(request: AuthenticatedRequest, level: str, slug: str) -> HttpResponse:
    """One group, area or region: rename, move, merge, split or close it."""
    body = _body_for(request.user, level, slug)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _forms(request.user, body, request.POST, action)
    if action is not None and body.closed_on is None:
        form = forms.get(action)
        if form is not None and form.is_valid():
            try:
                result, message = _apply(request.user, body, action, form.cleaned_data)
            except structure.StructureError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, message)
                return redirect(
                    "structure_body", level=structure.level_of(result), slug=result.slug
                )
    return render(
        request,
        "organisation/structure_body.html",
        {
            "body": body,
            "level": level,
            "forms": forms,
            "changes": StructureChange.objects.filter(
                Q(**{level: body})
                | Q(**{f"other_{level}": body} if level != "region" else {level: body})
            )[:20],
        },
    )


def structure_changes(request: HttpRequest) -> HttpResponse:
    """Every change to the structure, newest first, with its reason (public)."""
    changes = StructureChange.objects.select_related("group", "area", "region", "other_group")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organisation/structure_changes.html",
        {"page": page, "structure_url": reverse("structure_home")},
    )
