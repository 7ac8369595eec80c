"""Ballots' models, a package by concern: ``choices`` (statuses and kinds), ``ballot`` (the ballot,
its questions, candidates and college), ``box`` (the roll, the ballot box and its public log,
where secrecy is argued), ``eligibility`` (a ballot's rule on membership of another
organisation), ``tellers`` (key shares, mix stages, decryptions) and ``nominations``.
Import from here: ``from grassroots.ballots.models import Ballot``.
"""

from __future__ import annotations

from grassroots.ballots.models.ballot import (
    Ballot,
    Candidate,
    CollegeMember,
    Question,
    equal_preferences_problem,
    threshold_text,
)
from grassroots.ballots.models.box import (
    BallotBoxEntry,
    LogHead,
    PublishedFile,
    ReceiptKeeper,
    RollEntry,
    ScheduledReminder,
    UnsealedBallot,
)
from grassroots.ballots.models.choices import (
    AdmittedBy,
    BackgroundStep,
    BallotStatus,
    MixStageStatus,
    NominationStatus,
    QuestionKind,
    RuleMode,
    StvRule,
)
from grassroots.ballots.models.eligibility import OrganisationRule
from grassroots.ballots.models.nominations import (
    GroupSupport,
    Nomination,
    NominationSupport,
)
from grassroots.ballots.models.tellers import (
    DecryptionShares,
    KeptShares,
    MixStage,
    Teller,
)

__all__ = [
    "AdmittedBy",
    "BackgroundStep",
    "Ballot",
    "BallotBoxEntry",
    "BallotStatus",
    "Candidate",
    "CollegeMember",
    "DecryptionShares",
    "GroupSupport",
    "KeptShares",
    "LogHead",
    "MixStage",
    "MixStageStatus",
    "Nomination",
    "NominationStatus",
    "NominationSupport",
    "OrganisationRule",
    "PublishedFile",
    "Question",
    "QuestionKind",
    "ReceiptKeeper",
    "RollEntry",
    "RuleMode",
    "ScheduledReminder",
    "StvRule",
    "Teller",
    "UnsealedBallot",
    "equal_preferences_problem",
    "threshold_text",
]
