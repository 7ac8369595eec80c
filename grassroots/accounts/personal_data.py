"""What erasure does to the login's own tables (allauth's addresses and authenticators, the
sessions, the admin's log, Django's permission links): they go with the login.

Registered with people from ``AccountsConfig.ready``: erasure deletes the login
(``grassroots.people.erasure``), and these rules say so for each table that points at it.
"""

from __future__ import annotations

from grassroots.people.erasure_rules import (
    LOGIN_GOES,
    Action,
    Rule,
)

ERASURE_RULES: dict[str, Rule] = {
    "account.emailaddress.user": Rule(Action.DELETE, LOGIN_GOES, "login data"),
    "mfa.authenticator.user": Rule(Action.DELETE, LOGIN_GOES, "login data"),
    "accounts.user_groups.user": Rule(Action.DELETE, LOGIN_GOES, "login data"),
    "accounts.user_user_permissions.user": Rule(Action.DELETE, LOGIN_GOES, "login data"),
    "accounts.session.user": Rule(
        Action.DELETE, LOGIN_GOES, "the login's sessions: erasure logs the person out everywhere"
    ),
    "admin.logentry.user": Rule(
        Action.DELETE, LOGIN_GOES, "the admin site's own log; the audit log is the record"
    ),
}
