"""The pages that take a reason (cancel a meeting, rule an amendment out of order, report or
hide a comment): the form, a missing reason or a wrong moment shown with the reason why (400)
and nothing stored, and on success the change, a message and the way back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.meetings.models import AmendmentStatus, CommentReport, CommentStatus, MeetingStatus
from tests.meetings.builders import amendment_to, comment_on, motion_in
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _client(member, *, officer: bool = False) -> Client:
    if officer:
        give_authenticator_app(member.user)
    client = Client()
    client.force_login(member.user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_secretary_cancels_a_meeting_with_a_reason(branch):
    client = _client(branch.secretary, officer=True)
    url = reverse("meetings:cancel", args=[branch.meeting.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Cancel this meeting" in page.content

    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400 and b"This field is required" in missing.content
    branch.meeting.refresh_from_db()
    assert branch.meeting.status == MeetingStatus.SCHEDULED

    done = client.post(url, {"reason": "The hall flooded"})
    assert done.status_code == 302
    assert done["Location"] == reverse("meetings:detail", args=[branch.meeting.pk])
    assert _messages(done) == ["The meeting is cancelled."]
    branch.meeting.refresh_from_db()
    assert branch.meeting.status == MeetingStatus.CANCELLED

    again = client.post(url, {"reason": "Twice"})
    assert again.status_code == 400
    assert b"Only a scheduled meeting can be cancelled." in again.content


def test_secretary_rules_an_amendment_out_of_order_with_a_reason(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    amendment = amendment_to(motion, branch.amender)
    client = _client(branch.secretary, officer=True)
    url = reverse("meetings:amendment_rule", args=[branch.meeting.pk, motion.pk, amendment.pk])
    assert b"Rule amendment 1 out of order" in client.get(url).content

    done = client.post(url, {"reason": "It wrecks the motion"})
    assert done.status_code == 302
    assert done["Location"] == reverse(
        "meetings:motion_detail", args=[branch.meeting.pk, motion.pk]
    )
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.OUT_OF_ORDER
    assert amendment.ruling_reason == "It wrecks the motion"

    again = client.post(url, {"reason": "Again"})
    assert again.status_code == 400
    assert b"Only a proposed amendment can be ruled out of order." in again.content


def test_member_reports_a_comment_once(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    comment = comment_on(motion, branch.commenter, "Sam never <b>listens</b>")
    client = _client(branch.amender)
    url = reverse("meetings:comment_report", args=[branch.meeting.pk, motion.pk, comment.pk])
    page = client.get(url)
    assert b"Report this comment to the moderators" in page.content
    assert b"Sam never &lt;b&gt;listens&lt;/b&gt;" in page.content

    done = client.post(url, {"reason": "Personal remarks"})
    assert done.status_code == 302
    assert done["Location"].endswith(f"/motions/{motion.pk}/#comment-{comment.pk}")
    assert _messages(done) == ["Thank you: the moderators will look at it."]

    again = client.post(url, {"reason": "Still"})
    assert again.status_code == 400 and b"already reported" in again.content
    assert CommentReport.objects.filter(comment=comment).count() == 1


def test_moderator_hides_a_comment_with_a_reason_members_see(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    comment = comment_on(motion, branch.commenter, "Something unkind")
    client = _client(branch.secretary, officer=True)
    url = reverse("meetings:comment_hide", args=[branch.meeting.pk, motion.pk, comment.pk])
    page = client.get(url)
    assert b"Hide this comment" in page.content and b"kept in the audit log" in page.content

    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE

    done = client.post(url, {"reason": "Personal attack"})
    assert done.status_code == 302
    assert done["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert comment.moderation_reason == "Personal attack"
