"""The debate thread as HTML, written in Python rather than the template language.

A motion can carry hundreds of comments; drawing each through Django's template engine cost
most of the page's time (about 0.5 ms of CPU per comment: dozens of variable lookups, ``if``
nodes and a ``date`` filter each). The same markup written here with ``escape`` costs a few
microseconds per comment (bench/meetings.py, docs/benchmarks/meetings.md). Every value from
the database passes through ``escape`` or ``_paragraphs`` (which escapes).

``escape`` is the standard library's ``html.escape``, which is exactly what Django's
``django.utils.html.escape`` returns (wrapped in a ``SafeString``); Django's version also checks
every argument for a lazy translation string, which over a few thousand calls a page cost more
than the escaping. ``_paragraphs`` gives the same output as ``linebreaks(text,
autoescape=True)`` (a test compares them) without that per-call check.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from html import escape

from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from grassroots.meetings.models import CommentStatus
from grassroots.meetings.queries import ThreadedComment

_NEWLINES = re.compile(r"\r\n|\r")
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def _paragraphs(text: str) -> str:
    """The text escaped, in <p> paragraphs at blank lines, other line breaks as <br>."""
    escaped = escape(_NEWLINES.sub("\n", text))
    return "\n\n".join(
        f"<p>{paragraph.replace(chr(10), '<br>')}</p>"
        for paragraph in _PARAGRAPH_BREAK.split(escaped)
    )


def _when(moment: datetime.datetime, zone: datetime.tzinfo, months: list[str]) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {months[local.month]} {local:%Y, %H:%M}"


def thread_html(
    thread: Iterable[ThreadedComment],
    *,
    base_url: str,
    member_id: int | None,
    in_scope: bool,
    debate_open: bool,
    may_moderate: bool,
) -> SafeString:
    """The thread's comments as list items. ``base_url`` is the page the thread is on (a
    motion's, a proposal's), whose ``comments/<id>/edit|history|report|hide/`` pages act on
    one comment; ``in_scope``: the reader may post and report; ``debate_open``: replies and
    edits are still taken."""
    parts: list[str] = []
    # The page's time zone, looked up once rather than once a comment (timezone.localtime).
    zone = timezone.get_current_timezone()
    # The page's words, in its language, looked up once rather than once a comment.
    months = ["", *(str(MONTHS_3[m]).title() for m in range(1, 13))]
    words = {
        "on_amendment": escape(gettext("on an amendment")),
        "edited": escape(gettext("edited")),
        "hidden": escape(gettext("Hidden by a moderator:")),
        "reply": escape(gettext("Reply")),
        "edit": escape(gettext("Edit")),
        "report": escape(pgettext("a comment, to the moderators", "Report")),
        "hide": escape(gettext("Hide")),
    }
    for item in thread:
        c = item.comment
        visible = c.status == CommentStatus.VISIBLE
        base = f"{base_url}comments/{c.pk}/"
        meta = [f"<strong>{escape(c.author_first_name)} {escape(c.author_last_name)}</strong>, "]
        meta.append(_when(c.created_at, zone, months))
        if c.amendment_id:
            meta.append(f" · {words['on_amendment']}")
        if c.edited_at:
            meta.append(f' · <a href="{base}history/">{words["edited"]}</a>')
        if item.open_reports:
            reports = ngettext(
                "%(count)s open report", "%(count)s open reports", item.open_reports
            ) % {"count": item.open_reports}
            meta.append(f" · <strong>{escape(reports)}</strong>")
        hidden = "" if visible else " hidden-comment"
        parts.append(
            f'<li class="comment depth-{item.depth}{hidden}" id="comment-{c.pk}">'
            f'<p class="meta">{"".join(meta)}</p>'
        )
        if not visible:
            parts.append(f"<p>{words['hidden']} {escape(c.moderation_reason)}</p></li>")
            continue
        parts.append(_paragraphs(c.body))
        actions = []
        if debate_open and in_scope:
            actions.append(f'<a href="?reply={c.pk}#comment-form">{words["reply"]}</a>')
        if member_id is not None and c.author_id == member_id:
            if debate_open:
                actions.append(f'<a href="{base}edit/">{words["edit"]}</a>')
        elif in_scope:
            actions.append(f'<a href="{base}report/">{words["report"]}</a>')
        if may_moderate:
            actions.append(f'<a href="{base}hide/">{words["hide"]}</a>')
        parts.append(f'<p class="meta">{" · ".join(actions)}</p></li>')
    # Every database value above went through escape() or _paragraphs() (which escapes).
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703
