"""The account tests' mail arrives at the real SMTP server of ``tests.mail``."""

from tests.mail import Delivered, Mailbox, code_in, link_in, mailbox

__all__ = ["Delivered", "Mailbox", "code_in", "link_in", "mailbox"]
