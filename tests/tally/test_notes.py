"""The shapes of the rules' notes (grassroots.tally.notes): every note the rules write on the
sample elections is read back into a known shape, and reading is lossless."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grassroots.tally.notes import SHAPES, TEMPLATES, parse, write
from tests.tally.note_samples import sample_notes


def _unknown(note: str) -> list[str]:
    found = []
    for part in parse(note):
        if not part.code:
            found.append(part.text)
        for inner in part.inner.values():
            found += [p.text for p in inner if not p.code]
    return found


def test_every_note_the_rules_write_on_the_samples_has_a_known_shape():
    notes = sample_notes()
    codes = {part.code for note in notes for part in parse(note)}
    assert len(notes) > 1000
    assert {"lot", "quota", "majority", "carried", "quorum_met", "college_units"} <= codes
    unknown = sorted({text for note in notes for text in _unknown(note)})
    assert unknown == [], "a rule writes a note of a new shape: add it to grassroots/tally/notes.py"


def test_a_note_read_back_and_written_again_is_the_same_text():
    for note in sample_notes():
        assert (
            "; ".join(
                TEMPLATES[p.code].format(**p.params) if p.code else p.text for p in parse(note)
            )
            == note
        )


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=";"), min_size=1
).filter(lambda s: s.strip() == s and s)


@given(name=names, other=names, seed=st.integers(0, 10**6))
def test_a_lot_note_gives_back_its_seed_and_what_it_decided(name, other, seed):
    text = write("lot", seed=seed, names=f"{name} and {other}", name=name, decides="excluded")
    (part,) = parse(text)
    assert part.code == "lot"
    assert part.params["seed"] == str(seed) and part.params["decides"] == "excluded"


def test_every_shape_has_a_unique_code():
    codes = [code for code, _ in SHAPES]
    assert len(codes) == len(set(codes))
