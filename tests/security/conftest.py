"""Login codes in the security tests arrive at the real SMTP server of ``tests.mail``."""

from tests.mail import Mailbox, code_in, mailbox

__all__ = ["Mailbox", "code_in", "mailbox"]
