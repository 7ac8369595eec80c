"""The debate thread as HTML, written in Python rather than the template language.

A motion can carry hundreds of comments; drawing each through Django's template engine cost
most of the page's time (about 0.5 ms of CPU per comment: dozens of variable lookups, ``if``
nodes and a ``date`` filter each). The same markup written here with ``escape`` costs a few
microseconds per comment (bench/meetings.py, docs/benchmarks/meetings.md). Every value from
the database passes through ``escape`` or ``linebreaks`` (which escapes).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from grassroots.meetings.models import CommentStatus
from grassroots.meetings.queries import ThreadedComment


def _when(comment_time: object) -> str:
    local = timezone.localtime(comment_time)  # type: ignore[arg-type]
    return f"{local.day} {local:%b %Y, %H:%M}"


def thread_html(
    thread: Iterable[ThreadedComment],
    *,
    motion_url: str,
    member_id: int | None,
    in_scope: bool,
    debate_open: bool,
    may_moderate: bool,
) -> SafeString:
    parts: list[str] = []
    for item in thread:
        c = item.comment
        visible = c.status == CommentStatus.VISIBLE
        base = f"{motion_url}comments/{c.pk}/"
        author = c.author
        meta = [f"<strong>{escape(author.first_name)} {escape(author.last_name)}</strong>, "]
        meta.append(_when(c.created_at))
        if c.amendment_id:
            meta.append(" · on an amendment")
        if c.edited_at:
            meta.append(f' · <a href="{base}history/">edited</a>')
        if item.open_reports:
            plural = "" if item.open_reports == 1 else "s"
            meta.append(f" · <strong>{item.open_reports} open report{plural}</strong>")
        hidden = "" if visible else " hidden-comment"
        parts.append(
            f'<li class="comment depth-{item.depth}{hidden}" id="comment-{c.pk}">'
            f'<p class="meta">{"".join(meta)}</p>'
        )
        if not visible:
            parts.append(f"<p>Hidden by a moderator: {escape(c.moderation_reason)}</p></li>")
            continue
        parts.append(linebreaks(c.body, autoescape=True))
        actions = []
        if debate_open and in_scope:
            actions.append(f'<a href="?reply={c.pk}#comment-form">Reply</a>')
        if member_id is not None and c.author_id == member_id:
            if debate_open:
                actions.append(f'<a href="{base}edit/">Edit</a>')
        elif in_scope:
            actions.append(f'<a href="{base}report/">Report</a>')
        if may_moderate:
            actions.append(f'<a href="{base}hide/">Hide</a>')
        parts.append(f'<p class="meta">{" · ".join(actions)}</p></li>')
    # Every database value above went through escape() or linebreaks(autoescape=True).
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703
