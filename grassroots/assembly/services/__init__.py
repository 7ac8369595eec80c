"""Writes of a meeting in session, by concern: ``orders`` (standing orders), ``votes`` (open,
cast, close), ``proxies``, ``speakers``, ``codes`` (one-time voting codes); ``common`` holds
what they share. Importers name the concern module (docs/decisions.md)."""
