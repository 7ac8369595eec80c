"""Every write in the delegation app, one module per concern: ``allocation`` of delegates,
``delegates`` (recorded, withdrawn, replaced), ``forwarding`` carried motions upward and
``composites``; ``common`` holds the error and the rules they share.

Each use case checks permission first, validates, writes and audits in one durable
transaction; anything the rules refuse raises ``DelegationError`` with the reason to show, and
changes nothing.
"""
