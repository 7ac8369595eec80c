"""Where a group's resolution to nominate is recorded: the meetings app lends ballots the
motions its groups' meetings carried.

``ballots`` cannot import ``meetings`` (an import contract: meetings sits above ballots), so
meetings registers a source here in its ``AppConfig.ready``, as it registers its result
handler (grassroots.ballots.results). Without a source (meetings not installed) there is
nothing to link, and a group's support is recorded with its date and reference alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CarriedMotion:
    """A motion a group's own meeting carried, as a group's support links to it."""

    outcome_id: int
    group_id: int
    held_on: datetime.date
    label: str  # "Hyde Park general meeting, 24 Nov 2026: motion 1, Nominate Aisha Khan"
    url: str


class CarriedMotionSource(Protocol):
    def carried_motions(
        self, group_ids: list[int], since: datetime.date
    ) -> list[CarriedMotion]: ...

    def carried_motion(self, outcome_id: int) -> CarriedMotion | None:
        """The outcome, if it is a motion a group's own meeting carried; else None."""
        ...


_sources: dict[str, CarriedMotionSource] = {}


def register_carried_motions(name: str, source: CarriedMotionSource) -> None:
    _sources[name] = source


def carried_motions(group_ids: list[int], since: datetime.date) -> list[CarriedMotion]:
    found = [m for s in _sources.values() for m in s.carried_motions(group_ids, since)]
    return sorted(found, key=lambda m: (m.held_on, m.outcome_id), reverse=True)


def carried_motion(outcome_id: int) -> CarriedMotion | None:
    for source in _sources.values():
        found = source.carried_motion(outcome_id)
        if found is not None:
            return found
    return None
