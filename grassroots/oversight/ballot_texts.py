"""The texts of an initiative's or call-in's all-member ballot: its title, description and
question, drawn from the catalogue in the movement's language (they are kept with the ballot)."""

from __future__ import annotations

from django.conf import settings
from django.utils import dateformat, translation
from django.utils.translation import gettext

from grassroots.oversight.models import Initiative, InitiativeKind


def ballot_question(initiative: Initiative) -> tuple[str, str, str]:
    """(ballot title, description, question) for the initiative."""
    # Kept with the ballot, so in the movement's language whoever's request reached the threshold.
    with translation.override(settings.LANGUAGE_CODE):
        if initiative.kind == InitiativeKind.CALL_IN and initiative.decision is not None:
            decision = initiative.decision
            meeting = decision.meeting
            called = gettext(
                "Members called in decision %(reference)s of the %(body)s (meeting of %(day)s): "
                "“%(text)s”"
            ) % {
                "reference": decision.reference,
                "body": meeting.body_name,
                "day": dateformat.format(meeting.held_on, "d F Y"),
                "text": decision.text,
            }
            return (
                gettext("Call-in: %(title)s") % {"title": decision.title},
                f"{called}\n\n{initiative.text}",
                gettext("Should the %(body)s's decision “%(title)s” be reversed?")
                % {"body": meeting.body_name, "title": decision.title},
            )
        question = (
            gettext("Do you support the rule change “%(title)s”?")
            if initiative.kind == InitiativeKind.RULE_CHANGE
            else gettext("Do you support the policy proposal “%(title)s”?")
        )
        return (
            gettext("Members' initiative: %(title)s") % {"title": initiative.title},
            initiative.text,
            question % {"title": initiative.title},
        )
