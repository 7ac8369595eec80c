"""Who may vote in a ballot (and nominate, and support a nomination): the rule the roll is
frozen by, and the same rule in words for a member it leaves out, side by side so that they
cannot drift apart (tests/ballots/test_eligibility.py holds them equal).

The query also says which rule admitted each member (``admitted_by``, an ``AdmittedBy``),
which the freeze writes on the roll entry in the same ``INSERT ... SELECT``
(``ballots.sql.freeze_roll``); :func:`admission_in_words` says it to the member."""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext

from grassroots.ballots.models import AdmittedBy, Ballot, OrganisationRule, RollEntry, RuleMode
from grassroots.organisation.permissions import group_ids_in
from grassroots.people.dues import only_paid_up, paid_up_requirement
from grassroots.people.models import (
    NEVER_ELIGIBLE,
    DeclaredMembership,
    Member,
    MembershipStatus,
    OrganisationList,
)


def organisation_rule(ballot: Ballot) -> OrganisationRule | None:
    return OrganisationRule.objects.filter(ballot=ballot).select_related("organisation").first()


def _holds(rule: OrganisationRule) -> Exists:
    """The member (the outer query's row) meets the rule: declared membership of the
    organisation, confirmed by its imported list if the rule needs that."""
    declared = DeclaredMembership.objects.filter(
        member=OuterRef("pk"), organisation_id=rule.organisation_id
    )
    if rule.needs_confirmation:
        declared = declared.filter(confirmed_by__isnull=False)
    return Exists(declared)


def eligible_members(ballot: Ballot) -> QuerySet[Member]:
    """Who may vote (and nominate, and support a nomination): the rule the roll is frozen by,
    each member annotated with the rule that admits them (``admitted_by``).

    Every voter is not suspended or expelled, paid up and joined in time where the ballot says
    so, and in its scope. Then: their status is one the ballot takes; with an organisation
    rule "required", that and membership of the organisation; with "also admits", that or a
    supporter's membership of the organisation (the first that holds is recorded)."""
    eligible = Member.objects.exclude(status__in=NEVER_ELIGIBLE)
    eligible = only_paid_up(eligible, paid_up_requirement("ballot", ballot.pk))
    if ballot.joined_before is not None:
        eligible = eligible.filter(joined_on__lt=ballot.joined_before)
    group_ids = group_ids_in(ballot)
    if group_ids is not None:
        eligible = eligible.filter(home_group_id__in=group_ids)
    takes_status = Q(status__in=ballot.eligible_statuses)
    word = CharField(max_length=12)
    rule = organisation_rule(ballot)
    if rule is None:
        return eligible.filter(takes_status).annotate(
            admitted_by=Value(AdmittedBy.STATUS.value, output_field=word)
        )
    if rule.mode == RuleMode.REQUIRED:
        return eligible.filter(takes_status, _holds(rule)).annotate(
            admitted_by=Value(AdmittedBy.STATUS_AND_ORGANISATION.value, output_field=word)
        )
    by_organisation = Q(status=MembershipStatus.SUPPORTER) & Q(_holds(rule))
    return eligible.filter(takes_status | by_organisation).annotate(
        admitted_by=Case(
            When(takes_status, then=Value(AdmittedBy.STATUS.value)),
            default=Value(AdmittedBy.ORGANISATION.value),
            output_field=word,
        )
    )


def is_eligible(ballot: Ballot, member: Member | None) -> bool:
    return member is not None and eligible_members(ballot).filter(pk=member.pk).exists()


def why_not_eligible(ballot: Ballot, member: Member) -> list[str]:
    """Each rule of :func:`eligible_members` that leaves ``member`` out, in words addressed to
    them (empty: the rule takes them)."""
    reasons = []
    status = MembershipStatus(member.status).label.lower()
    rule = organisation_rule(ballot)
    if member.status in NEVER_ELIGIBLE:
        reasons.append(
            gettext("your membership is %(status)s, and no ballot takes a %(status)s member")
            % {"status": status}
        )
    elif member.status not in ballot.eligible_statuses:
        takes = ", ".join(_statuses(s) for s in ballot.eligible_statuses)
        also = rule is not None and rule.mode == RuleMode.ALSO_ADMITS
        missing = ""
        if rule is not None and also:
            takes = gettext("%(takes)s, and supporters who are %(rule)s") % {
                "takes": takes,
                "rule": rule_in_words(rule),
            }
            if member.status == MembershipStatus.SUPPORTER:
                missing = _organisation_reason(rule, member)
        if not also or member.status != MembershipStatus.SUPPORTER or missing:
            reasons.append(
                gettext("your membership status is “%(status)s”; this ballot takes %(takes)s")
                % {"status": status, "takes": takes}
            )
        if missing:
            reasons.append(missing)
    if rule is not None and rule.mode == RuleMode.REQUIRED:
        missing = _organisation_reason(rule, member)
        if missing:
            reasons.append(missing)
    if ballot.joined_before is not None and member.joined_on >= ballot.joined_before:
        reasons.append(
            gettext(
                "you joined on %(joined)s; this ballot takes members who joined before %(before)s"
            )
            % {"joined": _day(member.joined_on), "before": _day(ballot.joined_before)}
        )
    paid_up_by = paid_up_requirement("ballot", ballot.pk)
    if paid_up_by is not None:
        paid_to = getattr(getattr(member, "dues", None), "paid_up_to", None)
        if paid_to is None or paid_to < paid_up_by:
            held = (
                gettext("your dues are paid up to %(day)s") % {"day": _day(paid_to)}
                if paid_to is not None
                else gettext("we hold no dues payment for you")
            )
            reasons.append(
                gettext("%(held)s; this ballot needs them paid up to %(day)s")
                % {"held": held, "day": _day(paid_up_by)}
            )
    group_ids = group_ids_in(ballot)
    if group_ids is not None and member.home_group_id not in group_ids:
        home = member.home_group.name if member.home_group is not None else gettext("none")
        reasons.append(
            gettext("your home group (%(home)s) is not in this ballot's scope (%(scope)s)")
            % {"home": home, "scope": ballot.scope_name}
        )
    return reasons


def rule_in_words(rule: OrganisationRule) -> str:
    """The rule as the ballot's pages say it: "members of Unite (declared on their profile and
    confirmed by Unite's membership list)"."""
    name = rule.organisation.name
    if rule.needs_confirmation:
        return gettext(
            "members of %(name)s (declared on their profile and confirmed by %(name)s's "
            "membership list)"
        ) % {"name": name}
    return gettext("members of %(name)s (declared on their profile)") % {"name": name}


def _organisation_reason(rule: OrganisationRule, member: Member) -> str:
    """Why ``member`` does not meet ``rule`` ("" if they do), addressed to them."""
    name = rule.organisation.name
    declared = DeclaredMembership.objects.filter(
        member=member, organisation_id=rule.organisation_id
    ).first()
    if declared is None:
        return gettext(
            "you have not declared membership of %(name)s on your profile; this ballot takes "
            "%(rule)s"
        ) % {"name": name, "rule": rule_in_words(rule)}
    if not rule.needs_confirmation or declared.confirmed_by_id is not None:
        return ""
    held = OrganisationList.objects.filter(organisation_id=rule.organisation_id).first()
    if held is None:
        return gettext(
            "your declared membership of %(name)s is not confirmed yet: no membership list of "
            "%(name)s has been imported"
        ) % {"name": name}
    return gettext(
        "your declared membership of %(name)s (number %(number)s) is not on %(name)s's "
        "membership list imported on %(day)s"
    ) % {
        "name": name,
        "number": declared.membership_number,
        "day": _day(held.imported_at.date()),
    }


def admission_in_words(ballot: Ballot, admitted_by: str) -> str:
    """How a member on the roll was admitted, for their own ballot page and the returning
    officer: "your membership status", "... and your membership of Unite (...)"."""
    if admitted_by == AdmittedBy.STATUS:
        return gettext("your membership status")  # no query: the vote page reads it per paper
    rule = organisation_rule(ballot)
    organisation = gettext("your membership of another organisation")
    if rule is not None:
        words = (
            gettext("your membership of %(name)s (declared, and confirmed by its list)")
            if rule.needs_confirmation
            else gettext("your membership of %(name)s (declared)")
        )
        organisation = words % {"name": rule.organisation.name}
    if admitted_by == AdmittedBy.STATUS_AND_ORGANISATION:
        return gettext("your membership status and %(organisation)s") % {
            "organisation": organisation
        }
    if admitted_by == AdmittedBy.ORGANISATION:
        return gettext("%(organisation)s, as a supporter") % {"organisation": organisation}
    return gettext("your membership status")


def _statuses(status: str) -> str:
    """A membership status as the members who have it: "members", "supporters"."""
    plural = {
        MembershipStatus.MEMBER.value: gettext("members"),
        MembershipStatus.SUPPORTER.value: gettext("supporters"),
        MembershipStatus.LAPSED.value: gettext("lapsed members"),
        MembershipStatus.SUSPENDED.value: gettext("suspended members"),
        MembershipStatus.EXPELLED.value: gettext("expelled members"),
    }
    return plural.get(status, str(MembershipStatus(status).label).lower())


def _day(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def admission_counts(ballot: Ballot) -> list[tuple[str, int]]:
    """How many members on the frozen roll each rule admitted, in words, for the returning
    officer (never published: docs/slates.md)."""
    counts = (
        RollEntry.objects.filter(ballot=ballot)
        .order_by()
        .values_list("admitted_by")
        .annotate(n=Count("pk"))
    )
    found: dict[str, int] = dict(counts)
    rule = organisation_rule(ballot)
    named = {
        AdmittedBy.STATUS: "membership status",
        AdmittedBy.STATUS_AND_ORGANISATION: "membership status and membership of "
        + (rule.organisation.name if rule else "another organisation"),
        AdmittedBy.ORGANISATION: "a supporter's membership of "
        + (rule.organisation.name if rule else "another organisation"),
    }
    return [
        (named[choice], found[choice.value]) for choice in AdmittedBy if found.get(choice.value)
    ]


def roll_admission(ballot: Ballot, member_id: int | None) -> str | None:
    """How the member was admitted to the ballot's roll, in words to them; None when they
    are not on it."""
    if member_id is None:
        return None
    admitted_by = (
        RollEntry.objects.filter(ballot=ballot, member_id=member_id)
        .values_list("admitted_by", flat=True)
        .first()
    )
    return None if admitted_by is None else admission_in_words(ballot, admitted_by)
