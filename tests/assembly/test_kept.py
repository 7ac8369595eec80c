"""The live pages' per-process cache keeps the newest entries, the least recently used go first."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.assembly.kept import Kept


def test_the_least_recently_used_entry_goes_first() -> None:
    kept: Kept[str, int] = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now newer than "b"
    kept.put("c", 3)
    assert kept.get("b") is None
    assert (kept.get("a"), kept.get("c"), len(kept)) == (1, 3, 2)


def test_putting_a_key_again_replaces_its_value_and_makes_it_newest() -> None:
    kept: Kept[str, int] = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    kept.put("a", 10)
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (10, None, 3)


def test_clear_forgets_everything_and_a_size_below_one_is_refused() -> None:
    kept: Kept[int, str] = Kept(3)
    kept.put(1, "x")
    kept.clear()
    assert (kept.get(1), len(kept)) == (None, 0)
    with pytest.raises(ValueError, match="at least one"):
        Kept(0)


@given(st.integers(1, 5), st.lists(st.tuples(st.booleans(), st.integers(0, 8)), max_size=60))
def test_it_agrees_with_a_plain_list_model(size: int, steps: list[tuple[bool, int]]) -> None:
    kept: Kept[int, int] = Kept(size)
    model: list[tuple[int, int]] = []  # oldest first
    for number, (is_put, key) in enumerate(steps):
        found = next((value for k, value in model if k == key), None)
        if is_put:
            model = [(k, v) for k, v in model if k != key] + [(key, number)]
            model = model[-size:]
            kept.put(key, number)
        else:
            if found is not None:
                model = [(k, v) for k, v in model if k != key] + [(key, found)]
            assert kept.get(key) == found
    assert len(kept) == len(model)
    assert all(kept.get(k) == v for k, v in list(model))


def test_threads_sharing_it_never_keep_more_than_its_size() -> None:
    kept: Kept[int, int] = Kept(16)

    def work(offset: int) -> None:
        for number in range(2_000):
            kept.put(offset + number % 40, number)
            kept.get(offset + (number * 7) % 40)

    threads = [threading.Thread(target=work, args=(100 * n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(kept) == 16
