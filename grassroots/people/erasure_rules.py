"""What erasure does to every row that names a member or their login: one rule per relation.

People sits below the apps whose rows name a member (docs/decisions.md), so it cannot list their
rules itself. Each app declares the rules for its own relations in its ``personal_data`` module
and registers them here from its ``AppConfig.ready`` (:func:`register_erasure_rules`); erasure
runs every registered rule. A rule is keyed by ``app_label.model.field`` for a foreign key or
one-to-one field that points at ``people.Member`` or at the login (``accounts.User``),
many-to-many through tables included. tests/people/test_erasure_rules.py walks the app registry
and fails when a relation has no registered rule, so a new app cannot forget erasure; the table
in docs/data-protection.md is these rules in prose, and the same test checks every key is in it.

The member row itself is pseudonymised, never deleted (``grassroots.people.erasure``), so a row
that is kept still points at a record that names nobody; a rule says what else must go. Rules on
the login run around the login's deletion: a "delete" rule is the login's own CASCADE, an
"anonymise" rule clears the link (SET NULL) and rewrites the email label kept beside it to the
erased label, ``erased member #<membership number>``, so a record of who did what stays
meaningful (the number leads to the role history) without the address.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from grassroots.people.models import Member

ERASED_NAME = ("Erased", "member")
ERASED_LABEL_PREFIX = "erased member #"  # audit migrations 0003-0004 allow exactly this rewrite


def erased_label(member: Member) -> str:
    return f"{ERASED_LABEL_PREFIX}{member.membership_number}"


@dataclass(frozen=True)
class Erasure:
    """One erasure in progress: the member (not yet pseudonymised when the member rules run),
    their login's id (None without a login) and every address the person used, for labels
    that hold an email without a link."""

    member: Member
    user_id: int | None
    emails: frozenset[str]
    label: str


class Action(enum.StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"
    KEEP = "keep"


Step = Callable[[Erasure], None]


@dataclass(frozen=True)
class Rule:
    action: Action
    does: str  # what erasure does to the row
    why: str  # why that, and for a kept row the reason it may be kept
    apply: Step | None = None
    # Rules on the login: run after the login is deleted, not before (the audit log's rows
    # keep the login's id, and its guard only lets a label be rewritten once that login is gone).
    after_login_deleted: bool = False


def _model(label: str) -> Any:
    return apps.get_model(label)


def delete_rows(label: str, field: str) -> Step:
    """A rule's step: delete the rows of ``label`` whose ``field`` is the member."""

    def apply(erasure: Erasure) -> None:
        _model(label)._default_manager.filter(**{field: erasure.member}).delete()

    return apply


def relabel(label: str, field: str, label_field: str) -> Step:
    """Before the login goes: the label beside the link becomes the erased label (the link
    itself is then cleared by the login's SET NULL)."""

    def apply(erasure: Erasure) -> None:
        if erasure.user_id is not None:
            _model(label)._default_manager.filter(**{f"{field}_id": erasure.user_id}).update(
                **{label_field: erasure.label}
            )

    return apply


def relabel_by_email(label: str, field: str) -> Step:
    """An extra step for a label that holds the actor's email with no link beside it (an office
    ended, a forward placed on an agenda): matched by every address the person used."""

    def apply(erasure: Erasure) -> None:
        model = _model(label)
        for email in erasure.emails:
            model._default_manager.filter(**{f"{field}__iexact": email}).update(
                **{field: erasure.label}
            )

    return apply


# Phrases the apps' rules share, so the table in docs/data-protection.md reads alike.
OFFICER_ACT = (
    "an act done in office or on the body's behalf: the body's record of who did it stays, "
    "naming a record that now names nobody"
)
BODY_RECORD = (
    "the body's own record of its business (members debated, amended and decided on it): "
    "the words stay, the name is now 'Erased member'"
)
LOGIN_GOES = "deleted with the login (CASCADE)"
LOGIN_LINK = "the link to the login is cleared (SET NULL) when the login is deleted"
LOGIN_LABEL = "link cleared (SET NULL); its email label becomes 'erased member #<number>'"
LABEL_WHY = (
    "who did it stays traceable to the office held (the number leads to role history) "
    "without the email"
)


@dataclass(frozen=True)
class _Registered:
    rules: Mapping[str, Rule]  # the app's own table, as declared (tests may patch a rule in it)
    steps: tuple[Step, ...]


_registered: dict[str, _Registered] = {}


def register_erasure_rules(
    owner: str, rules: Mapping[str, Rule], *, steps_before_login: Sequence[Step] = ()
) -> None:
    """Register (or, for the same ``owner``, replace) an app's rules; called from its
    ``AppConfig.ready``. ``steps_before_login`` run after the rules of the first phase, for
    labels that hold an email without a link (:func:`relabel_by_email`). A relation has one
    rule: a key another app already registered is refused."""
    for other, registered in _registered.items():
        taken = sorted(set(rules) & set(registered.rules))
        if other != owner and taken:
            raise ImproperlyConfigured(f"{owner} registers erasure rules {other} has: {taken}")
    _registered[owner] = _Registered(rules, tuple(steps_before_login))


def all_rules() -> dict[str, Rule]:
    """Every registered rule, by relation, in the order the apps registered them."""
    return {key: rule for r in _registered.values() for key, rule in r.rules.items()}


def rule_owners() -> dict[str, str]:
    """Which app registered the rule for each relation."""
    return {key: owner for owner, r in _registered.items() for key in r.rules}


def apply_rules(erasure: Erasure, *, after_login_deleted: bool) -> None:
    """Run every rule of one phase, app by app in the order they registered, each app's rules
    in its own order; then, before the login goes, the apps' extra steps."""
    for registered in list(_registered.values()):
        for rule in registered.rules.values():
            if rule.apply is not None and rule.after_login_deleted == after_login_deleted:
                rule.apply(erasure)
    if not after_login_deleted:
        for registered in list(_registered.values()):
            for step in registered.steps:
                step(erasure)
