from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from grassroots.accounts.models import User
from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation.models import Group
from grassroots.organisation.permissions import (
    NATION,
    Capability,
    current_assignments,
    may,
    scopes_for,
)
from grassroots.people import erasure, languages, queries, services, subject_access
from grassroots.people.attention import attention_for, public_panels, role_pages_for
from grassroots.people.forms import (
    ContactOutcomeForm,
    ErasureForm,
    MemberImportForm,
    MemberSearchForm,
    ProfileForm,
    TransferForm,
)
from grassroots.people.importing import (
    DATE_FORMATS_NAMED,
    DATETIME_FORMATS_NAMED,
    Layout,
    parse_members,
)
from grassroots.people.models import Member

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """The member's dashboard; for a visitor, the movement's public front page."""
    if not request.user.is_authenticated:
        return render(
            request,
            "people/welcome.html",
            {"panels": public_panels()},
        )
    member = queries.own_member(request.user)
    groups = [] if member is None else queries.own_groups(member)
    return render(
        request,
        "people/home.html",
        {
            "member": member,
            "groups": groups,
            "roles": current_assignments(request.user),
            "attention": attention_for(request.user, member),
            "role_pages": role_pages_for(request.user),
        },
    )


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    member = queries.own_member(request.user)
    if member is None:
        raise Http404("You have no member record.")
    return render(request, "people/profile.html", {"member": member})


@login_required
def profile_edit(request: AuthenticatedRequest) -> HttpResponse:
    member = queries.own_member(request.user)
    if member is None:
        raise Http404("You have no member record.")
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            member = services.update_own_profile(actor=request.user, **form.cleaned_data)
            languages.remember(request.session, member.language)
            if member.language:
                translation.activate(member.language)
            messages.success(request, _("Your profile has been saved."))
            return redirect("profile")
    else:
        form = ProfileForm(
            initial={
                "first_name": member.first_name,
                "last_name": member.last_name,
                "phone": member.phone,
                "postcode": member.postcode,
                "consent_to_contact": member.consent_to_contact,
                "language": member.language or translation.get_language(),
            }
        )
    return render(request, "people/profile_edit.html", {"member": member, "form": form})


def set_language(request: HttpRequest) -> HttpResponseBase:
    """The footer's language buttons (Django's ``set_language``: the cookie, then back to the
    page); for a logged-in member the choice is also their stored language, for every page
    and their mail."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        chosen = languages.supported(request.POST.get("language", ""))
        if chosen:
            user = request.user
            assert isinstance(user, User)
            if languages.set_own_language(actor=user, language=chosen) is not None:
                languages.remember(request.session, chosen)
    return response


@login_required
def member_list(request: AuthenticatedRequest) -> HttpResponse:
    scopes = scopes_for(request.user, Capability.VIEW_MEMBERS)
    if scopes.is_empty:
        raise Http404("No member list for you.")
    groups = Group.objects.order_by("name")
    if not scopes.everywhere:
        groups = groups.filter(pk__in=scopes.group_ids)
    form = MemberSearchForm(
        request.GET or None, group_choices=list(groups.values_list("id", "name"))
    )
    filters = queries.MemberFilters()
    if form.is_bound and form.is_valid():
        filters = queries.MemberFilters(
            text=form.cleaned_data["q"],
            status=form.cleaned_data["status"],
            group_id=form.cleaned_data["group"],
            follow_up=form.cleaned_data["show"],
            days=form.cleaned_data["days"] or queries.NEW_JOINER_DAYS,
        )
    members = queries.search_members(request.user, filters)
    page = queries.CappedPaginator(members, PAGE_SIZE, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    queries.record_member_list_view(request.user, filters, len(page.object_list))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    template = "people/member_list.html"
    if request.headers.get("HX-Request") == "true":
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query_without_page.urlencode(),
            "follow_up": filters.follow_up,
            "days": filters.days,
        },
    )


CONTACT_PAGE_SIZE = 100


@login_required
def member_contact_list(request: AuthenticatedRequest) -> HttpResponse:
    """A Secretary's list of the group's members who agreed to be contacted: name, email and
    phone only. Every page viewed is audited."""
    if scopes_for(request.user, Capability.CONTACT_MEMBERS).is_empty:
        raise Http404("No contact list for you.")
    groups = queries.contact_scope_names(request.user)
    page = Paginator(
        queries.members_contactable_by(request.user), CONTACT_PAGE_SIZE, allow_empty_first_page=True
    ).get_page(request.GET.get("page"))
    queries.record_contact_list_view(
        request.user,
        groups,
        len(page.object_list),
        page.number,
        purpose="contacting members who agreed to be contacted",
    )
    return render(request, "people/member_contact_list.html", {"page": page, "groups": groups})


OUTCOMES_SHOWN = 5


def _transfer_form(
    request: AuthenticatedRequest, member: Member, data: object = None
) -> TransferForm | None:
    destinations = services.transfer_destinations(request.user, member)
    if destinations is None or member.is_erased:
        return None
    # Groups in different places can share a name: each is shown with its area and region.
    places = destinations.select_related("area__region").order_by(
        "area__region__name", "area__name", "name"
    )
    return TransferForm(
        data,
        group_choices=[
            (g.pk, f"{g.name} ({g.area.name} area, {g.area.region.name})") for g in places
        ],
        current_group=(member.home_group_id, member.home_group.name),
    )


def _render_detail(
    request: AuthenticatedRequest,
    member: Member,
    *,
    outcome_form: ContactOutcomeForm | None = None,
    transfer_form: TransferForm | None = None,
) -> HttpResponse:
    can_record = may(request.user, Capability.EDIT_MEMBERS, member) and not (member.is_erased)
    return render(
        request,
        "people/member_detail.html",
        {
            "record": member,
            "other_groups": list(member.other_groups.all()),
            "can_erase": erasure.may_erase_members(request.user) and not member.is_erased,
            "can_manage_membership": may(request.user, Capability.MANAGE_MEMBERSHIP, member),
            "outcomes": list(member.contact_outcomes.all()[:OUTCOMES_SHOWN]),
            "outcome_form": outcome_form or (ContactOutcomeForm() if can_record else None),
            "transfer_form": transfer_form or _transfer_form(request, member),
        },
    )


@login_required
def member_detail(request: AuthenticatedRequest, number: str) -> HttpResponse:
    member = queries.get_member_for(request.user, number, purpose="member record page")
    return _render_detail(request, member)


@login_required
def member_contact_outcome(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """POST only: record what happened when contacting the member (EDIT_MEMBERS over them)."""
    member = queries.members_visible_to(request.user).filter(membership_number=number).first()
    if member is None or member.is_erased:
        raise Http404("No such member.")
    if not may(request.user, Capability.EDIT_MEMBERS, member):
        raise Http404("No such member.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ContactOutcomeForm(request.POST)
    if not form.is_valid():
        member = queries.get_member_for(request.user, number, purpose="member record page")
        return _render_detail(request, member, outcome_form=form)
    entry = services.record_contact_outcome(
        actor=request.user,
        member=member,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
    )
    messages.success(
        request, gettext("Recorded: %(outcome)s.") % {"outcome": entry.get_outcome_display()}
    )
    return redirect("member_detail", number=member.membership_number)


@login_required
def member_transfer(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """POST only: move the member to another home group (national office, a coordinator over
    both groups, or the Data Manager of the member's home group)."""
    member = (
        queries.members_visible_to(request.user)
        .select_related("home_group")
        .filter(membership_number=number)
        .first()
    )
    if member is None or member.is_erased or not services.may_transfer(request.user, member):
        raise Http404("No such member.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = _transfer_form(request, member, request.POST)
    assert form is not None
    if form.is_valid():
        to_group = Group.objects.get(pk=form.cleaned_data["to_group"])
        try:
            services.transfer_member(
                actor=request.user,
                member=member,
                to_group=to_group,
                reason=form.cleaned_data["reason"],
            )
        except services.TransferError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("%(member)s has moved to %(to_group)s.")
                % {"member": member.full_name, "to_group": to_group.name},
            )
            if queries.members_visible_to(request.user).filter(pk=member.pk).exists():
                return redirect("member_detail", number=member.membership_number)
            return redirect("member_list")
    member = queries.get_member_for(request.user, number, purpose="member record page")
    return _render_detail(request, member, transfer_form=form)


@login_required
def my_data(request: AuthenticatedRequest) -> HttpResponse:
    member = queries.own_member(request.user)
    if member is None:
        raise Http404("You have no member record.")
    return render(request, "people/my_data.html", {"report": subject_access.collect(member)})


@login_required
def my_data_export_html(request: AuthenticatedRequest) -> HttpResponse:
    member = subject_access.own_record_for_export(request.user, export_format="html")
    response = render(
        request, "people/my_data_export.html", {"report": subject_access.collect(member)}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_data_export_json(request: AuthenticatedRequest) -> HttpResponse:
    member = subject_access.own_record_for_export(request.user, export_format="json")
    body = subject_access.as_json(subject_access.collect(member))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="my-data-{member.membership_number}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def member_erase(request: AuthenticatedRequest, number: str) -> HttpResponse:
    if not erasure.may_erase_members(request.user):
        raise Http404("Not found.")
    member = queries.get_member_for(request.user, number, purpose="erasure page")
    if member.is_erased:
        raise Http404("This record is already erased.")
    form = ErasureForm(request.POST or None, membership_number=member.membership_number)
    if request.method == "POST" and form.is_valid():
        erasure.erase_member(actor=request.user, member=member, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            gettext("Member %(membership_number)s has been erased.")
            % {"membership_number": member.membership_number},
        )
        return redirect("member_detail", number=member.membership_number)
    return render(request, "people/member_erase.html", {"record": member, "form": form})


IMPORT_REPORT_LIMIT = 1_000


@login_required
def member_import(request: AuthenticatedRequest) -> HttpResponse:
    if not may(request.user, Capability.IMPORT_MEMBERS, NATION):
        raise Http404("Not found.")
    outcome = None
    if request.method == "POST":
        form = MemberImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            parsed = parse_members(
                upload.read(),
                groups=queries.import_group_directory(),
                layout=Layout(form.cleaned_data["layout"]),
            )
            outcome = services.import_members(
                actor=request.user,
                parsed=parsed,
                allow_partial=form.cleaned_data["allow_partial"],
                dry_run=form.cleaned_data["dry_run"],
                source_name=upload.name,
            )
    else:
        form = MemberImportForm()
    return render(
        request,
        "people/member_import.html",
        {
            "form": form,
            "outcome": outcome,
            "problems": outcome.problems[:IMPORT_REPORT_LIMIT] if outcome else [],
            "report_limit": IMPORT_REPORT_LIMIT,
            "date_formats": DATE_FORMATS_NAMED,
            "datetime_formats": DATETIME_FORMATS_NAMED,
        },
    )
