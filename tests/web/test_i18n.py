"""Welsh: the member's pages read in Cymraeg once chosen in the footer, the choice kept in the
language cookie; the committed catalogue is the one its .po compiles to (docs/i18n.md)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from grassroots.notifications.services import notify
from tests.factories import PASSWORD, MemberWithLoginFactory

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "cy" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _english_afterwards():
    """LocaleMiddleware leaves the last request's language active in this thread; the tests
    after these ones expect English."""
    yield
    translation.deactivate()


def _logged_in(member) -> Client:
    client = Client()
    assert client.login(email=member.user.email, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_a_member_chooses_welsh_in_the_footer_and_the_pages_follow():
    member = MemberWithLoginFactory(first_name="Gwen")
    notify([member.pk], kind="meeting", title="Cyfarfod y grŵp", url="/meetings/")
    client = _logged_in(member)
    english = client.get(reverse("home")).content.decode()
    assert '<html lang="en-gb">' in english
    assert "Needs my attention" in english
    assert 'name="language" value="cy"' in english and ">Cymraeg</button>" in english

    response = client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    assert response.status_code == 302
    welsh = client.get(reverse("home")).content.decode()
    assert '<html lang="cy">' in welsh
    for words in ("Helo, Gwen", "Angen fy sylw", "Fy ngrwpiau", "Dangosfwrdd", "Allgofnodi"):
        assert words in welsh, words
    assert "Needs my attention" not in welsh
    # The footer offers English back, in English.
    assert 'name="language" value="en-gb"' in welsh and "English</button>" in welsh
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "Hysbysiadau" in inbox and "Heb eu darllen (1)" in inbox
    assert "Cyfarfodydd a digwyddiadau a alwyd yn eich grwpiau" in inbox  # the kind's label

    client.post(reverse("set_language"), {"language": "en-gb", "next": "/"})
    assert "Needs my attention" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_a_browser_asking_for_welsh_gets_it_before_any_choice():
    page = Client(headers={"accept-language": "cy,en;q=0.5"}).get("/").content.decode()
    assert '<html lang="cy">' in page
    assert "Lle mae aelodau'r mudiad yn penderfynu" in page


def test_the_committed_catalogue_is_the_one_its_source_compiles_to(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (Debian's gettext) is not installed: the .mo cannot be rebuilt here")
    built = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(built), str(LOCALE / "django.po")], check=True)
    assert built.read_bytes() == (LOCALE / "django.mo").read_bytes(), (
        "locale/cy/LC_MESSAGES/django.mo is stale: run make messages"
    )
