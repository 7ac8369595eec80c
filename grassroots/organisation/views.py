from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from grassroots.ballots.queries import ballots_reaching_group
from grassroots.organisation import queries
from grassroots.organisation.models import Group
from grassroots.organisation.permissions import Capability, may


def group_list(request: HttpRequest) -> HttpResponse:
    groups = Group.objects.select_related("area__region").order_by(
        "area__region__name", "area__name", "name"
    )
    return render(request, "organisation/group_list.html", {"groups": groups})


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = queries.get_group(slug)
    return render(
        request,
        "organisation/group_detail.html",
        {
            "group": group,
            "officers": queries.current_officers(group),
            "ballots": ballots_reaching_group(group),
            "can_view_members": may(request.user, Capability.VIEW_MEMBERS, group),
        },
    )


@login_required
def national_overview(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Capability.VIEW_NATIONAL_OVERVIEW):
        raise Http404("Not found.")
    regions = queries.national_overview()
    return render(
        request,
        "organisation/national_overview.html",
        {"regions": regions, "total": sum(r.members for r in regions)},
    )
