"""A proposal's discussion moves from its own comment table into the meetings debate thread:
each proposal with comments gets a ``DebateThread``, and each comment becomes a visible
``meetings.Comment`` in it with the same author, words and time. The old table goes in 0004.

Backwards, the thread's comments go back to the old table (their replies flattened, their edit
history and reports dropped: the old table had neither), and the threads are removed."""

from django.db import migrations

ABOUT_MAX = 200


def about(proposal) -> str:
    return f"Proposal {proposal.pk}: {proposal.title}"[:ABOUT_MAX]


def forwards(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    ProposalComment = apps.get_model("proposals", "ProposalComment")
    DebateThread = apps.get_model("meetings", "DebateThread")
    Comment = apps.get_model("meetings", "Comment")
    with_comments = ProposalComment.objects.values("proposal_id").distinct()
    for proposal in Proposal.objects.filter(pk__in=with_comments).order_by("pk").iterator():
        old = ProposalComment.objects.filter(proposal=proposal).order_by("created_at", "id")
        first = old.first()
        thread = proposal.thread
        if thread is None:
            thread = DebateThread.objects.create(about=about(proposal), created_at=first.created_at)
            proposal.thread = thread
            proposal.save(update_fields=["thread"])
        Comment.objects.bulk_create(
            [
                Comment(
                    thread=thread,
                    author_id=comment.author_id,
                    body=comment.body,
                    created_at=comment.created_at,
                    status="visible",
                )
                for comment in old.iterator()
            ],
            batch_size=1000,
        )
    ProposalComment.objects.all().delete()


def backwards(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    ProposalComment = apps.get_model("proposals", "ProposalComment")
    DebateThread = apps.get_model("meetings", "DebateThread")
    Comment = apps.get_model("meetings", "Comment")
    for proposal in Proposal.objects.filter(thread__isnull=False).order_by("pk").iterator():
        comments = Comment.objects.filter(thread_id=proposal.thread_id).order_by("created_at", "id")
        ProposalComment.objects.bulk_create(
            [
                ProposalComment(
                    proposal=proposal,
                    author_id=c.author_id,
                    body=c.body if c.status == "visible" else "(Hidden by a moderator.)",
                    created_at=c.created_at,
                )
                for c in comments.iterator()
            ],
            batch_size=1000,
        )
        thread_id = proposal.thread_id
        proposal.thread = None
        proposal.save(update_fields=["thread"])
        # The comments' replies, revisions and reports go with them (CASCADE).
        Comment.objects.filter(thread_id=thread_id).delete()
        DebateThread.objects.filter(pk=thread_id).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_debate_threads"),
        ("proposals", "0002_proposal_thread"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
