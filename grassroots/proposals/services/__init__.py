"""Every write of decisions between meetings, one module per concern (docs/decisions.md):

- ``proposing``: make a proposal, amend and re-propose it, set a body's rules;
- ``positions``: take, change and withdraw a position;
- ``discussion``: the meetings debate thread beside a proposal: post, reply, edit, report,
  hide, dismiss a report;
- ``closing``: close at the deadline (the scheduler's tick) or early, the outcome statement;
- ``escalation``: send a contested proposal to a meeting's agenda or a ballot; schedule the
  meeting a time poll found;
- ``reminders``: remind the members who have not responded.

What they share (the error, limits, audit row, locks) is in ``common``.
"""
