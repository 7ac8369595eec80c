"""Every write to ballots: one function per step of the ballot's life, permission first, audited.

One module per concern; import from the module that does the step:

- ``errors``: ``BallotError`` and its kinds, each with its HTTP status.
- ``setup``: ``create_ballot``, ``add_question``, ``add_candidate``.
- ``nominations``: opening, making, supporting, withdrawing, rejecting, confirming nominations.
- ``group_support``: a group's resolution to support a nomination.
- ``tellers``: the tellers' key, its shares collected and entered.
- ``reminders``: the invitation and reminders to the roll.
- ``lifecycle``: opening and closing the poll (by hand and by the scheduler).
- ``casting``: a member's vote, its receipt, the receipt by email.
- ``sealing``: the public log's batches and signed heads.
- ``counting``: decrypting and counting, as a background task.
- ``publishing``: declaring the result.
- ``initiatives``: the national ballot a member initiative calls.
- ``kept_shares``: shares handed to the deployment's share keeper, where it has one.

Casting is the exception to "audited": see ``casting``.
"""
