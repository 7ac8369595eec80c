"""Our own account pages (allauth's are in the main table)."""

from tests.web.access import Case, logged_in

CASES = [
    Case("account_logout_everywhere", logged_in(200), about="GET explains; POST logs out"),
]
