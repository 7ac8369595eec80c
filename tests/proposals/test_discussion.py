"""A proposal's discussion is the meetings debate thread (issue 19): members of the body post
and reply, authors edit with the history kept, members report, moderators hide and dismiss,
and proposals decides who may; the pages answer 404 alike for a missing proposal, one not
allowed and a comment from another thread; the data migration moves the old comments in."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.meetings.models import (
    Comment,
    CommentReport,
    CommentRevision,
    CommentStatus,
    DebateThread,
)
from grassroots.meetings.services import debate as motion_debate
from grassroots.organisation.models import Role, ScopeLevel
from grassroots.proposals import queries
from grassroots.proposals.models import Proposal, ProposalStatus
from grassroots.proposals.services.common import ProposalError
from grassroots.proposals.services.discussion import (
    dismiss_report,
    edit_comment,
    hide_comment,
    post_comment,
    report_comment,
)
from grassroots.proposals.services.proposing import amend_proposal, make_proposal
from tests.factories import MemberWithLoginFactory, RoleFactory
from tests.meetings.builders import comment_on, motion_in
from tests.proposals.conftest import Branch, propose


def client_for(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def detail(proposal: Proposal) -> str:
    return reverse("proposals:detail", args=[proposal.pk])


def page_of(proposal: Proposal, comment: Comment, what: str) -> str:
    return reverse(f"proposals:comment_{what}", args=[proposal.pk, comment.pk])


# --- the use cases ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_discussion_is_for_the_bodys_members_and_capped(branch: Branch):
    proposal = propose(branch)
    comment = post_comment(actor=branch.blocker.user, proposal=proposal, body="Who has the gazebo?")
    with pytest.raises(PermissionDenied):
        post_comment(actor=branch.outsider.user, proposal=proposal, body="Hello")
    with pytest.raises(ProposalError, match="too long"):
        post_comment(actor=branch.blocker.user, proposal=proposal, body="x" * 5001)
    with pytest.raises(ProposalError, match="Write the comment"):
        post_comment(actor=branch.blocker.user, proposal=proposal, body="   ")
    assert list(Comment.objects.values_list("body", flat=True)) == [comment.body]


@pytest.mark.django_db
def test_the_thread_is_made_once_and_replies_thread_under_their_comment(branch: Branch):
    proposal = propose(branch)
    assert proposal.thread_id is None and queries.discussion(proposal) == []
    question = post_comment(actor=branch.blocker.user, proposal=proposal, body="Who has it?")
    answer = post_comment(actor=branch.third.user, proposal=proposal, body="I do.", parent=question)
    later = post_comment(actor=branch.secretary.user, proposal=proposal, body="Thanks both.")
    proposal.refresh_from_db()
    thread = DebateThread.objects.get()
    assert proposal.thread_id == thread.pk
    assert thread.about == f"Proposal {proposal.pk}: Run a stall on Saturday"
    assert {question.thread_id, answer.thread_id, later.thread_id} == {thread.pk}
    assert Comment.objects.filter(motion__isnull=False).count() == 0
    shown = queries.discussion(proposal)
    assert [(t.comment.pk, t.depth) for t in shown] == [
        (question.pk, 0),
        (answer.pk, 1),
        (later.pk, 0),
    ]
    entries = AuditEntry.objects.filter(action="comment_on_proposal", subject_id=proposal.pk)
    assert entries.count() == 3 and {e.subject_type for e in entries} == {"proposal"}


@pytest.mark.django_db
def test_a_reply_stays_in_its_own_discussion(branch: Branch):
    proposal = propose(branch)
    other = propose(branch)
    elsewhere = post_comment(actor=branch.blocker.user, proposal=other, body="On the other one.")
    with pytest.raises(ProposalError, match="only reply to a comment in this discussion"):
        post_comment(actor=branch.third.user, proposal=proposal, body="Hm", parent=elsewhere)
    motion = motion_in(branch.meeting, branch.proposer, branch.third)
    on_motion = comment_on(motion, branch.blocker)
    with pytest.raises(ProposalError, match="only reply to a comment in this discussion"):
        post_comment(actor=branch.third.user, proposal=proposal, body="Hm", parent=on_motion)
    assert not Comment.objects.filter(body="Hm").exists()


@pytest.mark.django_db
def test_the_author_edits_with_the_history_kept_and_nobody_else_does(branch: Branch):
    proposal = propose(branch)
    comment = post_comment(actor=branch.blocker.user, proposal=proposal, body="Gazebo at 9.")
    edit_comment(actor=branch.blocker.user, proposal=proposal, comment=comment, body="At 10.")
    comment.refresh_from_db()
    assert comment.body == "At 10." and comment.edited_at is not None
    assert list(CommentRevision.objects.filter(comment=comment).values_list("body", flat=True)) == [
        "Gazebo at 9."
    ]
    with pytest.raises(PermissionDenied):
        edit_comment(actor=branch.third.user, proposal=proposal, comment=comment, body="Mine")
    with pytest.raises(ProposalError, match="unchanged"):
        edit_comment(actor=branch.blocker.user, proposal=proposal, comment=comment, body="At 10.")
    # Through another proposal the comment is not there to edit.
    other = propose(branch)
    with pytest.raises(PermissionDenied):
        edit_comment(actor=branch.blocker.user, proposal=other, comment=comment, body="At 11.")
    assert AuditEntry.objects.filter(action="edit_comment", subject_type="proposal").count() == 1


@pytest.mark.django_db
def test_an_amended_version_closes_its_discussion_and_the_newest_takes_it(branch: Branch):
    proposal = propose(branch)
    comment = post_comment(actor=branch.blocker.user, proposal=proposal, body="Not Saturday.")
    newer = amend_proposal(
        actor=branch.proposer.user,
        proposal=proposal,
        title="Run a stall on Sunday",
        text="Sunday instead.",
        closes_at=clock.now() + datetime.timedelta(days=2),
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUPERSEDED
    with pytest.raises(ProposalError, match="discuss the newest version"):
        post_comment(actor=branch.third.user, proposal=proposal, body="Late")
    with pytest.raises(ProposalError, match="discuss the newest version"):
        edit_comment(actor=branch.blocker.user, proposal=proposal, comment=comment, body="Ok")
    post_comment(actor=branch.blocker.user, proposal=newer, body="Sunday works.")
    newer.refresh_from_db()
    assert newer.thread_id != proposal.thread_id
    assert len(queries.discussion(newer)) == 1 and len(queries.discussion(proposal)) == 1


@pytest.mark.django_db
def test_members_report_and_the_bodys_moderators_hide_or_keep(branch: Branch):
    proposal = propose(branch)
    rude = post_comment(actor=branch.blocker.user, proposal=proposal, body="You lot are useless.")
    fine = post_comment(actor=branch.blocker.user, proposal=proposal, body="Stall at 10.")
    report_comment(actor=branch.third.user, proposal=proposal, comment=rude, reason="Rude")
    with pytest.raises(ProposalError, match="already reported"):
        report_comment(actor=branch.third.user, proposal=proposal, comment=rude, reason="Again")
    with pytest.raises(ProposalError, match="your own comment"):
        report_comment(actor=branch.blocker.user, proposal=proposal, comment=fine, reason="Me")
    with pytest.raises(PermissionDenied):
        report_comment(actor=branch.outsider.user, proposal=proposal, comment=fine, reason="?")
    kept = report_comment(actor=branch.third.user, proposal=proposal, comment=fine, reason="Dull")
    with pytest.raises(PermissionDenied):
        hide_comment(actor=branch.third.user, proposal=proposal, comment=rude, reason="No")
    hide_comment(actor=branch.secretary.user, proposal=proposal, comment=rude, reason="Abuse")
    rude.refresh_from_db()
    assert rude.status == CommentStatus.HIDDEN and rude.moderated_by_id == branch.secretary.pk
    assert CommentReport.objects.get(comment=rude).resolution == "Hidden: Abuse"
    with pytest.raises(ProposalError, match="hidden comment cannot be edited"):
        edit_comment(actor=branch.blocker.user, proposal=proposal, comment=rude, body="Sorry")
    with pytest.raises(PermissionDenied):
        dismiss_report(actor=branch.third.user, proposal=proposal, report=kept, resolution="ok")
    dismiss_report(actor=branch.chair.user, proposal=proposal, report=kept, resolution="On topic")
    kept.refresh_from_db()
    assert kept.resolved_by_id == branch.chair.pk and kept.resolution == "On topic"
    assert list(queries.open_reports(proposal)) == []
    actions = set(
        AuditEntry.objects.filter(subject_type="proposal", subject_id=proposal.pk).values_list(
            "action", flat=True
        )
    )
    assert {"report_comment", "hide_comment", "dismiss_report"} <= actions


@pytest.mark.django_db
def test_a_motions_use_cases_refuse_a_comment_in_a_proposals_thread(branch: Branch):
    proposal = propose(branch)
    comment = post_comment(actor=branch.blocker.user, proposal=proposal, body="Stall at 10.")
    with pytest.raises(PermissionDenied):
        motion_debate.edit_comment(actor=branch.blocker.user, comment=comment, body="At 11.")
    with pytest.raises(PermissionDenied):
        motion_debate.hide_comment(actor=branch.secretary.user, comment=comment, reason="x")
    with pytest.raises(PermissionDenied):
        motion_debate.report_comment(actor=branch.third.user, comment=comment, reason="x")


@pytest.mark.django_db
def test_an_area_proposal_is_discussed_by_the_areas_members(branch: Branch):
    coordinator = MemberWithLoginFactory(home_group=branch.group)
    RoleFactory(member=coordinator, role=Role.AREA_COORDINATOR, area=branch.group.area)
    proposal = make_proposal(
        actor=coordinator.user,
        level=ScopeLevel.AREA,
        scope=branch.group.area,
        title="Area stall rota",
        text="Each group takes one Saturday.",
        process="consent",
        closes_at=clock.now() + datetime.timedelta(days=2),
    )
    comment = post_comment(actor=branch.blocker.user, proposal=proposal, body="We take June.")
    hide_comment(actor=coordinator.user, proposal=proposal, comment=comment, reason="Test")
    with pytest.raises(PermissionDenied):
        hide_comment(actor=branch.third.user, proposal=proposal, comment=comment, reason="x")
    with pytest.raises(PermissionDenied):
        post_comment(actor=branch.outsider.user, proposal=proposal, body="Not my area.")


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_posts_replies_and_edits_through_the_pages(branch: Branch):
    proposal = propose(branch)
    sam = client_for(branch.blocker)
    response = sam.post(
        reverse("proposals:comment", args=[proposal.pk]), {"body": "Who has the gazebo?"}
    )
    question = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{detail(proposal)}#comment-{question.pk}"
    kit = client_for(branch.third)
    form = kit.get(f"{detail(proposal)}?reply={question.pk}").content.decode()
    assert "Replying to a comment." in form and f'name="parent" value="{question.pk}"' in form
    kit.post(
        reverse("proposals:comment", args=[proposal.pk]),
        {"body": "I have it.", "parent": str(question.pk)},
    )
    answer = Comment.objects.get(body="I have it.")
    assert answer.parent_id == question.pk
    page = kit.get(detail(proposal)).content.decode()
    assert "Discussion (2 comments)" in page
    assert f'id="comment-{answer.pk}"' in page and "depth-1" in page
    assert page_of(proposal, question, "report") in page  # Kit may report Sam's comment
    assert (
        page_of(proposal, answer, "edit") in page
        and page_of(proposal, question, "edit") not in page
    )

    edit = page_of(proposal, question, "edit")
    assert sam.get(edit).status_code == 200
    assert kit.get(edit).status_code == 404  # not the author
    refused = sam.post(edit, {"body": "Who has the gazebo?"})
    assert refused.status_code == 400 and "The comment is unchanged." in refused.content.decode()
    assert sam.post(edit, {"body": "Who has the gazebo and the table?"}).status_code == 302
    history = kit.get(page_of(proposal, question, "history")).content.decode()
    assert "Who has the gazebo?" in history and "Earlier versions" in history
    assert "edited" in kit.get(detail(proposal)).content.decode()


@pytest.mark.django_db
def test_bad_input_is_refused_clearly_and_nothing_is_posted(branch: Branch):
    proposal = propose(branch)
    other = propose(branch)
    elsewhere = post_comment(actor=branch.blocker.user, proposal=other, body="Elsewhere.")
    sam = client_for(branch.blocker)
    url = reverse("proposals:comment", args=[proposal.pk])
    empty = sam.post(url, {"body": ""})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    wrong = sam.post(url, {"body": "A reply", "parent": str(elsewhere.pk)})
    assert wrong.status_code == 400
    assert "not in this proposal&#x27;s discussion" in wrong.content.decode()
    huge = sam.post(url, {"body": "A reply", "parent": "99999999999999999999"})
    assert huge.status_code == 400
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_the_pages_answer_404_alike_for_missing_forbidden_and_elsewhere(branch: Branch):
    proposal = propose(branch)
    other = propose(branch)
    mine = post_comment(actor=branch.blocker.user, proposal=proposal, body="Mine.")
    elsewhere = post_comment(actor=branch.blocker.user, proposal=other, body="Elsewhere.")
    motion = motion_in(branch.meeting, branch.proposer, branch.third)
    on_motion = comment_on(motion, branch.blocker)
    sam = client_for(branch.blocker)
    for what in ("edit", "history", "report"):
        assert sam.get(page_of(proposal, mine, what)).status_code in (200,)
        assert sam.get(page_of(proposal, elsewhere, what)).status_code == 404
        assert sam.get(page_of(proposal, on_motion, what)).status_code == 404
        missing = reverse(f"proposals:comment_{what}", args=[proposal.pk, 999_999])
        assert sam.get(missing).status_code == 404
        nowhere = reverse(f"proposals:comment_{what}", args=[999_999, mine.pk])
        assert sam.get(nowhere).status_code == 404
    outsider = client_for(branch.outsider)
    for what in ("edit", "history", "report", "hide"):
        assert outsider.get(page_of(proposal, mine, what)).status_code == 404
    assert (
        outsider.post(
            reverse("proposals:comment", args=[proposal.pk]), {"body": "Hello"}
        ).status_code
        == 404
    )
    assert sam.get(page_of(proposal, mine, "hide")).status_code == 404  # not a moderator
    assert sam.get(reverse("proposals:reports", args=[proposal.pk])).status_code == 404
    assert Comment.objects.filter(body="Hello").count() == 0


@pytest.mark.django_db
def test_a_moderator_sees_the_reports_hides_one_and_keeps_another(branch: Branch):
    proposal = propose(branch)
    rude = post_comment(actor=branch.blocker.user, proposal=proposal, body="You are useless.")
    fine = post_comment(actor=branch.blocker.user, proposal=proposal, body="Stall at 10.")
    kit = client_for(branch.third)
    for comment, reason in ((rude, "Rude"), (fine, "Dull")):
        response = kit.post(page_of(proposal, comment, "report"), {"reason": reason})
        assert response.status_code == 302
    seren = client_for(branch.secretary)
    page = seren.get(detail(proposal)).content.decode()
    assert "2 reported comments to look at" in page and "2 open reports" not in page
    reports = seren.get(reverse("proposals:reports", args=[proposal.pk])).content.decode()
    assert "Rude" in reports and "Dull" in reports
    assert seren.post(page_of(proposal, rude, "hide"), {"reason": "Abuse"}).status_code == 302
    kept = CommentReport.objects.get(comment=fine)
    dismiss = reverse("proposals:report_dismiss", args=[proposal.pk, kept.pk])
    assert seren.post(dismiss, {"reason": "On topic"}).status_code == 302
    member_page = kit.get(detail(proposal)).content.decode()
    assert "Hidden by a moderator: Abuse" in member_page and "You are useless." not in member_page
    history = kit.get(page_of(proposal, rude, "history")).content.decode()
    assert "You are useless." not in history
    assert not CommentReport.objects.filter(resolved_at__isnull=True).exists()


# --- personal data ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_proposal_comment_is_in_the_export_and_erasure_removes_its_words(branch: Branch):
    """The discussion's comments are meetings.comment rows: the member's subject-access export
    has them (naming the proposal they discuss), and erasure takes their words and edit history
    while the thread, and the replies to them, stay."""
    import json

    from grassroots.meetings.personal_data import REMOVED_COMMENT
    from grassroots.people.erasure import erase_member

    proposal = propose(branch)
    mine = post_comment(
        actor=branch.blocker.user, proposal=proposal, body="My landlord at 4 Elm Road objects."
    )
    edit_comment(
        actor=branch.blocker.user, proposal=proposal, comment=mine, body="My landlord objects."
    )
    reply = post_comment(actor=branch.third.user, proposal=proposal, body="Noted.", parent=mine)
    data = json.loads(client_for(branch.blocker).get(reverse("my_data_export_json")).content)
    comments = [
        row
        for section in data["other_records"]
        if section["table"] == "meetings.comment"
        for row in section["rows"]
    ]
    assert [(r["body"], r["thread"], r["author"]) for r in comments] == [
        ("My landlord objects.", f"Proposal {proposal.pk}: Run a stall on Saturday", "you")
    ]

    national = MemberWithLoginFactory(home_group=branch.group)
    RoleFactory(member=national, role=Role.NATIONAL_OFFICE)
    erase_member(actor=national.user, member=branch.blocker, reason="request")
    mine.refresh_from_db()
    assert mine.body == REMOVED_COMMENT and mine.edited_at is None
    assert not CommentRevision.objects.filter(comment=mine).exists()
    assert Comment.objects.get(pk=reply.pk).parent_id == mine.pk
    proposal.refresh_from_db()
    assert [t.comment.body for t in queries.discussion(proposal)] == [REMOVED_COMMENT, "Noted."]


# --- the migration ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_old_comments_into_threads(branch: Branch):
    """Proposals 0003 moves each proposal's old comments into a debate thread of its own, in
    order, with their authors and times; a proposal without comments gets no thread."""
    discussed = propose(branch)
    quiet = propose(branch)
    before = [("proposals", "0002_proposal_thread")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldComment = old.get_model("proposals", "ProposalComment")
    start = clock.now()
    rows = [
        (branch.blocker.pk, "Who has the gazebo?"),
        (branch.third.pk, "I do.\n\nBring pegs."),
        (branch.blocker.pk, "Thanks."),
    ]
    for minutes, (author_id, body) in enumerate(rows):
        OldComment.objects.create(
            proposal_id=discussed.pk,
            author_id=author_id,
            body=body,
            created_at=start + datetime.timedelta(minutes=minutes),
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    discussed.refresh_from_db()
    quiet.refresh_from_db()
    assert quiet.thread_id is None
    thread = DebateThread.objects.get()
    assert discussed.thread_id == thread.pk
    assert thread.about == f"Proposal {discussed.pk}: Run a stall on Saturday"
    moved = list(Comment.objects.filter(thread=thread).order_by("created_at", "id"))
    assert [(c.author_id, c.body) for c in moved] == rows
    assert [c.created_at for c in moved] == [
        start + datetime.timedelta(minutes=i) for i in range(3)
    ]
    assert {c.status for c in moved} == {CommentStatus.VISIBLE}
    assert all(c.motion_id is None and c.parent_id is None for c in moved)
    assert "proposals_proposalcomment" not in connection.introspection.table_names()
    # The moved thread is the live one: a member replies to a moved comment.
    reply = post_comment(
        actor=branch.proposer.user, proposal=discussed, body="Noted.", parent=moved[1]
    )
    assert [t.depth for t in queries.discussion(discussed)] == [0, 0, 1, 0]
    assert reply.thread_id == thread.pk
