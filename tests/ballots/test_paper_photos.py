"""Candidates' photos on the ballot paper: beside each name, with alt text, served so the CSP
allows them, and at no extra query on the vote page (tests/ballots/test_vote_cost.py)."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.ballots.models import Candidate
from tests.ballots.conftest import JPEG_1X1, PNG_1X1, SetUp, open_with_voters
from tests.ballots.test_vote_cost import GET_QUERIES, _counted, log_in_returning
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db

IMG = re.compile(r'<img class="candidate-photo" src="([^"]+)" alt="([^"]+)"')


def _give_photos(setup: SetUp) -> dict[str, Candidate]:
    """Aisha Khan gets a PNG and Carys Evans a JPEG (as confirmed nominations carry them over);
    Ben Carter and Dev Patel have none."""
    by_name = {c.name: c for c in setup.stv.candidates.all()}
    by_name["Aisha Khan"].photo.save("a1b2c3.png", ContentFile(PNG_1X1))
    by_name["Carys Evans"].photo.save("d4e5f6.jpg", ContentFile(JPEG_1X1))
    return by_name


def test_photos_appear_beside_their_candidates_with_alt_text(client: Client, ready_ballot):
    candidates = _give_photos(ready_ballot)
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    page = client.get(reverse("ballot_vote", args=[ready_ballot.ballot.pk]))
    html = page.content.decode()
    photos = IMG.findall(html)
    assert photos == [
        (
            reverse(
                "ballot_candidate_photo",
                args=[ready_ballot.ballot.pk, candidates["Aisha Khan"].pk],
            ),
            "Photo of Aisha Khan",
        ),
        (
            reverse(
                "ballot_candidate_photo",
                args=[ready_ballot.ballot.pk, candidates["Carys Evans"].pk],
            ),
            "Photo of Carys Evans",
        ),
    ]
    # Each photo follows its own candidate's box and label, outside the label, so a screen
    # reader reads the box's name as the candidate's name alone.
    rows = re.findall(r'<div class="field paper-row">(.*?)</div>', html, re.S)
    stv_rows = [r for r in rows if "preference" in r]
    assert len(stv_rows) == 4
    for row in stv_rows:
        label, _, after = row.partition("</label>")
        assert "<img" not in label
        # The label ends with the name, then the categories a quota uses, if any (issue 16).
        label = re.sub(r'\s*<span class="candidate-categories">.*?</span>$', "", label)
        name = label.rsplit(">", 1)[-1].strip()
        if name in ("Aisha Khan", "Carys Evans"):
            assert f'alt="Photo of {name}"' in after
        else:
            assert "<img" not in after
    # The CSP allows images from the site itself, which is where they are served.
    assert "img-src 'self'" in page["Content-Security-Policy"]


def test_photos_cost_the_vote_page_no_query(client: Client, ready_ballot):
    _give_photos(ready_ballot)
    first, second = open_with_voters(ready_ballot, 2)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    client.force_login(first.user)
    client.get(url)  # warms the per-process paper
    log_in_returning(client, second)
    with CaptureQueriesContext(connection) as get:
        page = client.get(url)
    assert len(IMG.findall(page.content.decode())) == 2
    assert len(_counted(get)) <= GET_QUERIES, "\n".join(_counted(get))


def test_photo_is_served_to_a_link_voter_once_the_poll_opens(client: Client, ready_ballot):
    candidates = _give_photos(ready_ballot)
    url = reverse(
        "ballot_candidate_photo", args=[ready_ballot.ballot.pk, candidates["Carys Evans"].pk]
    )
    # Before the opening only the officers running the ballot see it.
    assert client.get(url).status_code == 404
    client.force_login(ready_ballot.tellers[0].user)
    assert client.get(url).status_code == 404
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    assert client.get(url).status_code == 200
    client.logout()

    open_with_voters(ready_ballot, 1)
    response = client.get(url)  # not logged in: as from a personal link
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == JPEG_1X1
    # A candidate without a photo, or another ballot's candidate, is a 404 alike.
    no_photo = candidates["Ben Carter"].pk
    assert (
        client.get(
            reverse("ballot_candidate_photo", args=[ready_ballot.ballot.pk, no_photo])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse(
                "ballot_candidate_photo",
                args=[ready_ballot.ballot.pk + 1000, candidates["Carys Evans"].pk],
            )
        ).status_code
        == 404
    )


def test_paper_without_photos_still_labels_every_box(client: Client, ready_ballot):
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    html = client.get(reverse("ballot_vote", args=[ready_ballot.ballot.pk])).content.decode()
    assert "candidate-photo" not in html
    for candidate in ready_ballot.stv.candidates.all():
        assert re.search(
            rf'<label class="checkbox" for="[^"]+"><input[^>]+> {candidate.name}'
            r'(?: <span class="candidate-categories">\([^)]*\)</span>)?</label>',
            html,
        )
    assert re.search(
        r'<label class="checkbox" for="[^"]+"><input type="radio"[^>]+>\s*Yes</label>', html
    )
