"""What api holds about a member or a login, for erasure.

Registered with people from ``ApiConfig.ready`` (people sits below api:
docs/decisions.md); its rows are in the subject-access export through ``other_records``,
row by row, and docs/data-protection.md has these rules in prose.
"""

from __future__ import annotations

from grassroots.people.erasure_rules import (
    LOGIN_GOES,
    Action,
    Rule,
)

ERASURE_RULES: dict[str, Rule] = {
    "api.apitoken.user": Rule(Action.DELETE, LOGIN_GOES, "a token is a credential"),
}
