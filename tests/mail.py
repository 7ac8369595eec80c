"""A real SMTP server for tests: Django's SMTP backend delivers to aiosmtpd on a free localhost
port, and the tests read what arrived. Use the ``mailbox`` fixture (import it into a
conftest.py, as tests/accounts and tests/messaging do)."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Delivered:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None, "the message has no plain-text part"
        return str(body.get_content())


@dataclass
class Mailbox:
    """Everything the SMTP server accepted, in order of arrival."""

    delivered: list[Delivered] = field(default_factory=list)
    # Addresses the server refuses at RCPT TO with a 550, as a real server does an unknown user.
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.delivered.append(Delivered(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Delivered]:
        return [d for d in self.delivered if address in d.recipients]

    def last_to(self, address: str) -> Delivered:
        received = self.to(address)
        assert received, f"no mail reached {address}; delivered: {self.delivered!r}"
        assert "INVALID_TEMPLATE_VARIABLE" not in received[-1].text
        return received[-1]


def code_in(text: str) -> str:
    """The one-time code allauth puts on a line of its own (e.g. ``7KQX-M2PA``)."""
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", text, re.MULTILINE)
    assert match, f"no code in:\n{text}"
    return match.group(1)


def link_in(text: str) -> str:
    match = re.search(r"https?://\S+", text)
    assert match, f"no link in:\n{text}"
    return match.group(0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    try:
        yield box
    finally:
        controller.stop()
