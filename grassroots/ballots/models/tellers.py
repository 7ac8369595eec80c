"""The tellers' side of a ballot: who holds a share of its key, the shares a deployment's share
keeper holds, and an end-to-end ballot's mix stages and decryption shares."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from grassroots.ballots.models.ballot import Ballot, Question
from grassroots.ballots.models.choices import MixStageStatus


class KeptShares(models.Model):
    """A ballot's tellers' shares held by the deployment's share keeper
    (``grassroots.ballots.custody.ServerSealedShares``), sealed under the server key. Only a
    deployment whose settings name a share keeper writes here; production's never do."""

    ballot = models.OneToOneField(Ballot, on_delete=models.CASCADE, related_name="kept_shares")
    sealed = models.BinaryField(max_length=2048)
    kept_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "kept shares"

    def __str__(self) -> str:
        return f"Kept shares of ballot {self.ballot_id}"


class Teller(models.Model):
    """A teller holds one share of the tellers' private key.

    The share exists on the server only until the teller collects it (sealed with the server
    key meanwhile); the ballot cannot open until every teller has collected theirs. After the
    close the teller enters it again, and it is kept, because the election record publishes it.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="tellers")
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="+")
    share_index = models.PositiveSmallIntegerField()
    pending_share_sealed = models.BinaryField(max_length=256, null=True, blank=True)
    has_collected_share = models.BooleanField(default=False)
    revealed_share = models.CharField(max_length=200, blank=True)
    # grassroots.ledger.crypto.share_hash of the share made for this teller, kept from set-up
    # and published in the election's parameters: a share entered at the count must match it.
    share_hash = models.CharField(max_length=64, blank=True)
    # End-to-end mode only, all public: the X25519 key other tellers seal this teller's shares
    # to, the teller's deal (deal-<i>.json: commitments, proof of knowledge, sealed shares), and
    # whether the teller has opened and checked the shares dealt to them (ceremony step 3).
    transport_key = models.CharField(max_length=64, blank=True)
    deal = models.JSONField(null=True, blank=True)
    has_checked_shares = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["ballot", "share_index"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ballot", "member"], name="teller_once_per_ballot"),
            models.UniqueConstraint(
                fields=["ballot", "share_index"], name="teller_share_index_unique"
            ),
            models.CheckConstraint(
                name="teller_collected_share_is_gone",
                condition=Q(has_collected_share=False) | Q(pending_share_sealed__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Teller {self.share_index}"


class MixStage(models.Model):
    """One stage of an end-to-end ballot's mix-net for one question (mix-<s>.json as published).

    Accepted only after its proof of shuffle is checked against the previous stage's output
    (stage 1's input is the cast ballots in log order); ``uploaded_by`` is who gave it. Only
    accepted stages are mixed further, published or decrypted. ``problem`` says why a stage was
    refused, or why its check stopped (it is then still ``checking`` and can be started again).
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="mix_stages")
    stage = models.PositiveSmallIntegerField()
    mixer = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.TextField()
    status = models.CharField(
        max_length=10, choices=MixStageStatus.choices, default=MixStageStatus.CHECKING
    )
    problem = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["question", "stage"]
        constraints: ClassVar = [
            # A refused stage stays for its reason to be read; the corrected file takes its
            # number.
            models.UniqueConstraint(
                fields=["question", "stage"],
                condition=~Q(status="refused"),
                name="mix_stage_unique",
            ),
            models.UniqueConstraint(
                fields=["question", "mixer"],
                condition=~Q(status="refused"),
                name="mix_stage_mixer_once",
            ),
            models.CheckConstraint(
                name="mix_stage_status_valid",
                condition=Q(status__in=["checking", "accepted", "refused"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Mix stage {self.stage} by {self.mixer}"


class DecryptionShares(models.Model):
    """A teller's decryption shares of a question's last mix stage with their Chaum-Pedersen
    proof (decryption-<l>.json), accepted only if the proof holds against the teller's
    verification key: the shares come from the key share the teller committed to."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="decryptions")
    teller = models.ForeignKey(Teller, on_delete=models.PROTECT, related_name="decryptions")
    document = models.TextField()

    class Meta:
        verbose_name_plural = "decryption shares"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["question", "teller"], name="decryption_once"),
        ]

    def __str__(self) -> str:
        return f"Decryption shares of teller {self.teller_id}"
