"""The vocabulary of the URL x role access table: who the actors are and what each may get.

tests/web/test_access_matrix.py holds the table for the foundation's pages; each app may add its
own rows in a module of tests/web/access_cases/ that defines ``CASES`` (a list of Case). The
matrix test collects them all, so an app's URLs are covered without editing a shared file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.web.roles import Movement

# The columns of every row of ACCESS, in order. Everyone with a role has group A as home group.
ACTORS = (
    "anonymous",
    "member",  # a plain member of group A
    "other_member",  # a plain member of group B (another group, area and region)
    "data_manager",  # Data Manager of group A (B's members are in the member_detail rows)
    "secretary",  # Secretary of group A
    "coordinator",  # area coordinator of A's area
    "regional",  # regional coordinator of A's region
    "national",  # national office
    "auditor",  # auditor (national)
)


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location has exactly this path (query string ignored)."""

    path: str

    def __str__(self) -> str:
        return f"302 to {self.path}"


Expect = int | Redirect
LOGIN = Redirect("/accounts/login/")
ADMIN_LOGIN = Redirect("/admin/login/")
HOME = Redirect("/")
REAUTH = Redirect("/accounts/reauthenticate/")


@dataclass(frozen=True)
class Case:
    """One URL name, its kwargs built from the test movement, and the expected result for each
    of ACTORS, in that order."""

    url_name: str
    expect: tuple[Expect, ...]
    kwargs: Callable[[Movement], dict[str, str]] = lambda m: {}
    about: str = ""


def everyone(expected: Expect) -> tuple[Expect, ...]:
    return (expected,) * len(ACTORS)


def logged_in(expected: Expect) -> tuple[Expect, ...]:
    """Anonymous visitors are sent to log in; everyone logged in gets ``expected``."""
    return (LOGIN, *[expected] * (len(ACTORS) - 1))


def member_in(attr: str) -> Callable[[Movement], dict[str, str]]:
    return lambda m: {"number": getattr(m, attr).membership_number}
