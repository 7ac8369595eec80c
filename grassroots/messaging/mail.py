"""The messages a mailout sends: plain text, one per member, with the one-click unsubscribe
headers of RFC 8058 on campaign mail, and the signed tokens those links carry."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from string import Template

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from grassroots.messaging.models import TRANSACTIONAL_KINDS, MailKind, Mailout
from grassroots.people.models import Member

TOKEN_SALT = "grassroots.messaging.unsubscribe"  # noqa: S105 (a salt, not a secret)


@dataclass(frozen=True)
class UnsubscribeRequest:
    member_id: int
    scope_key: str


class BadToken(Exception):
    """The unsubscribe link was altered, cut short or signed with another key."""


def unsubscribe_token(member_id: int, scope_key: str) -> str:
    # No expiry: RFC 8058 links must keep working for as long as the mail sits in an inbox.
    return signing.dumps({"m": member_id, "s": scope_key}, salt=TOKEN_SALT, compress=True)


def read_unsubscribe_token(token: str) -> UnsubscribeRequest:
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature as error:
        raise BadToken(str(error)) from None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        raise BadToken(gettext("malformed token"))
    return UnsubscribeRequest(member_id=data["m"], scope_key=str(data.get("s", "")))


def unsubscribe_url(member_id: int, scope_key: str) -> str:
    path = reverse(
        "messaging:unsubscribe", kwargs={"token": unsubscribe_token(member_id, scope_key)}
    )
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + path


def sender_address(mailout: Mailout) -> str:
    """The site's own address, named after the scope: officers' addresses are not exposed
    either, and replies do not reach a private inbox."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if mailout.kind == MailKind.CAMPAIGN:
        name = f"{mailout.scope_name} via Grassroots"
    else:
        name = "Grassroots"
    return formataddr((name, address))


def personalise(text: str, member: Member, personal: dict[str, str] | None) -> str:
    """System mail may say ``$first_name`` or carry a caller's ``$link``; ``Template`` does
    nothing but replace names (no attribute access, unlike ``str.format``)."""
    values = {"first_name": member.first_name, "membership_number": member.membership_number}
    values.update(personal or {})
    return Template(text).safe_substitute(values)


def build_message(
    mailout: Mailout, member: Member, personal: dict[str, str] | None, from_email: str
) -> EmailMessage:
    """The member's message: the mailout's text in their language (``Mailout.text_for``),
    with the footer in that language too."""
    language = member.mail_language
    subject, text = mailout.text_for(language)
    with translation.override(language):
        return _message(mailout, member, personal, from_email, subject, text)


def _message(
    mailout: Mailout,
    member: Member,
    personal: dict[str, str] | None,
    from_email: str,
    subject: str,
    text: str,
) -> EmailMessage:
    headers: dict[str, str] = {}
    if mailout.kind in TRANSACTIONAL_KINDS:
        body = personalise(text, member, personal)
        footer = gettext(
            "This is %(kind)s from Grassroots. The movement's rules say every member it "
            "concerns receives it, so it reaches you even if you have unsubscribed from "
            "officers' messages."
        ) % {"kind": mailout.get_kind_display().lower()}
    elif mailout.kind == MailKind.NOTIFICATION:
        body = personalise(text, member, personal)
        link = unsubscribe_url(member.pk, mailout.scope_key)
        footer = (
            gettext("You receive this because your notification settings ask for it.")
            + "\n"
            + gettext("Stop all notification email: %(link)s") % {"link": link}
        )
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        body = text
        link = unsubscribe_url(member.pk, mailout.scope_key)
        footer = (
            gettext(
                "You receive this as a member in %(scope)s who agreed to hear from the "
                "movement. Your address was not shown to the sender."
            )
            % {"scope": mailout.scope_name}
            + "\n"
            + gettext("Stop messages sent to %(scope)s: %(link)s")
            % {"scope": mailout.scope_name, "link": link}
        )
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMessage(
        subject=subject,
        body=f"{body.rstrip()}\n\n-- \n{footer}\n",
        from_email=from_email,
        to=[member.email],
        headers=headers,
    )


def describe_failure(error: Exception) -> str:
    """Why a message failed, in words that name no address (smtplib's own text includes it)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"Refused by the mail server ({', '.join(map(str, codes))})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"Mail server error {error.smtp_code}"
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError):
        return "Mail server unreachable"
    return f"Not sent ({type(error).__name__})"
