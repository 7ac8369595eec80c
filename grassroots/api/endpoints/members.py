"""Officers' member lists, within the scope the pages give them: the same permission authority
(grassroots.organisation.permissions), the same scoped and audited queries
(grassroots.people.queries), and an audit row per page read, with its purpose."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Router
from ninja.params.functions import Path, Query

from grassroots.api.auth import MEMBER_AUTH, caller
from grassroots.api.errors import error_responses
from grassroots.api.schemas import (
    MAX_ID,
    MEMBERSHIP_NUMBER_PATTERN,
    TEXT_PATTERN,
    ContactPage,
    ContactRow,
    MemberPage,
    MemberRecord,
    MemberRow,
    PageInfo,
)
from grassroots.organisation.permissions import Capability, scopes_for
from grassroots.people import queries
from grassroots.people.models import Member, MembershipStatus

router = Router(tags=["members"], auth=MEMBER_AUTH)

PAGE_SIZE = 50
CONTACT_PAGE_SIZE = 100
MAX_PAGE = 100_000
# Audit purposes: the pages' own, said to come through the API.
LIST_PURPOSE = "{} (API)"
RECORD_PURPOSE = "member record (API)"
CONTACT_PURPOSE = "contacting members who agreed to be contacted (API)"


def _row(member: Member) -> dict[str, Any]:
    return {
        "membership_number": member.membership_number,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "status": member.status,
        "home_group": member.home_group.name,
        "postcode": member.postcode,
        "joined_on": member.joined_on,
        "renewal_due_on": member.renewal_due_on,
    }


@router.get(
    "/members",
    response={200: MemberPage, **error_responses(401, 403, 404, 422)},
    url_name="members",
    summary="The member list within your scope (VIEW_MEMBERS), as on the member list page",
    description="Every page read is audited with its purpose. 404 if you have no member list.",
)
def list_members(
    request: HttpRequest,
    q: str = Query("", max_length=100, pattern=TEXT_PATTERN, description="Name, number or email"),
    status: MembershipStatus | None = None,
    group: int | None = Query(None, ge=1, le=MAX_ID, description="A home group's id"),
    show: queries.FollowUp = Query(
        queries.FollowUp.ALL, description="'new' joiners or 'lapsed'; empty for everyone"
    ),
    days: int = Query(queries.NEW_JOINER_DAYS, ge=1, le=3650),
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> Any:
    actor = caller(request)
    scopes = scopes_for(actor, Capability.VIEW_MEMBERS)
    if scopes.is_empty:
        raise Http404(gettext("No member list for you."))
    if group is not None and not scopes.covers_group(group):
        raise Http404(gettext("No such group in your scope."))
    filters = queries.MemberFilters(
        text=q, status=status or "", group_id=group, follow_up=show, days=days
    )
    members = queries.search_members(actor, filters)
    paginator = queries.CappedPaginator(members, PAGE_SIZE, allow_empty_first_page=True)
    try:
        found = paginator.page(page)
    except EmptyPage as error:
        raise Http404(gettext("No such page.")) from error
    rows = [MemberRow(**_row(m)) for m in found.object_list]
    queries.record_member_list_view(
        actor,
        filters,
        len(rows),
        purpose=LIST_PURPOSE.format(queries.FOLLOW_UP_PURPOSES[queries.FollowUp(show)]),
    )
    return MemberPage(
        page=PageInfo(
            page=page,
            pages=paginator.num_pages,
            count=min(paginator.count, paginator.cap),
            capped=paginator.is_capped,
        ),
        results=rows,
    )


@router.get(
    "/members/contacts",
    response={200: ContactPage, **error_responses(401, 403, 404, 422)},
    url_name="member_contacts",
    summary="A Secretary's list of consenting members: name, email and phone only",
    description="CONTACT_MEMBERS, as on the contact list page; every page read is audited.",
)
def list_contacts(request: HttpRequest, page: int = Query(1, ge=1, le=MAX_PAGE)) -> Any:
    actor = caller(request)
    if scopes_for(actor, Capability.CONTACT_MEMBERS).is_empty:
        raise Http404(gettext("No contact list for you."))
    groups = queries.contact_scope_names(actor)
    paginator = Paginator(
        queries.members_contactable_by(actor), CONTACT_PAGE_SIZE, allow_empty_first_page=True
    )
    try:
        found = paginator.page(page)
    except EmptyPage as error:
        raise Http404(gettext("No such page.")) from error
    rows = [ContactRow(**row) for row in found.object_list]
    queries.record_contact_list_view(actor, groups, len(rows), page, purpose=CONTACT_PURPOSE)
    return ContactPage(
        page=PageInfo(page=page, pages=paginator.num_pages, count=paginator.count, capped=False),
        groups=groups,
        results=rows,
    )


@router.get(
    "/members/{number}",
    response={200: MemberRecord, **error_responses(401, 403, 404, 422)},
    url_name="member",
    summary="One member's record, if it is within your scope (404 alike if not, or missing)",
    description="Audited with its purpose, as the record page is.",
)
def get_member(
    request: HttpRequest,
    number: str = Path(..., pattern=MEMBERSHIP_NUMBER_PATTERN),
) -> Any:
    member = queries.get_member_for(caller(request), number, purpose=RECORD_PURPOSE)
    return MemberRecord(
        **_row(member),
        email=member.email,
        phone=member.phone,
        consent_to_contact=member.consent_to_contact,
        other_groups=list(member.other_groups.values_list("name", flat=True)),
        is_erased=member.is_erased,
    )
