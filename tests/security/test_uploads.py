"""Uploads are checked by size and by content before anything is stored: the member CSV here,
candidate photos here and in tests/ballots/test_nominations.py."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.audit.models import AuditEntry
from grassroots.ballots.photos import MAX_PHOTO_BYTES, PNG_SIGNATURE, PhotoError, read_photo
from grassroots.people.forms import IMPORT_MAX_BYTES
from grassroots.people.importing import COLUMNS
from grassroots.people.models import Member
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db


def upload(client: Client, name: str, data: bytes, content_type: str):
    return client.post(
        reverse("member_import"),
        {
            "file": SimpleUploadedFile(name, data, content_type=content_type),
            "layout": "grassroots",
        },
    )


@pytest.fixture
def national_office(client: Client) -> Client:
    client.force_login(build_movement().national.user)
    return client


def good_csv() -> bytes:
    row = "GR7000001,Ada,Lovelace,ada@example.org,,,member,2020-01-01,,group-a,,no,,"
    return (",".join(COLUMNS) + "\n" + row + "\n").encode()


def test_member_csv_over_20_mb_is_refused_before_it_is_read(national_office: Client):
    data = good_csv() + b"#" * (IMPORT_MAX_BYTES + 1 - len(good_csv()))
    response = upload(national_office, "members.csv", data, "text/csv")
    assert response.status_code == 200
    assert "larger than 20 MB" in response.content.decode()
    assert not Member.objects.filter(membership_number="GR7000001").exists()
    assert not AuditEntry.objects.filter(action="import_members").exists()


@pytest.mark.parametrize(
    ("name", "content_type", "message"),
    [
        ("members.csv", "text/html", "This is a text/html file, not CSV"),
        ("members.csv", "application/x-msdownload", "not CSV"),
        ("members.html", "text/csv", "Choose a .csv file"),
        ("members.csv.exe", "text/csv", "Choose a .csv file"),
    ],
)
def test_member_csv_of_another_type_is_refused(
    national_office: Client, name: str, content_type: str, message: str
):
    response = upload(national_office, name, good_csv(), content_type)
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action="import_members").exists()


def test_photo_size_is_checked_on_the_bytes_read_not_the_size_claimed():
    too_big = PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + b"\x00" * MAX_PHOTO_BYTES
    with pytest.raises(PhotoError, match="2 MB"):
        read_photo(io.BytesIO(too_big), size=None)
    with pytest.raises(PhotoError, match="2 MB"):
        read_photo(io.BytesIO(too_big), size=10)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_are_a_photo_of_a_checked_kind_or_a_clear_refusal(data: bytes):
    try:
        body, kind = read_photo(io.BytesIO(data), size=len(data))
    except PhotoError as error:
        assert str(error) in {
            "The photo must be a JPEG or PNG image.",
            "The photo is larger than 2 MB. Choose a smaller one.",
        }
    else:
        assert body == data
        assert (kind, data[:3]) == ("jpg", b"\xff\xd8\xff") or (
            kind == "png" and data.startswith(PNG_SIGNATURE)
        )
