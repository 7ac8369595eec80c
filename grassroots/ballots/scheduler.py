"""The ballot scheduler's one tick: open what is due, close what is due, send scheduled
reminders that are due, seal and sign heads, hand published results back to what asked for
them, and run the steps other apps register (closing initiatives at their deadline).

Every decision reads the database clock through ``grassroots.clock.now`` inside the service
that acts, so a tick that runs late does the right thing, and two ticks running at once (two
timers, a slow run overlapping the next) serialise on each ballot's row lock.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from grassroots.ballots import sql
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.results import deliver_pending_results
from grassroots.ballots.services.lifecycle import close_due_ballots, open_due_ballots
from grassroots.ballots.services.reminders import send_due_reminders
from grassroots.ballots.services.sealing import seal_pending

HEAD_EVERY = datetime.timedelta(minutes=1)

TickStep = Callable[[], list[str]]

_steps: dict[str, TickStep] = {}


def register_tick_step(name: str, step: TickStep) -> None:
    """Run ``step`` on every tick (registered from an app's ``AppConfig.ready``). A step must
    be safe to run at any time and on several nodes at once: lock each row it changes and
    check again under the lock, as :func:`close_due_ballots` does."""
    _steps[name] = step


def run_tick(*, min_batch: int = 10, head_every: datetime.timedelta = HEAD_EVERY) -> list[str]:
    """One pass over every ballot; returns what was done, one line per action."""
    done = [f"opened {election_id}" for election_id in open_due_ballots()]
    done += [f"closed {election_id}" for election_id in close_due_ballots()]
    done += send_due_reminders()
    live = Ballot.objects.filter(status__in=[BallotStatus.OPEN, BallotStatus.CLOSED])
    for ballot in live:
        heads_before = ballot.heads.count()
        sealed = seal_pending(ballot, min_batch=min_batch, head_every=head_every)
        if sealed:
            done.append(f"sealed {sealed} ballot(s) into {ballot.election_id}")
        elif ballot.heads.count() > heads_before:
            done.append(f"signed a head for {ballot.election_id}")
    done += deliver_pending_results()
    for step in _steps.values():
        done += step()
    sql.vacuum_unsealed()
    return done
