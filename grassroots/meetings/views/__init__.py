"""Meeting pages: thin views that parse a form, call a service or query, and render.

Bad input and wrong moments come back from the services as ``MeetingError``: the page is drawn
again with the message (status 400) and nothing is stored.

One module per concern: ``meetings`` (the meeting, its calendar, agenda and attendance),
``quorum``, ``motions`` (with amendments and outcomes), ``debate`` and ``minutes``;
``common`` holds what they share.
"""
