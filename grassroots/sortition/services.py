"""Every write to draws by lot: one function per step, permission first, audited.

The draw itself is :func:`grassroots.sortition.draw.draw`, pure, fed the volunteers'
pseudonyms and category values: exactly what the published record holds, so a member who
reruns the record gets what the server got.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.ballots.keys import open_with_server_key, seal_with_server_key
from grassroots.organisation.permissions import Capability, Scope, may
from grassroots.organisation.scopes import body_named, scope_columns
from grassroots.people.models import Member
from grassroots.people.queries import own_member
from grassroots.sortition import draw as lot
from grassroots.sortition.models import Draw, DrawStatus, Volunteer
from grassroots.sortition.queries import may_volunteer, pool_of
from grassroots.sortition.record import commitment_of
from grassroots.sortition.words import error_in_words

SEED_PURPOSE = "sortition-seed"
SEED_BYTES = 32


class DrawError(Exception):
    """A request the draw's rules refuse, with a message for the person who made it."""

    http_status = 400


class WrongStage(DrawError):
    http_status = 409


def _audit(actor: User, action: AuditAction, draw: Draw, **detail: Any) -> None:
    record(
        actor=actor,
        action=action,
        subject_type="draw",
        subject_id=draw.pk,
        scope=draw.scope_name,
        purpose="sortition",
        detail=detail,
    )


def _require_runner(actor: User, draw: Draw) -> None:
    if not may(actor, Capability.RUN_SORTITION, draw):
        raise PermissionDenied(gettext("You cannot run this draw."))


def _locked(draw: Draw) -> Draw:
    return Draw.objects.select_for_update().get(pk=draw.pk)


def _require_status(draw: Draw, *allowed: str) -> None:
    if draw.status not in allowed:
        raise WrongStage(
            gettext("This cannot be done while the draw is “%(status)s”.")
            % {"status": draw.get_status_display()}
        )


def check_design(
    *, seats: int, categories: Sequence[Mapping[str, Any]], quotas: Sequence[Mapping[str, Any]]
) -> None:
    """Refuse categories and quotas that make no sense together, before any volunteer."""
    names = [str(c["name"]) for c in categories]
    values = {str(c["name"]): list(c["values"]) for c in categories}
    for name, listed in values.items():
        if not listed:
            raise DrawError(
                gettext("The category “%(name)s” needs at least one value.") % {"name": name}
            )
        if len(set(listed)) != len(listed):
            raise DrawError(
                gettext("The category “%(name)s” lists a value twice.") % {"name": name}
            )
    for q in quotas:
        if q["category"] in values and q["value"] not in values[q["category"]]:
            raise DrawError(
                gettext(
                    "The quota for %(category)s “%(value)s” names a value that is not one of "
                    "%(category)s's: %(values)s."
                )
                % {
                    "category": q["category"],
                    "value": q["value"],
                    "values": ", ".join(values[q["category"]]),
                }
            )
    pool = lot.Pool(
        seats=seats,
        categories=tuple(names),
        volunteers=(),
        quotas=tuple(
            lot.Quota(q["category"], q["value"], q["minimum"], q["maximum"]) for q in quotas
        ),
    )
    _check_quotas(quotas)
    try:
        lot.check_pool(pool)
    except lot.SortitionError as error:
        raise DrawError(str(error)[:1].upper() + str(error)[1:] + ".") from None
    for name in names:
        minimums = sum(q["minimum"] for q in quotas if q["category"] == name)
        if minimums > seats:
            raise DrawError(
                gettext(
                    "The minimums for %(name)s add up to %(minimums)s, more than the %(seats)s "
                    "seats."
                )
                % {"name": name, "minimums": minimums, "seats": seats}
            )
        capped = {q["value"]: q["maximum"] for q in quotas if q["category"] == name}
        if all(capped.get(v) is not None for v in values[name]):
            room = sum(capped[v] for v in values[name])
            if room < seats:
                raise DrawError(
                    gettext(
                        "The maximums for %(name)s add up to %(room)s, fewer than the %(seats)s "
                        "seats."
                    )
                    % {"name": name, "room": room, "seats": seats}
                )


def _check_quotas(quotas: Sequence[Mapping[str, Any]]) -> None:
    """The draw's own checks of the quotas an officer can get wrong (``lot.check_pool`` makes
    them again), said in the officer's language."""
    seen: set[tuple[str, str]] = set()
    for q in quotas:
        words = {
            "category": q["category"],
            "value": q["value"],
            "minimum": q["minimum"],
            "maximum": q["maximum"],
        }
        if (q["category"], q["value"]) in seen:
            raise DrawError(gettext("Two quotas for %(category)s “%(value)s”.") % words)
        seen.add((q["category"], q["value"]))
        if q["maximum"] is not None and q["maximum"] < q["minimum"]:
            raise DrawError(
                gettext(
                    "The quota for %(category)s “%(value)s” has its maximum (%(maximum)s) below "
                    "its minimum (%(minimum)s)."
                )
                % words
            )


@transaction.atomic(durable=True)
def create_draw(
    *,
    actor: User,
    title: str,
    description: str,
    seats: int,
    level: str,
    scope: Scope | None,
    categories: Sequence[Mapping[str, Any]],
    quotas: Sequence[Mapping[str, Any]],
) -> Draw:
    body = body_named(level, scope)
    if body is None:
        raise DrawError(
            gettext("Choose where the draw is held: the whole movement, a region, area or group.")
        )
    if not may(actor, Capability.RUN_SORTITION, body):
        raise PermissionDenied(gettext("You cannot run a draw there."))
    creator = own_member(actor)
    if creator is None:
        raise PermissionDenied(gettext("Only a member can run a draw."))
    check_design(seats=seats, categories=categories, quotas=quotas)
    draw = Draw.objects.create(
        title=title.strip(),
        description=description.strip(),
        seats=seats,
        categories=[{"name": str(c["name"]), "values": list(c["values"])} for c in categories],
        quotas=[dict(q) for q in quotas],
        created_by=creator,
        created_at=clock.now(),
        **scope_columns(level, scope),
    )
    _audit(actor, AuditAction.CREATE_DRAW, draw, seats=seats, quotas=draw.quotas)
    return draw


def _check_values(draw: Draw, categories: Mapping[str, str]) -> dict[str, str]:
    stated: dict[str, str] = {}
    for category in draw.categories:
        value = categories.get(category["name"], "")
        if value not in category["values"]:
            raise DrawError(
                gettext("Choose your %(category)s from the list.") % {"category": category["name"]}
            )
        stated[category["name"]] = value
    return stated


def _add_volunteer(draw: Draw, member: Member, categories: Mapping[str, str]) -> Volunteer:
    stated = _check_values(draw, categories)
    for _ in range(5):
        try:
            with transaction.atomic():
                return Volunteer.objects.create(
                    draw=draw,
                    member=member,
                    pseudonym="v-" + secrets.token_hex(4),
                    categories=stated,
                    volunteered_at=clock.now(),
                )
        except IntegrityError:
            if Volunteer.objects.filter(draw=draw, member=member).exists():
                raise DrawError(gettext("You have already volunteered for this draw.")) from None
    raise DrawError(gettext("Could not give you a pseudonym; please try again."))


@transaction.atomic(durable=True)
def volunteer(*, actor: User, draw: Draw, categories: Mapping[str, str]) -> Volunteer:
    """The member offers to serve, stating the category values the quotas use."""
    draw = _locked(draw)
    member = own_member(actor)
    if not may_volunteer(draw, member):
        raise DrawError(
            gettext("Only members whose home group is in this draw's scope can volunteer.")
        )
    assert member is not None
    _require_status(draw, DrawStatus.VOLUNTEERING)
    if Volunteer.objects.filter(draw=draw, member=member).exists():
        raise DrawError(gettext("You have already volunteered for this draw."))
    found = _add_volunteer(draw, member, categories)
    # The audit row says that the member volunteered, not under which pseudonym or categories.
    _audit(actor, AuditAction.VOLUNTEER_FOR_DRAW, draw)
    return found


@transaction.atomic(durable=True)
def withdraw_volunteering(*, actor: User, draw: Draw) -> None:
    draw = _locked(draw)
    member = own_member(actor)
    _require_status(draw, DrawStatus.VOLUNTEERING)
    deleted, _ = Volunteer.objects.filter(draw=draw, member=member).delete()
    if not deleted:
        raise DrawError(gettext("You have not volunteered for this draw."))
    _audit(actor, AuditAction.WITHDRAW_FROM_DRAW, draw)


def add_volunteer_for_demo(draw: Draw, member: Member, categories: Mapping[str, str]) -> Volunteer:
    """The demo's volunteers (members with no login): the same checks, no actor."""
    with transaction.atomic():
        draw = _locked(draw)
        _require_status(draw, DrawStatus.VOLUNTEERING)
        if not may_volunteer(draw, member):
            raise DrawError(gettext("Only members in the draw's scope can volunteer."))
        return _add_volunteer(draw, member, categories)


@transaction.atomic(durable=True)
def commit_seed(*, actor: User, draw: Draw) -> Draw:
    """Make the seed now and publish only its SHA-256: after this no one can choose a seed
    to suit the volunteers who come forward."""
    _require_runner(actor, draw)
    draw = _locked(draw)
    _require_status(draw, DrawStatus.VOLUNTEERING)
    if draw.commitment:
        raise WrongStage(gettext("The seed is already committed."))
    seed = secrets.token_bytes(SEED_BYTES)
    draw.seed_sealed = seal_with_server_key(seed, purpose=SEED_PURPOSE)
    draw.commitment = commitment_of(seed)
    draw.committed_at = clock.now()
    draw.save(update_fields=["seed_sealed", "commitment", "committed_at"])
    _audit(actor, AuditAction.COMMIT_DRAW_SEED, draw, commitment=draw.commitment)
    return draw


@transaction.atomic(durable=True)
def close_volunteering(*, actor: User, draw: Draw) -> Draw:
    _require_runner(actor, draw)
    draw = _locked(draw)
    _require_status(draw, DrawStatus.VOLUNTEERING)
    if not draw.commitment:
        raise WrongStage(gettext("Commit the seed before volunteering closes."))
    pool = pool_of(draw)
    try:
        lot.check_feasible(pool)
    except lot.SortitionError as error:
        raise DrawError(
            gettext(
                "Volunteering stays open: %(error)s More members need to volunteer before it can "
                "close."
            )
            % {"error": error_in_words(error)}
        ) from None
    draw.status = DrawStatus.CLOSED
    draw.closed_at = clock.now()
    draw.save(update_fields=["status", "closed_at"])
    _audit(actor, AuditAction.CLOSE_DRAW_VOLUNTEERING, draw, volunteers=len(pool.volunteers))
    return draw


@transaction.atomic(durable=True)
def draw_by_lot(*, actor: User, draw: Draw) -> Draw:
    """Reveal the seed and draw the body."""
    _require_runner(actor, draw)
    draw = _locked(draw)
    _require_status(draw, DrawStatus.CLOSED)
    assert draw.seed_sealed is not None
    seed = open_with_server_key(bytes(draw.seed_sealed), purpose=SEED_PURPOSE)
    if commitment_of(seed) != draw.commitment:  # a damaged row must not draw silently
        raise DrawError(
            gettext("The kept seed does not match its commitment; the draw cannot go ahead.")
        )
    try:
        result = lot.draw(pool_of(draw), seed)
    except lot.SortitionError as error:
        raise DrawError(error_in_words(error)) from None
    draw.seed = seed.hex()
    draw.seed_sealed = None
    draw.selection = list(result.selected)
    draw.status = DrawStatus.DRAWN
    draw.drawn_at = clock.now()
    draw.save(update_fields=["seed", "seed_sealed", "selection", "status", "drawn_at"])
    _audit(actor, AuditAction.DRAW_BY_LOT, draw, seed=draw.seed, selection=draw.selection)
    return draw


@transaction.atomic(durable=True)
def replace_members(*, actor: User, draw: Draw, standing_down: Sequence[str]) -> list[str]:
    """Members of the body stand down; draw their replacements the same way. Returns them."""
    _require_runner(actor, draw)
    draw = _locked(draw)
    _require_status(draw, DrawStatus.DRAWN)
    if not standing_down:
        raise DrawError(gettext("Choose who is standing down."))
    members = draw.members_now
    ever = set(draw.selection) | {p for r in draw.replacements for p in r["chosen"]}
    try:
        chosen = lot.replace(
            pool_of(draw),
            bytes.fromhex(draw.seed),
            members=members,
            standing_down=list(standing_down),
            ever_selected=ever,
        )
    except lot.SortitionError as error:
        raise DrawError(error_in_words(error)) from None
    draw.replacements = [
        *draw.replacements,
        {
            "standing_down": list(standing_down),
            "chosen": list(chosen),
            "at": clock.now().isoformat(),
        },
    ]
    draw.save(update_fields=["replacements"])
    _audit(
        actor,
        AuditAction.DRAW_REPLACEMENTS,
        draw,
        standing_down=list(standing_down),
        chosen=list(chosen),
    )
    return list(chosen)
