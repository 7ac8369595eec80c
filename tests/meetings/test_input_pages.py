"""Sane input on the meetings pages (issue 21): a reply must be to a comment of the same
motion; a seconder is found by name among the members who may second; the officers edit,
reorder and remove agenda items until the meeting starts."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.meetings.models import AgendaItem, Comment, Motion
from tests.factories import MemberWithLoginFactory
from tests.meetings.builders import amendment_to, comment_on, group_meeting, motion_in
from tests.web.roles import give_authenticator_app


def _client(member, *, officer: bool = False) -> Client:
    if officer and not member.user.authenticator_set.exists():
        give_authenticator_app(member.user)
    client = Client()
    client.force_login(member.user)
    return client


# Replies


def test_a_reply_to_a_comment_on_another_motion_is_refused_and_nothing_is_posted(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    other = motion_in(branch.meeting, branch.seconder, branch.mover, title="Another motion")
    elsewhere = comment_on(other, branch.mover, "On the other motion")
    url = reverse("meetings:comment_post", args=[branch.meeting.pk, motion.pk])
    response = _client(branch.commenter).post(url, {"body": "My reply", "parent": elsewhere.pk})
    assert response.status_code == 400
    assert "not in this motion&#x27;s debate. Nothing was posted" in response.content.decode()
    assert "My reply" in response.content.decode()  # the text is kept in the form
    assert not Comment.objects.filter(body="My reply").exists()


def test_a_comment_on_an_amendment_to_another_motion_is_refused(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    other = motion_in(branch.meeting, branch.seconder, branch.mover, title="Another motion")
    amendment = amendment_to(other, branch.amender)
    url = reverse("meetings:comment_post", args=[branch.meeting.pk, motion.pk])
    response = _client(branch.commenter).post(url, {"body": "Hm", "amendment": amendment.pk})
    assert response.status_code == 400
    assert "That amendment is not one to this motion" in response.content.decode()
    assert not Comment.objects.filter(body="Hm").exists()


# Seconders, by name


def _submit(branch, seconder: str, **extra: str):
    url = reverse("meetings:motion_submit", args=[branch.meeting.pk])
    data = {"title": "Rent caps", "text": "This branch resolves to campaign.", "seconder": seconder}
    return _client(branch.mover).post(url, {**data, **extra})


def test_the_seconder_is_found_by_name_in_any_case(branch):
    response = _submit(branch, "  sam   REID ")
    assert response.status_code == 302
    assert Motion.objects.get(title="Rent caps").seconder == branch.seconder


def test_a_membership_number_still_names_the_seconder(branch):
    assert _submit(branch, branch.seconder.membership_number.lower()).status_code == 302
    assert Motion.objects.get(title="Rent caps").seconder == branch.seconder


def test_a_name_nobody_eligible_has_is_a_field_error(branch):
    # Bryn Penn is a member of another group: not among those who may second.
    for name in ("Bryn Penn", "Sam", "Maya Okafor"):  # another group's, half a name, oneself
        response = _submit(branch, name)
        assert response.status_code == 400
        page = response.content.decode()
        assert "who may second this motion is called" in page, name
        assert not Motion.objects.filter(title="Rent caps").exists()


def test_two_eligible_members_with_the_name_are_offered_to_choose_between(branch):
    namesake = MemberWithLoginFactory(home_group=branch.group, first_name="Sam", last_name="Reid")
    first = _submit(branch, "Sam Reid")
    assert first.status_code == 400
    page = first.content.decode()
    assert "2 members of Leeds Central are called “Sam Reid”: choose which one" in page
    assert page.count('name="seconder_choice"') == 2
    assert branch.seconder.membership_number not in page  # names and groups, not numbers
    chosen = _submit(branch, "Sam Reid", seconder_choice=str(namesake.pk))
    assert chosen.status_code == 302
    assert Motion.objects.get(title="Rent caps").seconder == namesake


# The agenda


def _agenda(branch, data: dict[str, str] | None = None, **query: str):
    url = reverse("meetings:agenda", args=[branch.meeting.pk])
    client = _client(branch.secretary, officer=True)
    if data is None:
        return client.get(url, query)
    return client.post(url, data)


def _titles(branch) -> list[str]:
    return list(branch.meeting.agenda_items.values_list("title", flat=True))


def test_officers_edit_reorder_and_remove_items_before_the_meeting(branch):
    reports, _motions = branch.meeting.agenda_items.all()
    assert _titles(branch) == ["Officers' reports", "Motions"]
    page = _agenda(branch).content.decode()
    assert 'aria-label="Move down: Officers&#x27; reports"' in page

    assert _agenda(branch, {"action": "down", "item": str(reports.pk)}).status_code == 302
    assert _titles(branch) == ["Motions", "Officers' reports"]
    assert _agenda(branch, {"action": "up", "item": str(reports.pk)}).status_code == 302
    assert _titles(branch) == ["Officers' reports", "Motions"]

    form = _agenda(branch, edit=str(reports.pk)).content.decode()
    assert 'name="edit-title"' in form and 'value="Officers&#x27; reports"' in form
    edited = _agenda(
        branch,
        {
            "action": "edit",
            "item": str(reports.pk),
            "edit-kind": "report",
            "edit-title": "Treasurer's report",
            "edit-description": "Accounts to March",
        },
    )
    assert edited.status_code == 302
    assert AgendaItem.objects.get(pk=reports.pk).description == "Accounts to March"

    assert _agenda(branch, {"action": "remove", "item": str(reports.pk)}).status_code == 302
    assert _titles(branch) == ["Motions"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"move_agenda_item", "edit_agenda_item", "remove_agenda_item"} <= actions


def test_an_edit_with_an_empty_title_is_a_field_error_and_changes_nothing(branch):
    reports = branch.meeting.agenda_items.first()
    response = _agenda(
        branch, {"action": "edit", "item": str(reports.pk), "edit-kind": "report", "edit-title": ""}
    )
    assert response.status_code == 400
    assert "<title>Error: Agenda" in response.content.decode()
    assert AgendaItem.objects.get(pk=reports.pk).title == "Officers' reports"


def test_once_the_meeting_has_started_its_items_stay(branch, clock_):
    reports = branch.meeting.agenda_items.first()
    clock_.advance(days=14, minutes=1)
    page = _agenda(branch).content.decode()
    assert 'value="remove"' not in page and 'id="agenda-fixed"' in page
    refused = _agenda(branch, {"action": "remove", "item": str(reports.pk)})
    assert refused.status_code == 400
    assert "The meeting has started: its agenda can no longer change." in refused.content.decode()
    assert _titles(branch) == ["Officers' reports", "Motions"]


def test_an_item_of_another_meeting_cannot_be_moved_from_this_page(branch):
    other = group_meeting(branch.group, branch.secretary, title="Another")
    foreign = other.agenda_items.first()
    refused = _agenda(branch, {"action": "remove", "item": str(foreign.pk)})
    assert refused.status_code == 400
    assert AgendaItem.objects.filter(pk=foreign.pk).exists()
