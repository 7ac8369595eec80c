"""The counting rules' notes on the results page in the reader's language (docs/i18n.md): in
English the page shows the record's words exactly; in Welsh every note of a known shape is in
Welsh, names and numbers kept."""

from __future__ import annotations

import pytest
from django.utils import translation

from grassroots.ballots.note_words import note_in_words
from grassroots.tally.notes import parse, write
from tests.tally.note_samples import sample_notes


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.deactivate()


def test_in_english_every_note_reads_as_the_record_has_it():
    with translation.override("en-gb"):
        for note in sample_notes():
            assert note_in_words(note) == note


def test_in_welsh_every_known_shape_is_in_welsh():
    english = {"the", "of", "by", "between", "tie", "votes", "quota", "excluded", "elected"}
    with translation.override("cy"):
        for note in sample_notes():
            words = note_in_words(note)
            if all(part.code for part in parse(note)):
                left = {w for w in words.replace(":", " ").split() if w in english}
                assert not left, (note, words)


def test_a_lot_and_a_nested_lot_in_welsh():
    lot = write(
        "lot", seed=42, names="Ann Jones and Ben Evans", name="Ann Jones", decides="excluded"
    )
    nested = write(
        "order_drawn",
        drawn=write("lot", seed=7, names="A and B", name="B", decides="elected first"),
    )
    with translation.override("cy"):
        assert note_in_words(lot) == (
            "coelbren (hedyn 42) wedi'i thynnu rhwng Ann Jones and Ben Evans: Ann Jones eithriwyd"
        )
        assert note_in_words(f"quota 12.00; {nested}") == (
            "cwota 12.00; trefn ethol: coelbren (hedyn 7) wedi'i thynnu rhwng A and B: B "
            "etholwyd yn gyntaf"
        )
        assert note_in_words("after 3 iterations") == "ar ôl 3 iteriad"
        assert note_in_words("a note of a shape nobody knows") == "a note of a shape nobody knows"
