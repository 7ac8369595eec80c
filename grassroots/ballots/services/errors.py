"""The refusals a ballot's rules make, each with the HTTP status the pages and the API answer."""

from __future__ import annotations


class BallotError(Exception):
    """A request the ballot's rules refuse, with a message for the person who made it."""

    http_status = 400


class WrongStage(BallotError):
    http_status = 409


class NotOnRoll(BallotError):
    http_status = 404


class PollNotOpen(BallotError):
    http_status = 409


class AlreadyVoted(BallotError):
    http_status = 409


class NotEligible(BallotError):
    http_status = 403


class ReceiptNotSent(BallotError):
    http_status = 503
