"""Pages of a meeting in session, by who uses them: ``live`` (attendees, the projector),
``chair`` (the chair's console), ``desk`` (the secretary's desk: proxies, codes, the kiosk,
standing orders)."""
