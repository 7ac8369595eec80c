"""Notifications and mail to many members in each member's own language (issue 21,
docs/i18n.md): a notification is stored as a message key and parameters and read in the
reader's language; its mail, the digests, a ballot's invitation and a meeting's notice are
written once per language and each member gets theirs, still one mailout sent in batches."""

from __future__ import annotations

import datetime
import html
import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from grassroots.messaging.models import Mailout
from grassroots.notifications import services
from grassroots.notifications.models import Delivery, Kind, Notification
from grassroots.people.models import Language
from tests.ballots.conftest import make_ballot
from tests.factories import GroupFactory, MemberWithLoginFactory
from tests.mail import Mailbox

pytestmark = pytest.mark.django_db

MONDAY_NINE = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.deactivate()


def _reader(language: str, **fields):
    return MemberWithLoginFactory(language=language, **fields)


def _inbox(member) -> str:
    client = Client()
    client.force_login(member.user)
    return html.unescape(client.get(reverse("notifications:inbox")).content.decode())


def test_a_notification_is_read_in_each_readers_language():
    gwen, sam = _reader(Language.WELSH), _reader(Language.ENGLISH)
    services.notify(
        [gwen.pk, sam.pk],
        kind=Kind.BALLOT,
        url="/ballots/1/results/",
        message="ballot_published",
        params={"title": "Etholiad y pwyllgor"},
    )
    row = Notification.objects.get(member=gwen)
    assert row.message == "ballot_published"
    assert row.params == {"title": "Etholiad y pwyllgor"}
    assert row.title == "Result published: Etholiad y pwyllgor"  # the default language's words
    assert "Canlyniad wedi'i gyhoeddi: Etholiad y pwyllgor" in _inbox(gwen)
    assert "Result published: Etholiad y pwyllgor" in _inbox(sam)


def test_a_date_in_a_notification_is_written_in_the_readers_language():
    gwen = _reader(Language.WELSH)
    starts = datetime.datetime(2026, 12, 10, 18, 30, tzinfo=datetime.UTC)
    services.notify(
        [gwen.pk],
        kind=Kind.MEETING,
        url="/meetings/1/",
        message="meeting_called",
        params={"title": "Cyfarfod cangen", "starts": starts},
    )
    assert Notification.objects.get().title == "Cyfarfod cangen: 10 December, 18:30"
    assert "Cyfarfod cangen: 10 Rhagfyr, 18:30" in _inbox(gwen)


def test_a_message_that_does_not_exist_or_lacks_a_parameter_is_refused():
    member = _reader(Language.WELSH)
    with pytest.raises(services.NotificationError, match="No notification message"):
        services.notify([member.pk], kind=Kind.BALLOT, url="/", message="gossip", params={})
    with pytest.raises(services.NotificationError, match="closes"):
        services.notify(
            [member.pk], kind=Kind.BALLOT, url="/", message="ballot_opened", params={"title": "x"}
        )
    assert not Notification.objects.exists()


def test_mail_at_once_goes_in_each_members_language_in_one_mailout(
    mailbox: Mailbox, django_capture_on_commit_callbacks
):
    gwen = _reader(Language.WELSH, email="gwen@example.org")
    sam = _reader(Language.ENGLISH, email="sam@example.org")
    for member in (gwen, sam):
        services.set_preferences(member, {Kind.SURVEY: Delivery.IMMEDIATE})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            [gwen.pk, sam.pk],
            kind=Kind.SURVEY,
            url="/surveys/3/",
            message="survey_opened",
            params={"title": "Blaenoriaethau"},
        )
    (mailout,) = Mailout.objects.all()
    assert mailout.recipients == 2 and set(mailout.translations) == {"cy"}
    welsh = mailbox.last_to(gwen.email)
    assert welsh.subject == "Arolwg ar agor: Blaenoriaethau"
    assert "Atal pob e-bost hysbysu:" in welsh.text and "Stop all" not in welsh.text
    english = mailbox.last_to(sam.email)
    assert english.subject == "Survey open: Blaenoriaethau"
    assert "Stop all notification email:" in english.text


def test_the_digest_lists_each_members_notifications_in_their_language(
    mailbox: Mailbox, django_capture_on_commit_callbacks
):
    gwen = _reader(Language.WELSH, first_name="Gwen", email="gwen@example.org")
    sam = _reader(Language.ENGLISH, first_name="Sam", email="sam@example.org")
    services.notify(
        [gwen.pk, sam.pk],
        kind=Kind.MEETING,
        url="/meetings/4/",
        message="meeting_called",
        params={
            "title": "Cyfarfod",
            "starts": datetime.datetime(2026, 12, 9, 19, 0, tzinfo=datetime.UTC),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = services.send_digest(Delivery.DAILY, MONDAY_NINE.date())
    assert run is not None and run.members == 2
    assert Mailout.objects.count() == 1
    welsh = mailbox.last_to(gwen.email).text
    assert "Cyfarfod: 9 Rhagfyr, 19:00" in welsh and "December" not in welsh
    assert "Helo Gwen" in welsh
    english = mailbox.last_to(sam.email).text
    assert "Cyfarfod: 9 December, 19:00" in english and "Hello Sam," in english


def test_the_data_migration_gives_old_undated_titles_their_keys():
    member = _reader(Language.WELSH)
    services.notify([member.pk], kind=Kind.SURVEY, url="/s/", title="Survey open: Tai")
    services.notify(
        [member.pk], kind=Kind.MOTION, url="/m/", title="Ann Jones asks you to second “Tai”"
    )
    services.notify([member.pk], kind=Kind.MEETING, url="/m/", title="Cyfarfod: 3 May at 19:00")
    migration = importlib.import_module(
        "grassroots.notifications.migrations.0002_notification_message_params"
    )
    migration.keys_for_old_titles(apps, None)
    found = dict(Notification.objects.values_list("title", "message"))
    assert found == {
        "Survey open: Tai": "survey_opened",
        "Ann Jones asks you to second “Tai”": "motion_to_second",
        "Cyfarfod: 3 May at 19:00": "",  # dated: shown as written
    }
    assert Notification.objects.get(message="motion_to_second").params == {
        "proposer": "Ann Jones",
        "title": "Tai",
    }
    page = _inbox(member)
    assert "Arolwg ar agor: Tai" in page and "Mae Ann Jones yn gofyn i chi eilio" in page


def test_a_ballots_invitation_goes_to_each_voter_in_their_language(
    django_capture_on_commit_callbacks,
):
    from grassroots.ballots.services.lifecycle import open_ballot

    group = GroupFactory()
    setup = make_ballot(group=group)
    gwen = _reader(Language.WELSH, home_group=group, first_name="Gwen")
    sam = _reader(Language.ENGLISH, home_group=group, first_name="Sam")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    to = {message.to[0]: message for message in mail.outbox}
    welsh, english = to[gwen.email], to[sam.email]
    assert welsh.subject == "Eich pleidlais yn Steering committee election"
    assert welsh.body.startswith("Annwyl Gwen,") and "Dear" not in welsh.body
    assert english.subject == "Your vote in Steering committee election"
    assert english.body.startswith("Dear Sam,")
    invitations = Mailout.objects.filter(subject=english.subject)
    assert invitations.count() == 1 and invitations.get().recipients >= 2
