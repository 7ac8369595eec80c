"""A ballot's rule on membership of another organisation (issue 16, docs/slates.md): declared
by the member on their profile and, if ``needs_confirmation``, confirmed by the organisation's
imported membership list (``grassroots.people.affiliations``)."""

from __future__ import annotations

from django.db import models

from grassroots.ballots.models.ballot import Ballot
from grassroots.ballots.models.choices import RuleMode


class OrganisationRule(models.Model):
    """A ballot's rule on membership of another organisation (one per ballot): declared by the
    member on their profile, and, if ``needs_confirmation``, confirmed by that organisation's
    imported membership list. Read when the roll is frozen."""

    ballot = models.OneToOneField(
        Ballot, on_delete=models.CASCADE, related_name="organisation_rule"
    )
    organisation = models.ForeignKey(
        "people.OtherOrganisation", on_delete=models.PROTECT, related_name="+"
    )
    needs_confirmation = models.BooleanField(default=True)
    mode = models.CharField(max_length=10, choices=RuleMode.choices, default=RuleMode.REQUIRED)
    set_by_label = models.CharField(max_length=254)
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Organisation rule of ballot {self.ballot_id}"
