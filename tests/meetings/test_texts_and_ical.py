"""Motion paragraphs, amendments and their diff; the iCalendar text (RFC 5545)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.meetings.ical import CalendarEvent, calendar, escape_text, fold
from grassroots.meetings.texts import (
    AmendmentDoesNotApply,
    apply_amendment,
    diff_paragraphs,
    join_paragraphs,
    split_paragraphs,
    structured_text,
)

TEXT = "First.\n\nSecond one.\n\n\n  Third.  \n"

paragraph = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1
).filter(lambda s: s.strip() != "")


def test_paragraphs_are_blocks_between_blank_lines():
    assert split_paragraphs(TEXT) == ["First.", "Second one.", "Third."]


@pytest.mark.parametrize(
    ("kind", "number", "new", "expected"),
    [
        ("insert", 0, "Zeroth.", ["Zeroth.", "First.", "Second one.", "Third."]),
        ("insert", 3, "Fourth.", ["First.", "Second one.", "Third.", "Fourth."]),
        ("delete", 2, "", ["First.", "Third."]),
        ("replace", 2, "Second, changed.", ["First.", "Second, changed.", "Third."]),
    ],
)
def test_apply_amendment(kind, number, new, expected):
    assert split_paragraphs(apply_amendment(TEXT, kind, number, new)) == expected


@pytest.mark.parametrize(
    ("kind", "number", "new", "message"),
    [
        ("insert", 4, "x", "no paragraph 4"),
        ("delete", 0, "", "no paragraph 0"),
        ("replace", 2, "", "replacement text"),
        ("replace", 2, "Second one.", "same as the paragraph"),
    ],
)
def test_amendments_that_cannot_apply_say_why(kind, number, new, message):
    with pytest.raises(AmendmentDoesNotApply, match=message):
        apply_amendment(TEXT, kind, number, new)


def test_diff_marks_words_changed_inside_a_replaced_paragraph():
    diff = diff_paragraphs("A cat sat.\n\nOn the mat.", "A dog sat.\n\nOn the mat.")
    assert [p.op for p in diff] == ["replace", "equal"]
    assert [(x.op, x.text) for x in diff[0].pieces] == [
        ("equal", "A"),
        ("delete", "cat"),
        ("insert", "dog"),
        ("equal", "sat."),
    ]


def test_structured_text_puts_each_part_under_its_heading():
    text = structured_text("Rents rose.", "", "To act.")
    assert split_paragraphs(text) == [
        "This meeting notes:",
        "Rents rose.",
        "This meeting resolves:",
        "To act.",
    ]


@given(st.lists(paragraph, min_size=1, max_size=6), paragraph, st.data())
def test_insert_then_delete_gives_back_the_text(paragraphs, new, data):
    text = join_paragraphs(paragraphs)
    count = len(split_paragraphs(text))
    where = data.draw(st.integers(min_value=0, max_value=count))
    inserted = apply_amendment(text, "insert", where, new)
    added = len(split_paragraphs(inserted)) - count
    restored = inserted
    for _ in range(added):
        restored = apply_amendment(restored, "delete", where + 1, "")
    assert split_paragraphs(restored) == split_paragraphs(text)


@given(st.lists(paragraph, max_size=6), st.lists(paragraph, max_size=6))
def test_diff_old_and_new_sides_rebuild_both_texts(old, new):
    a, b = join_paragraphs(old), join_paragraphs(new)
    diff = diff_paragraphs(a, b)
    assert [p.old for p in diff if p.op != "insert"] == split_paragraphs(a)
    assert [p.new for p in diff if p.op != "delete"] == split_paragraphs(b)


# --- iCalendar ----------------------------------------------------------------------------------


def test_text_values_are_escaped():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


@given(st.text(min_size=0, max_size=400))
def test_folded_lines_are_at_most_75_octets_and_unfold_to_the_original(value):
    line = "DESCRIPTION:" + escape_text(value)
    folded = fold(line)
    assert folded.endswith("\r\n")
    physical = folded[:-2].split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert folded[:-2].replace("\r\n ", "") == line


def test_calendar_has_the_event_in_utc_with_crlf_lines():
    start = datetime.datetime(2026, 12, 3, 19, 0, tzinfo=datetime.UTC)
    text = calendar(
        [
            CalendarEvent(
                uid="abc@grassroots",
                summary="Branch meeting, Leeds; all welcome",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                stamp=start - datetime.timedelta(days=9),
                sequence=2,
                location="Trades Hall, 1 High St",
            )
        ]
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20261203T190000Z" in lines
    assert "SUMMARY:Branch meeting\\, Leeds\\; all welcome" in lines
    assert "SEQUENCE:2" in lines and "STATUS:CONFIRMED" in lines
    assert "\n" not in text.replace("\r\n", "")
