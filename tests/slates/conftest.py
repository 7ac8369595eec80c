"""The ballots' fixtures: a small group ballot ready to vote in, and the clock."""

from tests.ballots.conftest import _media_in_tmp, frozen_clock, ready_ballot

__all__ = ["_media_in_tmp", "frozen_clock", "ready_ballot"]
