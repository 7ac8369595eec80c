"""``{{ row.made_by_label|person:row.made_by }}``: who recorded something, as a person reads it.

Records keep the login's email as their label (erasure finds a login's traces by it), but an
email is a login's private detail: pages show the person's name instead (issue 21: members saw
officers' login emails on the delegation page). A label that is not an email ("system", a
name) is shown as it is; an email whose login has no member record reads "an officer".
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def person(label: str, user: Any = None) -> str:
    text = str(label or "")
    if "@" not in text:
        return text
    member = getattr(user, "member", None) if user is not None else None
    if member is not None:
        return f"{member.first_name} {member.last_name}"
    return "an officer"
