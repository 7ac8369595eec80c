"""Every change to meetings: one function per use case, permission first, one transaction,
an audit row. ``actor`` is the logged-in user; bad input raises ``MeetingError``
(``common``) with a message fit to show on the page, and nothing is stored.

One module per concern: ``scheduling``, ``agenda``, ``attendance`` (RSVP and sign-in),
``motions``, ``amendments``, ``debate``, ``decisions`` (outcomes at the meeting and by ballot),
``minutes``, ``quorum`` (rules) and ``history`` (a meeting held before it was recorded here,
the one way to write past dates). Import a use case from its module.
"""
