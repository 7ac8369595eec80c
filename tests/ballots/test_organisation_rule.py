"""A ballot's rule on membership of another organisation (issue 16): the roll's query built
from it, the same rule in words, the rule that admitted each member recorded by the freeze,
and who is shown it."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from grassroots.ballots import sql
from grassroots.ballots.eligibility import eligible_members, why_not_eligible
from grassroots.ballots.models import AdmittedBy, Ballot, RollEntry, RuleMode
from grassroots.ballots.publication import record_summary
from grassroots.ballots.services.errors import WrongStage
from grassroots.ballots.services.lifecycle import open_ballot
from grassroots.ballots.services.organisation_rule import set_organisation_rule
from grassroots.people import affiliations
from grassroots.people.models import Member, MembershipStatus, OtherOrganisation
from tests.ballots.conftest import SetUp, make_ballot
from tests.factories import MemberWithLoginFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db

# A member's standing with the organisation: not declared, declared only, or declared and
# confirmed by its imported list.
STANDINGS = ("none", "declared", "confirmed")


def _organisation(setup: SetUp) -> OtherOrganisation:
    return affiliations.add_organisation(actor=setup.officer.user, name="Unite the Union")


def _members(setup: SetUp, organisation: OtherOrganisation) -> dict[tuple[str, str], Member]:
    """One member of the ballot's group for each status and standing; the confirmed ones are
    on the organisation's imported list."""
    members = {}
    listed = []
    for number, (status, standing) in enumerate(
        itertools.product(MembershipStatus.values, STANDINGS)
    ):
        member = MemberWithLoginFactory(home_group=setup.group, status=status)
        if standing != "none":
            affiliations.declare_membership(
                actor=member.user, organisation=organisation, membership_number=f"U{number}"
            )
        if standing == "confirmed":
            listed.append(f"U{number}")
        members[(status, standing)] = member
    affiliations.import_organisation_list(
        actor=setup.officer.user,
        organisation=organisation,
        text="membership_number\n" + "\n".join(listed) + "\n",
    )
    return members


def _expected(mode: str | None, needs_confirmation: bool, status: str, standing: str) -> str:
    """Which rule admits a member, worked out by hand from docs/slates.md ("" for none)."""
    holds = standing == "confirmed" or (standing == "declared" and not needs_confirmation)
    if status in ("suspended", "expelled"):
        return ""
    if mode is None:
        return AdmittedBy.STATUS if status == "member" else ""
    if mode == RuleMode.REQUIRED:
        return AdmittedBy.STATUS_AND_ORGANISATION if status == "member" and holds else ""
    if status == "member":
        return AdmittedBy.STATUS
    return AdmittedBy.ORGANISATION if status == "supporter" and holds else ""


def test_every_form_of_the_rule_admits_exactly_whom_it_says_and_says_why_not(
    ready_ballot: SetUp,
):
    organisation = _organisation(ready_ballot)
    members = _members(ready_ballot, organisation)
    ballot = ready_ballot.ballot
    forms = [(None, True), *itertools.product(RuleMode.values, (True, False))]
    for mode, needs_confirmation in forms:
        set_organisation_rule(
            actor=ready_ballot.officer.user,
            ballot=ballot,
            organisation=organisation if mode else None,
            needs_confirmation=needs_confirmation,
            mode=mode or RuleMode.REQUIRED,
        )
        admitted = dict(
            eligible_members(ballot)
            .filter(pk__in=[m.pk for m in members.values()])
            .values_list("pk", "admitted_by")
        )
        for (status, standing), member in members.items():
            expected = _expected(mode, needs_confirmation, status, standing)
            case = (mode, needs_confirmation, status, standing)
            assert admitted.get(member.pk, "") == expected, case
            reasons = why_not_eligible(ballot, Member.objects.get(pk=member.pk))
            assert (reasons == []) == bool(expected), (case, reasons)


def test_the_words_name_the_organisation_and_what_is_missing(ready_ballot: SetUp):
    organisation = _organisation(ready_ballot)
    members = _members(ready_ballot, organisation)
    ballot = ready_ballot.ballot
    set_organisation_rule(actor=ready_ballot.officer.user, ballot=ballot, organisation=organisation)
    said = why_not_eligible(ballot, members[("member", "none")])
    assert said == [
        "you have not declared membership of Unite the Union on your profile; this ballot "
        "takes members of Unite the Union (declared on their profile and confirmed by Unite "
        "the Union's membership list)"
    ]
    (said,) = why_not_eligible(ballot, members[("member", "declared")])
    assert said.startswith("your declared membership of Unite the Union (number U")
    assert "is not on Unite the Union's membership list imported on" in said
    set_organisation_rule(
        actor=ready_ballot.officer.user,
        ballot=ballot,
        organisation=organisation,
        mode=RuleMode.ALSO_ADMITS,
    )
    said = why_not_eligible(ballot, members[("supporter", "none")])
    assert said[0] == (
        "your membership status is “supporter”; this ballot takes members, and supporters who "
        "are members of Unite the Union (declared on their profile and confirmed by Unite the "
        "Union's membership list)"
    )
    assert said[1].startswith("you have not declared membership of Unite the Union")


def test_the_freeze_records_which_rule_admitted_each_member(ready_ballot: SetUp):
    organisation = _organisation(ready_ballot)
    members = _members(ready_ballot, organisation)
    ballot = ready_ballot.ballot
    set_organisation_rule(
        actor=ready_ballot.officer.user,
        ballot=ballot,
        organisation=organisation,
        mode=RuleMode.ALSO_ADMITS,
    )
    open_ballot(actor=ready_ballot.officer.user, ballot=ballot)
    on_roll = dict(RollEntry.objects.filter(ballot=ballot).values_list("member_id", "admitted_by"))
    for (status, standing), member in members.items():
        expected = _expected(RuleMode.ALSO_ADMITS, True, status, standing)
        assert on_roll.get(member.pk, "") == expected, (status, standing)
    # The returning officer's page counts each rule's admissions; the record carries none.
    give_authenticator_app(ready_ballot.officer.user)
    client = Client()
    client.force_login(ready_ballot.officer.user)
    page = client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    by_status = sum(1 for a in on_roll.values() if a == AdmittedBy.STATUS)
    assert f"Membership status: {by_status}" in page
    assert "A supporter&#x27;s membership of Unite the Union: 1" in page
    summary = record_summary(Ballot.objects.get(pk=ballot.pk))
    record = json.dumps(dataclasses.asdict(summary), default=str)
    assert "admitted" not in record and "Unite" not in record


def test_a_member_reads_on_their_ballot_page_which_rule_admitted_them(ready_ballot: SetUp):
    organisation = _organisation(ready_ballot)
    supporter = MemberWithLoginFactory(home_group=ready_ballot.group, status="supporter")
    member = MemberWithLoginFactory(home_group=ready_ballot.group)
    affiliations.declare_membership(
        actor=supporter.user, organisation=organisation, membership_number="U-1"
    )
    set_organisation_rule(
        actor=ready_ballot.officer.user,
        ballot=ready_ballot.ballot,
        organisation=organisation,
        needs_confirmation=False,
        mode=RuleMode.ALSO_ADMITS,
    )
    open_ballot(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    client = Client()
    client.force_login(supporter.user)
    vote = client.get(reverse("ballot_vote", args=[ready_ballot.ballot.pk])).content.decode()
    assert (
        "You are on the roll by your membership of Unite the Union (declared), as a supporter."
        in vote
    )
    pending = client.get(reverse("ballot_results", args=[ready_ballot.ballot.pk]))
    assert "your membership of Unite the Union (declared)" in pending.content.decode()
    client.force_login(member.user)
    vote = client.get(reverse("ballot_vote", args=[ready_ballot.ballot.pk])).content.decode()
    assert "You are on the roll by your membership status." in vote


def test_the_rule_is_set_by_the_ballots_runner_and_only_before_voting_opens(
    ready_ballot: SetUp,
):
    organisation = _organisation(ready_ballot)
    stranger = MemberWithLoginFactory(home_group=ready_ballot.group)
    with pytest.raises(PermissionDenied):
        set_organisation_rule(
            actor=stranger.user, ballot=ready_ballot.ballot, organisation=organisation
        )
    give_authenticator_app(ready_ballot.officer.user)
    client = Client()
    client.force_login(ready_ballot.officer.user)
    url = reverse("ballot_organisation_rule", args=[ready_ballot.ballot.pk])
    assert (
        url in client.get(reverse("ballot_manage", args=[ready_ballot.ballot.pk])).content.decode()
    )
    response = client.post(
        url, {"organisation": organisation.pk, "proof": "declared", "mode": "also"}
    )
    assert response.status_code == 302
    rule = ready_ballot.ballot.organisation_rule
    assert (rule.organisation, rule.needs_confirmation, rule.mode) == (organisation, False, "also")
    open_ballot(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    with pytest.raises(WrongStage):
        set_organisation_rule(
            actor=ready_ballot.officer.user, ballot=ready_ballot.ballot, organisation=None
        )
    refused = client.post(url, {"organisation": "", "proof": "declared", "mode": "also"})
    assert refused.status_code == 400
    client.force_login(stranger.user)
    assert client.get(url).status_code == 404


@pytest.mark.postgres
def test_the_one_statement_freeze_records_the_rules_as_the_orm_does():
    setup = make_ballot()
    organisation = _organisation(setup)
    _members(setup, organisation)
    set_organisation_rule(
        actor=setup.officer.user,
        ballot=setup.ballot,
        organisation=organisation,
        mode=RuleMode.ALSO_ADMITS,
    )
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    eligible = eligible_members(ballot)

    def frozen() -> list[tuple[int, str]]:
        rows = RollEntry.objects.filter(ballot=ballot).order_by("member_id")
        return list(rows.values_list("member_id", "admitted_by"))

    assert connection.vendor == "postgresql"
    sid = transaction.savepoint()
    sql.freeze_roll_orm(ballot, eligible)
    by_orm = frozen()
    transaction.savepoint_rollback(sid)
    sql.freeze_roll(ballot, eligible)
    assert frozen() == by_orm
    assert {a for _, a in by_orm} == {AdmittedBy.STATUS, AdmittedBy.ORGANISATION}
