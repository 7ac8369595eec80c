"""Membership of other organisations (issue 16, docs/slates.md): a member's declaration that
they belong to another organisation (a party, a union) that a ballot's rules refer to, and that
organisation's membership list as the national office imported it.

Membership of a party or a union is political-opinion and trade-union data (special category
data): only the member and the national office (``Capability.CHECK_AFFILIATIONS``) see a
declaration, each officer's read is audited, and the imported list keeps no name and no
plain number or address: each row is two keyed digests (``people.affiliations.digest``), enough
to confirm a declaration and no more. Re-exported by ``people.models``.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class OtherOrganisation(models.Model):
    """An organisation outside the movement that a ballot's eligibility rules can name."""

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationList(models.Model):
    """The organisation's membership list as last imported: one per organisation, replaced
    whole by the next import and deleted when its retention period ends."""

    organisation = models.OneToOneField(
        OtherOrganisation, on_delete=models.CASCADE, related_name="imported_list"
    )
    imported_at = models.DateTimeField()
    imported_by_label = models.CharField(max_length=254)
    rows = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)  # of the uploaded file, for the audit trail

    def __str__(self) -> str:
        return f"List of {self.organisation_id} imported {self.imported_at:%Y-%m-%d}"


class OrganisationListEntry(models.Model):
    """One row of an imported list: keyed digests of the membership number and (if the list
    gave one) the email address. Names nobody by itself."""

    imported_list = models.ForeignKey(
        OrganisationList, on_delete=models.CASCADE, related_name="entries"
    )
    number_digest = models.CharField(max_length=64)
    email_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["imported_list", "number_digest"], name="list_entry_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"Entry {self.pk}"


class DeclaredMembership(models.Model):
    """A member's own statement that they are a member of another organisation, with their
    membership number there. ``confirmed_by`` is the imported list that holds that number
    (and the member's email, where the list gives emails); it empties when the list is
    replaced or deleted, and the next import confirms again."""

    member = models.ForeignKey(
        "people.Member", on_delete=models.CASCADE, related_name="declared_memberships"
    )
    organisation = models.ForeignKey(
        OtherOrganisation, on_delete=models.PROTECT, related_name="declarations"
    )
    membership_number = models.CharField(max_length=40)
    declared_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        OrganisationList,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirmed",
    )

    class Meta:
        ordering: ClassVar = ["organisation__name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["member", "organisation"], name="declared_membership_once"
            )
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "member"])]

    def __str__(self) -> str:
        return f"Declared membership {self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_by_id is not None
