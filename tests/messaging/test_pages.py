"""The pages: compose with a preview count, the mailout's progress and report, and the list.
The sender sees counts and never a recipient's name or address."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from grassroots.messaging.models import Mailout
from tests.mail import Mailbox
from tests.messaging.helpers import Town, build_town, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> Town:
    return build_town()


def form_data(town: Town, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "scope": f"group:{town.group_a.pk}",
        "statuses": ["member"],
        "subject": "Leafleting on Saturday",
        "body": "Meet at the library at 10.\n<script>alert(1)</script>",
        "purpose": "organising a leaflet round",
    }
    data.update(overrides)
    return data


def leaked_addresses_and_names(town: Town, html: str) -> list[str]:
    """The recipients' addresses and surnames that appear in the page.

    Surnames are generated (a "Ball" sits inside "Ballots" in the navigation), so they are
    matched as whole words.
    """
    people = [*town.consenting_a, town.not_consenting_a, town.lapsed_a, town.consenting_b]
    leaked = [p.email for p in people if p.email in html]
    return leaked + [
        p.last_name for p in people if re.search(rf"\b{re.escape(p.last_name)}\b", html)
    ]


def test_compose_offers_only_the_scopes_the_officer_may_write_to(town: Town):
    page = client_for(town.secretary_a).get(reverse("messaging:mailout_compose"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="group:{town.group_a.pk}"' in html
    assert f'value="group:{town.group_b.pk}"' not in html
    assert f'value="area:{town.area.pk}"' not in html

    html = client_for(town.coordinator).get(reverse("messaging:mailout_compose")).content.decode()
    assert f'value="area:{town.area.pk}"' in html
    assert f'value="group:{town.group_a2.pk}"' in html
    assert f'value="group:{town.group_b.pk}"' not in html


def test_preview_shows_the_count_and_no_recipient(town: Town):
    client = client_for(town.secretary_a)
    response = client.post(reverse("messaging:mailout_compose"), form_data(town, action="preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>6 members</strong> will receive this message" in html
    assert "1 not sent: no consent" in html
    assert 'value="send"' in html
    assert "<script>alert(1)</script>" not in html, "the body is shown escaped"
    assert leaked_addresses_and_names(town, html) == []
    assert not Mailout.objects.exists()


def test_sending_from_the_page_redirects_to_a_report_of_counts_only(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    client = client_for(town.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("messaging:mailout_compose"), form_data(town, action="send"))
    mailout = Mailout.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:mailout_detail", args=[mailout.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Delivery report" in html
    assert "Sent." in html or "Sent</p>" in html or ">Sent<" in html
    assert leaked_addresses_and_names(town, html) == []
    assert len(mailbox.delivered) == 6
    listing = client.get(reverse("messaging:mailout_list")).content.decode()
    assert "Leafleting on Saturday" in listing
    assert leaked_addresses_and_names(town, listing) == []


def test_progress_fragment_for_htmx_is_the_report_alone(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    client = client_for(town.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("messaging:mailout_compose"), form_data(town, action="send"))
    mailout = Mailout.objects.get()
    url = reverse("messaging:mailout_detail", args=[mailout.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="progress"')
    assert "<html" not in fragment
    assert "hx-trigger" not in fragment, "a finished mailout stops polling"


def test_queued_mailout_page_polls_for_progress(town: Town):
    client = client_for(town.secretary_a)
    # Without running the on-commit task the mailout stays queued.
    client.post(reverse("messaging:mailout_compose"), form_data(town, action="send"))
    mailout = Mailout.objects.get()
    html = client.get(reverse("messaging:mailout_detail", args=[mailout.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "0% done" in html


def test_form_errors_are_summarised_and_linked_to_fields(town: Town):
    response = client_for(town.secretary_a).post(
        reverse("messaging:mailout_compose"),
        form_data(town, subject="", statuses=[], action="preview"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_subject"' in html
    assert 'href="#id_statuses_0"' in html
    assert "<title>Error:" in html


def test_forged_scope_in_the_form_is_refused(town: Town):
    response = client_for(town.secretary_a).post(
        reverse("messaging:mailout_compose"),
        form_data(town, scope=f"group:{town.group_b.pk}", action="send"),
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Mailout.objects.exists()


def test_rate_limit_is_shown_as_a_clear_error(town: Town, settings):
    settings.GRASSROOTS_MAILOUTS_PER_HOUR = 1
    client = client_for(town.secretary_a)
    client.post(reverse("messaging:mailout_compose"), form_data(town, action="send"))
    response = client.post(reverse("messaging:mailout_compose"), form_data(town, action="send"))
    assert response.status_code == 429
    assert "1 messages in the last hour, the most allowed" in response.content.decode()
    assert Mailout.objects.count() == 1


def test_other_groups_officer_cannot_open_the_mailout(town: Town):
    client_for(town.secretary_a).post(
        reverse("messaging:mailout_compose"), form_data(town, action="send")
    )
    url = reverse("messaging:mailout_detail", args=[Mailout.objects.get().pk])
    assert client_for(town.chair_b).get(url).status_code == 404
    assert client_for(town.data_manager_a).get(url).status_code == 404
    assert client_for(town.coordinator).get(url).status_code == 200


def test_data_manager_has_no_compose_page(town: Town):
    client = client_for(town.data_manager_a)
    assert client.get(reverse("messaging:mailout_compose")).status_code == 404
    assert client.post(reverse("messaging:mailout_compose"), form_data(town)).status_code == 404
