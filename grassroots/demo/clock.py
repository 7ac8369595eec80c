"""The demo's own clock step: what a movement did over weeks (a ballot's poll, a meeting
scheduled a month ahead) is done through the same services in a few seconds of seeding, with
``grassroots.clock.now`` pointed at the day each step happened."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from grassroots import clock


@contextmanager
def stepped_clock(start: datetime.datetime) -> Iterator[Callable[[datetime.timedelta], None]]:
    """Point grassroots.clock.now at ``start``; the yielded function moves it forward."""
    real_now = clock.now
    moment = [start]

    def advance(by: datetime.timedelta) -> None:
        moment[0] += by

    setattr(clock, "now", lambda: moment[0])  # noqa: B010 - replacing the module's function
    try:
        yield advance
    finally:
        setattr(clock, "now", real_now)  # noqa: B010
