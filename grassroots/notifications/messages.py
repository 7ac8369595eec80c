"""What a notification says, kept as a message key and its parameters and put into words when
it is read (the inbox, My data, a digest), in the reader's language (docs/i18n.md).

A parameter named in a message's ``dates`` holds an ISO datetime and is written in the
reader's language and the site's time zone (month names are words too). A row with no key
(written before keys existed, or by a caller with words of its own) shows its ``title``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Params = Mapping[str, str]


@dataclass(frozen=True)
class Message:
    text: Promise
    dates: Mapping[str, str] = field(default_factory=dict)


DAY_AND_TIME = "j F, H:i"
WEEKDAY_DAY_AND_TIME = "D j F, H:i"

MESSAGES: dict[str, Message] = {
    "ballot_opened": Message(_("Vote in “%(title)s” by %(closes)s"), {"closes": DAY_AND_TIME}),
    "ballot_published": Message(_("Result published: %(title)s")),
    "meeting_called": Message(_("%(title)s: %(starts)s"), {"starts": DAY_AND_TIME}),
    "motion_to_second": Message(_("%(proposer)s asks you to second “%(title)s”")),
    "proposal_to_decide": Message(
        _("%(scope)s asks you to decide: “%(title)s” (closes %(closes)s)"),
        {"closes": WEEKDAY_DAY_AND_TIME},
    ),
    "proposal_reminder": Message(
        _("Reminder: %(scope)s has not heard from you on “%(title)s” (closes %(closes)s)"),
        {"closes": WEEKDAY_DAY_AND_TIME},
    ),
    "survey_opened": Message(_("Survey open: %(title)s")),
    "initiative_to_sign": Message(_("Sign if you agree: %(title)s")),
}


class UnknownMessage(ValueError):
    pass


def stored_params(key: str, params: Mapping[str, object]) -> dict[str, str]:
    """The parameters as they are stored: text, and each date as an aware ISO datetime."""
    message = MESSAGES.get(key)
    if message is None:
        raise UnknownMessage(f"No notification message {key!r}.")
    stored: dict[str, str] = {}
    for name, value in params.items():
        if name in message.dates:
            if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
                raise UnknownMessage(f"{key}: {name} must be an aware datetime.")
            stored[name] = value.astimezone(datetime.UTC).isoformat()
        else:
            stored[name] = " ".join(str(value).split())
    missing = set(message.dates) - set(stored)
    if missing:
        raise UnknownMessage(f"{key}: missing {', '.join(sorted(missing))}.")
    try:
        render(key, stored, "")
    except (KeyError, ValueError) as error:
        raise UnknownMessage(f"{key}: {error}") from None
    return stored


def render(key: str, params: Params, title: str) -> str:
    """The notification's words in the active language; ``title`` when it has no key."""
    message = MESSAGES.get(key)
    if message is None:
        return title
    values: dict[str, str] = dict(params)
    for name, shape in message.dates.items():
        moment = datetime.datetime.fromisoformat(values[name])
        values[name] = dateformat.format(timezone.localtime(moment), shape)
    return str(message.text) % values


def render_in_default_language(key: str, params: Params) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render(key, params, "")
