"""The meeting pages: bad input shows a clear error (400) and stores nothing; calendar files;
what the debate shows of a hidden comment."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from grassroots.meetings.models import Amendment, Comment, Meeting, MeetingKind, Motion, Rsvp
from grassroots.meetings.services.debate import edit_comment, hide_comment, report_comment
from grassroots.meetings.views.meetings import FEED_SALT
from tests.meetings.builders import amendment_to, comment_on, group_meeting, motion_in
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _client(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_motion_after_the_deadline_shows_why_and_stores_nothing(branch, clock_):
    clock_.advance(days=8)
    url = reverse("meetings:motion_submit", args=[branch.meeting.pk])
    response = _client(branch.mover).post(
        url,
        {"title": "Late", "text": "Too late.", "seconder": branch.seconder.membership_number},
    )
    assert response.status_code == 400
    assert b"The deadline for motions has passed" in response.content
    assert not Motion.objects.exists()


def test_amendment_to_a_closed_motion_shows_why_and_stores_nothing(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    motion.status = "withdrawn"
    motion.save()
    url = reverse("meetings:amendment_propose", args=[branch.meeting.pk, motion.pk])
    response = _client(branch.amender).post(url, {"kind": "delete", "paragraph": "1"})
    assert response.status_code == 400
    assert b"This motion is closed (withdrawn)" in response.content
    assert not Amendment.objects.exists()


def test_rsvp_over_capacity_shows_why(branch):
    stall = group_meeting(branch.group, branch.secretary, kind=MeetingKind.STALL, capacity=1)
    url = reverse("meetings:rsvp", args=[stall.pk])
    assert _client(branch.mover).post(url, {"response": "going"}).status_code == 302
    response = _client(branch.seconder).post(url, {"response": "going"})
    assert response.status_code == 400
    assert b"it is full" in response.content and b"Nothing was changed" in response.content
    assert Rsvp.objects.count() == 1


def test_comment_on_a_closed_debate_shows_why(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    motion.status = "carried"
    motion.save()
    url = reverse("meetings:comment_post", args=[branch.meeting.pk, motion.pk])
    response = _client(branch.commenter).post(url, {"body": "Late thought"})
    assert response.status_code == 400
    assert b"The debate on this motion is closed" in response.content
    assert not Comment.objects.exists()


def test_posting_a_reply_threads_it(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    parent = comment_on(motion, branch.mover, "First point")
    url = reverse("meetings:comment_post", args=[branch.meeting.pk, motion.pk])
    response = _client(branch.commenter).post(url, {"body": "A reply", "parent": parent.pk})
    assert response.status_code == 302
    assert Comment.objects.get(body="A reply").parent == parent


def test_hidden_comment_shows_the_reason_not_the_words(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    comment = comment_on(motion, branch.commenter, "Something unkind about Sam")
    hide_comment(actor=branch.secretary.user, comment=comment, reason="Personal attack")
    page = _client(branch.mover).get(
        reverse("meetings:motion_detail", args=[branch.meeting.pk, motion.pk])
    )
    assert b"Hidden by a moderator: Personal attack" in page.content
    assert b"Something unkind" not in page.content


def test_amendment_diff_is_shown_on_the_motion_page(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    amendment_to(motion, branch.amender)
    page = _client(branch.commenter).get(
        reverse("meetings:motion_detail", args=[branch.meeting.pk, motion.pk])
    )
    assert b"<ins>campaign with the trades council.</ins>" in page.content
    assert b"<del>campaign.</del>" in page.content


def test_ics_download_and_personal_feed(branch):
    response = _client(branch.mover).get(reverse("meetings:ics", args=[branch.meeting.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert f"UID:{branch.meeting.uid}@grassroots\r\n" in body
    assert "LOCATION:Trades Hall\\, 1 High Street" in body

    mine = signing.dumps(branch.mover.pk, salt=FEED_SALT)
    theirs = signing.dumps(branch.outsider.pk, salt=FEED_SALT)
    anonymous = Client()
    assert (
        str(branch.meeting.uid)
        in anonymous.get(reverse("meetings:feed", args=[mine])).content.decode()
    )
    assert (
        str(branch.meeting.uid)
        not in anonymous.get(reverse("meetings:feed", args=[theirs])).content.decode()
    )


def test_secretary_schedules_through_the_form_with_field_errors(branch):
    give_authenticator_app(branch.secretary.user)
    client = _client(branch.secretary)
    url = reverse("meetings:create")
    bad = client.post(url, {"scope": f"group:{branch.group.pk}", "kind": "meeting"})
    assert bad.status_code == 400 and b"There is a problem" in bad.content
    good = client.post(
        url,
        {
            "scope": f"group:{branch.group.pk}",
            "kind": "meeting",
            "title": "December meeting",
            "format": "online",
            "starts_at": "2099-12-03T19:00",
            "ends_at": "2099-12-03T21:00",
            "online_link": "https://meet.example.org/dec",
            "motions_deadline": "2099-11-26T19:00",
        },
    )
    assert good.status_code == 302


def test_comment_and_names_are_escaped_in_the_thread(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    branch.commenter.first_name = "<b>Kit</b>"
    branch.commenter.save()
    comment_on(motion, branch.commenter, '<script>alert("x")</script>\n\nSecond line & more')
    hidden = comment_on(motion, branch.mover, "x")
    hide_comment(actor=branch.secretary.user, comment=hidden, reason="<i>rude</i>")
    html = (
        _client(branch.amender)
        .get(reverse("meetings:motion_detail", args=[branch.meeting.pk, motion.pk]))
        .content.decode()
    )
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert "&lt;b&gt;Kit&lt;/b&gt;" in html and "<p>Second line &amp; more</p>" in html
    assert "&lt;i&gt;rude&lt;/i&gt;" in html


def _debate(motion, branch, comments: int) -> None:
    """A debate like the benchmark's: replies, edits, a hidden comment and open reports."""
    made: list[Comment] = []
    speakers = [branch.commenter, branch.amender, branch.mover, branch.seconder]
    for n in range(comments):
        parent = made[n // 2] if made and n % 3 == 2 else None
        made.append(comment_on(motion, speakers[n % len(speakers)], f"Point {n}", parent=parent))
    edit_comment(actor=branch.commenter.user, comment=made[0], body="Point 0, edited")
    report_comment(actor=branch.amender.user, comment=made[0], reason="Off topic")
    hide_comment(actor=branch.secretary.user, comment=made[1], reason="Personal remarks")


# 11 and 12 since the session and its user are read in one query (grassroots.accounts.sessions);
# 12 and 13 until the header's unread-notifications count (one indexed count) came; 13 and 14
# until the meetings a member sees stopped asking for the area and region of a home group read
# with the member (issue 17, grassroots.meetings.queries._bodies_of).
@pytest.mark.parametrize(("reader", "expected"), [("commenter", 11), ("secretary", 12)])
def test_motion_page_queries_do_not_grow_with_the_debate(
    branch, django_assert_num_queries, reader, expected
):
    """The whole thread is one query, whoever reads it (the moderator's adds the open reports
    to that query); each further query is a round trip on every request."""
    give_authenticator_app(branch.secretary.user)
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    amendment_to(motion, branch.amender)
    url = reverse("meetings:motion_detail", args=[branch.meeting.pk, motion.pk])
    client = _client(getattr(branch, reader))
    _debate(motion, branch, 3)
    client.get(url)
    with django_assert_num_queries(expected):
        small = client.get(url)
    _debate(motion, branch, 60)
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert small.content.count(b'class="comment ') == 3
    assert large.content.count(b'class="comment ') == 63
    assert (b"1 open report" in large.content) == (reader == "secretary")


HUGE = "99999999999999999999"  # issue 20, item 9: an OverflowError (500) on SQLite before


def test_a_huge_capacity_is_a_field_error_not_a_500(branch):
    give_authenticator_app(branch.secretary.user)
    response = _client(branch.secretary).post(
        reverse("meetings:create"),
        {
            "scope": f"group:{branch.group.pk}",
            "kind": "stall",
            "title": "Saturday stall",
            "format": "in_person",
            "starts_at": "2099-12-05T10:00",
            "ends_at": "2099-12-05T12:00",
            "address": "Briggate, Leeds",
            "capacity": HUGE,
        },
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100000" in response.content.decode()
    assert not Meeting.objects.filter(title="Saturday stall").exists()


def test_huge_vote_counts_on_an_amendment_outcome_are_field_errors_not_a_500(branch, clock_):
    give_authenticator_app(branch.chair.user)
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    amendment = amendment_to(motion, branch.amender)
    clock_.advance(days=14, minutes=1)
    url = reverse("meetings:amendment_outcome", args=[branch.meeting.pk, motion.pk, amendment.pk])
    response = _client(branch.chair).post(
        url,
        {"result": "carried", "votes_for": HUGE, "votes_against": "3", "votes_abstain": HUGE},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Ensure this value is less than or equal to 1000000") == 4  # summary, field
    amendment.refresh_from_db()
    assert amendment.status == "proposed"
