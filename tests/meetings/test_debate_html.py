"""The debate thread's own escaping matches Django's, so drawing it in Python weakens nothing."""

from __future__ import annotations

from django.utils.html import linebreaks
from hypothesis import given
from hypothesis import strategies as st

from grassroots.meetings.debate_html import _paragraphs

TRICKY = st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "<", ">", "&", '"', "'", "é"]))


@given(TRICKY)
def test_comment_paragraphs_are_escaped_exactly_as_linebreaks_does(body):
    assert _paragraphs(body) == linebreaks(body, autoescape=True)


def test_comment_paragraphs_escape_markup_and_keep_line_breaks():
    body = "<script>alert(\"x\")</script>\r\nline two\n\n\n<b>bold</b> & 'quoted'"
    assert _paragraphs(body) == (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>line two</p>\n\n"
        "<p>&lt;b&gt;bold&lt;/b&gt; &amp; &#x27;quoted&#x27;</p>"
    )
