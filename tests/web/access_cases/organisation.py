"""Access rows for the organisation app's officer pages (docs/officers.md). Columns: anonymous,
member of A, member of B, Data Manager of A, Secretary of A, area coordinator, regional
coordinator, national office, auditor (every officer's home group is A)."""

from __future__ import annotations

from tests.web.access import LOGIN, Case

CASES = [
    Case(
        "group_officers",
        (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200),
        lambda m: {"slug": m.group_a.slug},
        about="the group's members and those who oversee it; not another group's member",
    ),
    Case(
        "group_officers",
        (LOGIN, 404, 200, 404, 404, 404, 404, 200, 200),
        lambda m: {"slug": m.group_b.slug},
        about="group B: its own member, and the national roles that oversee every group",
    ),
    Case(
        "group_appoint_officer",
        (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
        lambda m: {"slug": m.group_a.slug},
        about="the group's Secretary (or Chair) records its vote; MANAGE_OFFICERS over A",
    ),
    Case(
        "group_appoint_officer",
        (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404),
        lambda m: {"slug": m.group_b.slug},
        about="nobody of group A's side reaches group B's appointments",
    ),
    Case(
        "audit_log",
        (LOGIN, 404, 404, 404, 404, 404, 404, 404, 200),
        lambda m: {},
        about="the auditor reads the audit log; nobody else, not even national office",
    ),
    Case(
        "audit_log_export",
        (LOGIN, 404, 404, 404, 404, 404, 404, 404, 200),
        lambda m: {},
        about="the audit log's CSV export, recorded like the page",
    ),
]
