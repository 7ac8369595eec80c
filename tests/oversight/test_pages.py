"""The oversight pages: bad input answered on the page with nothing changed, papers served
safely, and signatories' names nowhere on an initiative's page."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from grassroots.oversight import services
from grassroots.oversight.models import Initiative, InitiativeKind, Paper, Signature
from tests.oversight.conftest import published_decision
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _officer_client(member) -> Client:
    give_authenticator_app(member.user)
    client = Client()
    client.force_login(member.user)
    session = client.session
    # allauth marks a session that passed the second factor like this.
    session["account_authentication_methods"] = [{"method": "mfa", "type": "totp"}]
    session.save()
    return client


def _call_in(world) -> Initiative:
    decision = published_decision(world)
    return services.start_initiative(
        actor=world.members[0].user,
        kind=InitiativeKind.CALL_IN,
        title="Keep the office",
        text="Please.",
        decision_id=decision.pk,
    )


def test_signing_twice_on_the_page_says_so_and_changes_nothing(world):
    initiative = _call_in(world)
    client = _client(world.members[0])
    response = client.post(reverse("oversight_initiative_sign", args=[initiative.pk]))
    assert response.status_code == 400
    assert "You have already signed this initiative." in response.content.decode()
    assert Signature.objects.filter(initiative=initiative).count() == 1


def test_a_call_in_of_a_missing_decision_is_a_form_error(world):
    response = _client(world.members[0]).post(
        reverse("oversight_initiative_start"),
        {
            "kind": "call_in",
            "title": "Reverse it",
            "text": "Because.",
            "decision": "424242",
            "understood": "on",
        },
    )
    assert response.status_code == 400
    assert "There is no published decision D424242" in response.content.decode()
    assert not Initiative.objects.exists()


def test_the_page_shows_the_count_and_the_members_own_signature_but_no_names(world):
    initiative = _call_in(world)
    services.sign_initiative(actor=world.members[1].user, initiative_id=initiative.pk)
    signer_page = _client(world.members[1]).get(
        reverse("oversight_initiative", args=[initiative.pk])
    )
    other_page = _client(world.members[4]).get(
        reverse("oversight_initiative", args=[initiative.pk])
    )
    assert "Only you can see that you signed" in signer_page.content.decode()
    text = other_page.content.decode()
    assert 'id="signature-count">2<' in text
    assert "Only you can see that you signed" not in text
    for signer in world.members[:2]:
        # As whole words: a generated "Lee" is inside the motion's "Leeds" without naming anyone.
        for name in (signer.first_name, signer.last_name):
            assert not re.search(rf"\b{re.escape(name)}\b", text), name


def test_an_oversized_paper_on_the_page_is_refused_and_nothing_is_stored(world, settings):
    settings.GRASSROOTS_MAX_PAPER_BYTES = 1024
    meeting = services.start_meeting(
        actor=world.regional.user,
        body="regional_committee",
        region=world.north,
        title="Regional",
        held_on=published_decision(world).meeting.held_on,
    )
    client = _officer_client(world.regional)
    big = SimpleUploadedFile("budget.pdf", PDF + b"0" * 4096, content_type="application/pdf")
    response = client.post(
        reverse("oversight_paper_add", args=[meeting.pk]), {"title": "Budget", "file": big}
    )
    assert response.status_code == 400
    assert "The paper is larger than 1 KB" in response.content.decode()
    assert not Paper.objects.exists()


def test_a_published_paper_downloads_as_an_attachment_with_its_checked_type(world):
    meeting = published_decision(world).meeting
    draft = services.start_meeting(
        actor=world.national.user,
        body="national_committee",
        region=None,
        title="Next",
        held_on=meeting.held_on,
    )
    client = _officer_client(world.national)
    upload = SimpleUploadedFile("x.html", PDF, content_type="text/html")
    response = client.post(
        reverse("oversight_paper_add", args=[draft.pk]), {"title": "Accounts", "file": upload}
    )
    assert response.status_code == 302
    paper = Paper.objects.get()
    member = _client(world.members[0])
    assert member.get(reverse("oversight_paper", args=[paper.pk])).status_code == 404  # draft
    services.save_minutes(actor=world.national.user, meeting=draft, minutes="Minutes.")
    services.publish_meeting(actor=world.national.user, meeting=draft)
    response = member.get(reverse("oversight_paper", args=[paper.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


def test_the_register_search_finds_a_decision_and_flags_a_late_record(world):
    decision = published_decision(world, days_ago=30)
    response = _client(world.members[0]).get(reverse("oversight_register"), {"q": "Leeds"})
    text = response.content.decode()
    assert decision.title in text
    assert "published late" in text
