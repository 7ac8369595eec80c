"""Papers to group elements and back: every kind in both encodings, and spoilt plaintexts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.ledger.e2e.elgamal import decrypt, encrypt_points, reencrypt
from grassroots.ledger.e2e.group import IDENTITY, L, base_mul, random_scalar
from grassroots.ledger.e2e.papers import (
    CHUNK_BYTES,
    Encoding,
    InvalidPaper,
    Paper,
    PaperForm,
    PaperKind,
    chunk_to_point,
    decode_paper,
    encode_paper,
    point_to_chunk,
)


@st.composite
def forms_and_papers(draw: st.DrawFn) -> tuple[PaperForm, Paper]:
    kind = draw(st.sampled_from(list(PaperKind)))
    n = 2 if kind is PaperKind.YESNO else draw(st.integers(min_value=1, max_value=40))
    form = PaperForm(kind, n)
    if kind is PaperKind.RANKED:
        marks = draw(st.permutations(range(n)))[: draw(st.integers(0, n))]
    elif kind is PaperKind.APPROVAL:
        marks = sorted(draw(st.sets(st.integers(0, n - 1))))
    else:
        marks = draw(st.lists(st.integers(0, n - 1), max_size=1))
    return form, Paper(tuple(marks))


@settings(max_examples=150, deadline=None)
@given(forms_and_papers(), st.sampled_from(list(Encoding)))
def test_every_paper_decodes_to_itself(form_and_paper, encoding):
    form, paper = form_and_paper
    points = encode_paper(form, encoding, paper)
    assert len(points) == form.width(encoding)
    assert decode_paper(form, encoding, points) == paper


@settings(max_examples=30, deadline=None)
@given(forms_and_papers(), st.sampled_from(list(Encoding)))
def test_encrypt_reencrypt_decrypt_gives_the_paper_back(form_and_paper, encoding):
    form, paper = form_and_paper
    secret = random_scalar()
    public = base_mul(secret)
    ballot, _ = encrypt_points(public, encode_paper(form, encoding, paper))
    mixed = tuple(reencrypt(public, c, random_scalar()) for c in ballot)
    assert mixed != ballot
    assert decode_paper(form, encoding, [decrypt(secret, c) for c in mixed]) == paper


def test_a_twenty_candidate_ranking_packs_into_one_group_element():
    form = PaperForm(PaperKind.RANKED, 20)
    assert form.width(Encoding.PACKED) == 1
    assert form.width(Encoding.SLOTS) == 20
    assert PaperForm(PaperKind.RANKED, 38).width(Encoding.PACKED) == 1  # 38 x 6 bits <= 232
    assert PaperForm(PaperKind.RANKED, 39).width(Encoding.PACKED) == 2


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=CHUNK_BYTES, max_size=CHUNK_BYTES))
def test_any_chunk_maps_into_the_group_and_back(chunk):
    assert point_to_chunk(chunk_to_point(chunk)) == chunk


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(list(PaperKind)),
    st.integers(min_value=2, max_value=30),
    st.sampled_from(list(Encoding)),
    st.data(),
)
def test_any_group_elements_decode_to_a_paper_or_an_invalid_paper(kind, n, encoding, data):
    form = PaperForm(kind, 2 if kind is PaperKind.YESNO else n)
    width = form.width(encoding)
    if encoding is Encoding.SLOTS:
        values = data.draw(st.lists(st.integers(0, 3 * n), min_size=width, max_size=width))
        points = [base_mul(v) for v in values]
    else:
        chunks = data.draw(
            st.lists(
                st.binary(min_size=CHUNK_BYTES, max_size=CHUNK_BYTES),
                min_size=width,
                max_size=width,
            )
        )
        points = [chunk_to_point(c) for c in chunks]
    result = decode_paper(form, encoding, points)
    assert isinstance(result, Paper | InvalidPaper)
    if isinstance(result, Paper):
        assert decode_paper(form, encoding, encode_paper(form, encoding, result)) == result


def test_spoilt_rankings_are_invalid_papers_that_say_why():
    form = PaperForm(PaperKind.RANKED, 4)
    slots = Encoding.SLOTS
    repeated = [base_mul(v) for v in (2, 2, 0, 0)]
    gap = [base_mul(v) for v in (1, 0, 3, 0)]
    too_big = [base_mul(v) for v in (5, 0, 0, 0)]
    random_point = [base_mul(random_scalar()), IDENTITY, IDENTITY, IDENTITY]
    assert decode_paper(form, slots, repeated) == InvalidPaper("candidate 2 is ranked twice")
    assert "empty but a later one is not" in _reason(decode_paper(form, slots, gap))
    assert "not a number from 0 to 4" in _reason(decode_paper(form, slots, too_big))
    assert "slot 1" in _reason(decode_paper(form, slots, random_point))
    assert "group elements where" in _reason(decode_paper(form, slots, repeated[:3]))
    packed = Encoding.PACKED
    assert "does not encode" in _reason(decode_paper(form, packed, [base_mul(L - 1)]))
    assert "does not encode" in _reason(decode_paper(form, packed, [IDENTITY]))
    beyond = chunk_to_point(b"\x00\x00\x01" + bytes(CHUNK_BYTES - 3))
    assert "beyond its last slot" in _reason(decode_paper(form, packed, [beyond]))


def test_blank_papers_are_papers_with_no_marks():
    for kind in PaperKind:
        form = PaperForm(kind, 2)
        for encoding in Encoding:
            assert decode_paper(form, encoding, encode_paper(form, encoding, Paper(()))) == Paper(
                ()
            )


def _reason(result: Paper | InvalidPaper) -> str:
    assert isinstance(result, InvalidPaper), result
    return result.reason
