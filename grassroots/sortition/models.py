"""Bodies chosen by lot from volunteers (docs/sortition.md).

A draw's life: created with its seats, categories and quotas (taking volunteers); the seed's
SHA-256 commitment is published; volunteering closes; the seed is revealed and the body drawn
(``grassroots.sortition.draw``, pure, so members can rerun it); later, replacements. The seed
is kept sealed under the server key until the reveal (ballots.keys), so a copy of the database
alone does not show it early.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.organisation.models import ScopeLevel, scope_matches_level


class DrawStatus(models.TextChoices):
    VOLUNTEERING = "volunteering", _("Taking volunteers")
    CLOSED = "closed", _("Volunteering closed")
    DRAWN = "drawn", _("Drawn")


class Draw(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    seats = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=ScopeLevel.choices)
    group = models.ForeignKey(
        "organisation.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "organisation.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "organisation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # [{"name": "gender", "values": ["woman", "man", "non-binary"]}, ...] in the order asked
    categories = models.JSONField(default=list)
    # [{"category": "gender", "value": "woman", "minimum": 5, "maximum": 7}, ...]
    quotas = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=12, choices=DrawStatus.choices, default=DrawStatus.VOLUNTEERING
    )
    commitment = models.CharField(max_length=64, blank=True)  # SHA-256 of the seed, hex
    seed_sealed = models.BinaryField(max_length=128, null=True, blank=True)
    seed = models.CharField(max_length=128, blank=True)  # hex, set at the reveal
    # Pseudonyms, in the order the seats were filled; then each replacement round:
    # [{"standing_down": [...], "chosen": [...], "at": "ISO time"}]
    selection = models.JSONField(default=list, blank=True)
    replacements = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    committed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="draw_scope_matches_level", condition=scope_matches_level()
            ),
            models.CheckConstraint(name="draw_has_seats", condition=Q(seats__gte=1)),
            models.CheckConstraint(
                name="draw_closed_after_commitment",
                condition=Q(status="volunteering") | ~Q(commitment=""),
            ),
            models.CheckConstraint(
                name="draw_drawn_has_seed",
                condition=~Q(status="drawn") | (~Q(seed="") & Q(drawn_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_name(self) -> str:
        scope = self.group or self.area or self.region
        return str(scope) if scope else "National"

    @property
    def category_names(self) -> list[str]:
        return [str(c["name"]) for c in self.categories]

    @property
    def members_now(self) -> list[str]:
        """The body's pseudonyms now: the selection after every replacement round."""
        members = list(self.selection)
        for round_ in self.replacements:
            members = [m for m in members if m not in round_["standing_down"]]
            members += round_["chosen"]
        return members


class Volunteer(models.Model):
    """A member who offered to serve, under a pseudonym that the published record uses."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="volunteers")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    pseudonym = models.CharField(max_length=16)
    categories = models.JSONField(default=dict)  # {"gender": "woman", "region": "North"}
    volunteered_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["draw", "pseudonym"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["draw", "member"], name="volunteer_once_per_draw"),
            models.UniqueConstraint(
                fields=["draw", "pseudonym"], name="volunteer_pseudonym_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym
