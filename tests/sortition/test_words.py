"""The draw's reasons said again in the reader's language (grassroots.sortition.words): in
English they are the draw's own words, character for character, so the page and a member's
rerun of the record say the same thing."""

from __future__ import annotations

import pytest
from django.utils import translation

from grassroots.sortition import draw as lot
from grassroots.sortition.words import error_in_words, quota_in_words, reason_in_words


def _pool(seats: int, values: list[str], quotas: list[lot.Quota]) -> lot.Pool:
    volunteers = tuple(
        lot.Volunteer(id=f"v-{n}", categories={"gender": value}) for n, value in enumerate(values)
    )
    return lot.Pool(
        seats=seats, categories=("gender",), volunteers=volunteers, quotas=tuple(quotas)
    )


POOLS = [
    _pool(3, ["woman"], []),
    _pool(1, ["woman"], []),
    _pool(2, ["woman", "man", "man"], [lot.Quota("gender", "woman", 2, None)]),
    _pool(2, ["woman", "woman"], [lot.Quota("gender", "woman", 1, None)]),
    _pool(
        3,
        ["woman", "woman", "man", "man"],
        [lot.Quota("gender", "woman", 2, None), lot.Quota("gender", "man", 2, None)],
    ),
    _pool(
        2,
        ["woman", "man", "man"],
        [lot.Quota("gender", "woman", 0, 0), lot.Quota("gender", "man", 0, 1)],
    ),
]


@pytest.mark.parametrize("pool", POOLS)
def test_in_english_the_words_are_the_draws_own(pool: lot.Pool):
    with translation.override("en-gb"):
        try:
            lot.check_feasible(pool)
        except lot.QuotasInfeasible as error:
            assert all(isinstance(reason, lot.Reason) for reason in error.reasons)
            assert [reason_in_words(r) for r in error.reasons] == list(error.reasons)
            assert error_in_words(error) == str(error)


def test_every_shape_of_reason_is_said_again():
    codes = set()
    for pool in POOLS:
        try:
            lot.check_feasible(pool)
        except lot.QuotasInfeasible as error:
            codes |= {reason.code for reason in error.reasons}
    assert {"seats", "quota_short", "minimums", "maximums"} <= codes
    for quota in (
        lot.Quota("gender", "woman", 2, None),
        lot.Quota("gender", "woman", 0, 3),
        lot.Quota("gender", "woman", 1, 3),
    ):
        with translation.override("en-gb"):
            assert quota_in_words(quota) == quota.describe()
    checked = lot.Reason(
        "9 already chosen exceed the quota at most 3 with g “x”",
        "over_quota",
        quota=lot.Quota("g", "x", 0, 3),
        count=9,
    )
    assert reason_in_words(checked) == checked
    alone = lot.Reason(
        "each quota could be met on its own, but no selection of the volunteers meets them all "
        "at once",
        "all_at_once",
    )
    assert reason_in_words(alone) == alone
