"""A slate, the selection ballots that fill it, and the candidates they chose."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q


class Slate(models.Model):
    """The movement's list of endorsed candidates for an external contest (a party's national
    executive, a council selection, a conference delegation). Created by the national office;
    filled by one or more selection ballots."""

    name = models.CharField(max_length=200)
    body = models.CharField(max_length=200, help_text="What the slate is for")
    seats = models.PositiveSmallIntegerField()
    closes_on = models.DateField()
    rules = models.TextField(blank=True, max_length=8000)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-closes_on", "name"]
        constraints: ClassVar = [
            models.CheckConstraint(name="slate_has_seats", condition=Q(seats__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name


class SlateBallot(models.Model):
    """A selection ballot that fills (part of) the slate. A ballot fills one slate at most."""

    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, related_name="selections")
    ballot = models.OneToOneField(
        "ballots.Ballot", on_delete=models.PROTECT, related_name="slate_selection"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["slate", "added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ballot_id} for {self.slate_id}"


class SlatePlace(models.Model):
    """A candidate the slate's selection ballot elected, written when its result is published
    (through ``grassroots.ballots.results``), in the order of election."""

    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, related_name="places")
    selection = models.ForeignKey(SlateBallot, on_delete=models.CASCADE, related_name="places")
    candidate = models.ForeignKey("ballots.Candidate", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering: ClassVar = ["slate", "selection", "order"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["slate", "candidate"], name="slate_place_once"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} on {self.slate_id}"
