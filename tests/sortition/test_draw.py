"""The pure draw: quotas always met when any selection meets them, the same result from the
same seed, the right size, replacements that keep the quotas, and clear refusals."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.sortition.draw import (
    DOMAIN,
    Pool,
    Quota,
    QuotasInfeasible,
    SortitionError,
    Volunteer,
    draw,
    lottery_order,
    random_below,
    replace,
)

GENDERS = ("woman", "man", "non-binary")
REGIONS = ("North", "Midlands", "South")
SEED = bytes.fromhex("00112233445566778899aabbccddeeff")


def meets(pool: Pool, chosen: list[str] | tuple[str, ...]) -> bool:
    by_id = {v.id: v for v in pool.volunteers}
    counts = Counter((c, by_id[i].categories[c]) for i in chosen for c in pool.categories)
    return all(
        q.minimum <= counts[(q.category, q.value)]
        and (q.maximum is None or counts[(q.category, q.value)] <= q.maximum)
        for q in pool.quotas
    )


def brute_force_feasible(pool: Pool, members=(), excluded=frozenset()) -> bool:
    free = [v.id for v in pool.volunteers if v.id not in excluded and v.id not in members]
    need = pool.seats - len(members)
    if need < 0 or need > len(free):
        return False
    return any(meets(pool, [*members, *extra]) for extra in itertools.combinations(free, need))


@st.composite
def pools(draw_, max_volunteers: int = 10) -> Pool:
    n = draw_(st.integers(min_value=1, max_value=max_volunteers))
    volunteers = tuple(
        Volunteer(
            id=f"v-{i:02d}",
            categories={
                "gender": draw_(st.sampled_from(GENDERS)),
                "region": draw_(st.sampled_from(REGIONS)),
            },
        )
        for i in range(n)
    )
    seats = draw_(st.integers(min_value=1, max_value=min(n + 1, 7)))
    quotas = []
    for category, values in (("gender", GENDERS), ("region", REGIONS)):
        for value in values:
            if draw_(st.booleans()):
                low = draw_(st.integers(min_value=0, max_value=3))
                high = draw_(st.one_of(st.none(), st.integers(min_value=low, max_value=low + 3)))
                quotas.append(Quota(category, value, low, high))
    return Pool(
        seats=seats, categories=("gender", "region"), volunteers=volunteers, quotas=tuple(quotas)
    )


seeds = st.binary(min_size=16, max_size=32)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(pool=pools(), seed=seeds)
def test_quotas_are_met_whenever_some_selection_meets_them(pool, seed):
    if brute_force_feasible(pool):
        result = draw(pool, seed)
        assert len(result.selected) == pool.seats
        assert len(set(result.selected)) == pool.seats
        assert set(result.selected) <= {v.id for v in pool.volunteers}
        assert meets(pool, result.selected)
    else:
        with pytest.raises(QuotasInfeasible) as refused:
            draw(pool, seed)
        assert refused.value.reasons


@FAST
@given(pool=pools(), seed=seeds, data=st.data())
def test_the_same_seed_gives_the_same_draw_whatever_order_the_volunteers_come_in(pool, seed, data):
    shuffled = data.draw(st.permutations(pool.volunteers))
    again = Pool(pool.seats, pool.categories, tuple(shuffled), pool.quotas)
    try:
        first = draw(pool, seed)
    except QuotasInfeasible:
        with pytest.raises(QuotasInfeasible):
            draw(again, seed)
        return
    assert draw(again, seed) == first
    assert draw(pool, seed) == first


@FAST
@given(pool=pools(), seed=seeds, data=st.data())
def test_replacements_keep_the_quotas_and_come_from_those_never_chosen(pool, seed, data):
    try:
        result = draw(pool, seed)
    except QuotasInfeasible:
        return
    leaving = data.draw(st.sets(st.sampled_from(result.selected), min_size=1))
    staying = [m for m in result.selected if m not in leaving]
    if brute_force_feasible(pool, members=staying, excluded=set(result.selected)):
        chosen = replace(
            pool,
            seed,
            members=result.selected,
            standing_down=leaving,
            ever_selected=result.selected,
        )
        assert len(chosen) == len(leaving)
        assert not set(chosen) & set(result.selected)
        assert meets(pool, [*staying, *chosen])
        # The same replacement again from the same inputs: deterministic.
        assert chosen == replace(
            pool,
            seed,
            members=result.selected,
            standing_down=leaving,
            ever_selected=result.selected,
        )
    else:
        with pytest.raises(QuotasInfeasible):
            replace(
                pool,
                seed,
                members=result.selected,
                standing_down=leaving,
                ever_selected=result.selected,
            )


def test_without_quotas_the_body_is_the_head_of_the_lottery_order():
    pool = Pool(
        seats=3,
        categories=("gender",),
        volunteers=tuple(Volunteer(f"v{i}", {"gender": "woman"}) for i in range(8)),
    )
    result = draw(pool, SEED)
    assert result.selected == result.order[:3]


def reference_order(ids: list[str], seed: bytes) -> list[str]:
    """docs/sortition.md's description, written again from the text."""
    out = sorted(ids, key=lambda s: s.encode("utf-8"))
    counter = 0
    for i in range(len(out) - 1, 0, -1):
        while True:
            mac = hmac.new(seed, b"grassroots-sortition/1" + counter.to_bytes(8, "big"), "sha256")
            counter += 1
            x = int.from_bytes(mac.digest(), "big")
            if x < 2**256 - 2**256 % (i + 1):
                break
        j = x % (i + 1)
        out[i], out[j] = out[j], out[i]
    return out


@given(ids=st.sets(st.text(min_size=1, max_size=6), max_size=30), seed=seeds)
def test_the_lottery_order_is_what_the_documentation_describes(ids, seed):
    assert list(lottery_order(ids, seed)) == reference_order(list(ids), seed)


def test_the_lottery_order_is_pinned():
    """A fixed vector (also in docs/sortition.md): a change of algorithm cannot pass unseen."""
    ids = [f"v-{i:02d}" for i in range(10)]
    assert lottery_order(ids, SEED) == PINNED_ORDER
    assert DOMAIN == b"grassroots-sortition/1"
    first = hmac.new(SEED, DOMAIN + bytes(8), hashlib.sha256).hexdigest()
    assert random_below(SEED, 0, 10) == (int(first, 16) % 10, 1)


PINNED_ORDER = ("v-07", "v-08", "v-05", "v-09", "v-04", "v-02", "v-01", "v-00", "v-03", "v-06")


def test_a_quota_needing_more_volunteers_than_came_forward_is_refused_in_words():
    pool = Pool(
        seats=4,
        categories=("gender",),
        volunteers=(
            Volunteer("a", {"gender": "woman"}),
            *(Volunteer(f"m{i}", {"gender": "man"}) for i in range(6)),
        ),
        quotas=(Quota("gender", "woman", 2, None),),
    )
    with pytest.raises(QuotasInfeasible) as refused:
        draw(pool, SEED)
    assert refused.value.reasons == (
        "the quota needs at least 2 with gender “woman” but only 1 such volunteer volunteered",
    )


def test_minimums_adding_up_to_more_than_the_seats_are_refused_in_words():
    pool = Pool(
        seats=3,
        categories=("region",),
        volunteers=tuple(Volunteer(f"{r}{i}", {"region": r}) for r in "ABC" for i in range(3)),
        quotas=(Quota("region", "A", 2), Quota("region", "B", 2)),
    )
    with pytest.raises(QuotasInfeasible, match="the minimums for region need 4 more seats"):
        draw(pool, SEED)


def test_maximums_that_leave_seats_empty_are_refused_in_words():
    pool = Pool(
        seats=4,
        categories=("gender",),
        volunteers=tuple(Volunteer(f"{g}{i}", {"gender": g}) for g in ("w", "m") for i in range(3)),
        quotas=(Quota("gender", "w", 0, 1), Quota("gender", "m", 0, 2)),
    )
    with pytest.raises(QuotasInfeasible, match="leave room for only 3 of the 4 seats"):
        draw(pool, SEED)


def test_quotas_met_singly_but_not_together_are_refused_in_words():
    # Two seats, both for women, and one for a northerner: but no woman is from the North.
    pool = Pool(
        seats=2,
        categories=("gender", "region"),
        volunteers=(
            Volunteer("a", {"gender": "w", "region": "S"}),
            Volunteer("b", {"gender": "m", "region": "N"}),
            Volunteer("c", {"gender": "w", "region": "S"}),
        ),
        quotas=(Quota("gender", "w", 2), Quota("region", "N", 1)),
    )
    with pytest.raises(QuotasInfeasible) as refused:
        draw(pool, SEED)
    assert refused.value.reasons == (
        "each quota could be met on its own, but no selection of the volunteers meets them all "
        "at once",
    )


@pytest.mark.parametrize(
    ("pool", "message"),
    [
        (Pool(0, ("g",), ()), "at least one seat"),
        (Pool(1, ("g",), (Volunteer("a", {"g": "x"}), Volunteer("a", {"g": "y"}))), "twice"),
        (Pool(1, ("g",), (Volunteer("a", {}),)), "volunteer a has no g"),
        (Pool(1, ("g",), (Volunteer("a", {"g": "x"}),), (Quota("h", "x"),)), "not a category"),
        (Pool(1, ("g",), (Volunteer("a", {"g": "x"}),), (Quota("g", "x", 3, 2),)), "below"),
    ],
)
def test_bad_input_is_refused_with_the_reason(pool, message):
    with pytest.raises(SortitionError, match=message):
        draw(pool, SEED)


def test_a_short_seed_is_refused():
    pool = Pool(1, ("g",), (Volunteer("a", {"g": "x"}),))
    with pytest.raises(SortitionError, match="at least 16 bytes"):
        draw(pool, b"short")
