"""Notification tests deliver to the real SMTP server of ``tests.mail``."""

from tests.mail import Mailbox, mailbox

__all__ = ["Mailbox", "mailbox"]
