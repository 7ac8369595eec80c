"""Who may call the API: personal tokens (hashed, shown once, revocable, expiring), the session
with CSRF on writes, officers only with a second factor; and the one error shape."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from grassroots import clock
from grassroots.api.models import ApiToken
from grassroots.api.services import create_token, hash_token
from grassroots.audit.models import AuditEntry
from grassroots.availability import RETRY_AFTER_SECONDS
from grassroots.organisation.models import Role
from tests.api.conftest import Api, assert_error, token_for
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def test_member_endpoints_need_a_token_or_a_session(movement):
    body = assert_error(Api().get("/me/ballots"), 401, "not_authenticated")
    assert "Bearer" in body["message"]
    assert Api(token=token_for(movement.member)).get("/me/ballots").status_code == 200
    client = Client()
    client.force_login(movement.member.user)
    assert Api(client=client).get("/me/ballots").status_code == 200


def test_a_token_is_kept_only_as_its_hash(movement):
    token, secret = create_token(actor=movement.member.user, name="script", days=30)
    token.refresh_from_db()
    assert secret.startswith("grt_") and len(secret) > 40
    assert token.key_hash == hash_token(secret)
    stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get(pk=token.pk)]
    assert not any(secret in value for value in stored)
    assert secret[:10] == token.prefix


def test_unknown_revoked_and_expired_tokens_are_refused(movement, clock_):
    assert_error(Api(token="grt_" + "x" * 43).get("/me/ballots"), 401, "not_authenticated")
    token, secret = create_token(actor=movement.member.user, name="script", days=30)
    api = Api(token=secret)
    assert api.get("/me/ballots").status_code == 200
    clock_.advance(days=31)
    assert_error(api.get("/me/ballots"), 401, "not_authenticated")
    clock_.advance(days=-31)
    from grassroots.api.services import revoke_token

    revoke_token(actor=movement.member.user, token=token)
    assert_error(api.get("/me/ballots"), 401, "not_authenticated")


def test_a_deactivated_login_cannot_use_its_token(movement):
    secret = token_for(movement.member)
    movement.member.user.is_active = False
    movement.member.user.save()
    assert_error(Api(token=secret).get("/me/ballots"), 401, "not_authenticated")


def test_token_use_is_noted_as_the_day_only(movement):
    token, secret = create_token(actor=movement.member.user, name="script", days=30)
    assert token.last_used_at is None
    Api(token=secret).get("/me/ballots")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at == clock.now().replace(hour=0, minute=0, second=0, microsecond=0)


def test_an_officer_without_a_second_factor_is_refused_in_json(db):
    officer = RoleFactory(role=Role.NATIONAL_OFFICE).member  # no authenticator app
    assert_error(Api(token=token_for(officer)).get("/members"), 403, "mfa_required")
    client = Client()
    client.force_login(officer.user)
    response = Api(client=client).get("/me/ballots")
    assert_error(response, 403, "mfa_required")  # not the pages' redirect to the set-up


def test_public_endpoints_need_no_login(movement):
    assert Api().get("/ballots").status_code == 200
    assert Api().get("/openapi.json").status_code == 200


def test_session_writes_need_csrf_but_token_writes_do_not(movement):
    client = Client(enforce_csrf_checks=True)
    client.force_login(movement.member.user)
    body = {"idempotency_key": "k" * 20, "answers": []}
    assert_error(Api(client=client).post("/ballots/1/votes", body), 403, "csrf_failed")
    # A token in a header is no ambient credential: no CSRF token needed (404: no such ballot).
    api = Api(token=token_for(movement.member), client=Client(enforce_csrf_checks=True))
    assert_error(api.post("/ballots/1/votes", body), 404, "not_found")


# The token page


def test_the_page_shows_a_new_token_once_and_revokes_it(movement):
    client = Client()
    client.force_login(movement.member.user)
    response = client.post("/api/tokens/", {"name": "results bot", "days": "90"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=movement.member.user)
    secret = response.context["created"][1]
    assert secret.encode() in response.content
    assert hash_token(secret) == token.key_hash
    assert Api(token=secret).get("/me/ballots").status_code == 200
    listing = client.get("/api/tokens/")
    assert secret.encode() not in listing.content
    assert b"results bot" in listing.content
    response = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert_error(Api(token=secret).get("/me/ballots"), 401, "not_authenticated")
    actions = list(
        AuditEntry.objects.filter(subject_type="api_token")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create_api_token", "revoke_api_token"]


def test_nobody_can_revoke_another_members_token(movement):
    token, secret = create_token(actor=movement.member.user, name="mine", days=30)
    client = Client()
    client.force_login(movement.other_member.user)
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert Api(token=secret).get("/me/ballots").status_code == 200


def test_the_page_refuses_a_nameless_or_overlong_token(movement):
    client = Client()
    client.force_login(movement.member.user)
    assert client.post("/api/tokens/", {"name": "", "days": "90"}).status_code == 400
    assert client.post("/api/tokens/", {"name": "x", "days": "9999"}).status_code == 400
    assert not ApiToken.objects.exists()


def test_every_error_has_the_one_shape(movement):
    api = Api(token=token_for(movement.member))
    assert_error(api.get("/ballots/0"), 422, "invalid")
    assert_error(api.get("/ballots/12345"), 404, "not_found")
    assert_error(api.get("/members/GR0000001"), 404, "not_found")
    assert_error(api.get("/members", page="x"), 422, "invalid")
    assert_error(Api().get("/members"), 401, "not_authenticated")


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_outage_is_a_json_503_with_retry_after(movement, monkeypatch, error):
    """The pages answer 503 with Retry-After when the database is down (grassroots.availability);
    the API gives the same status and header, in its one error shape."""
    from grassroots.api import queries as api_queries

    def down(*args: object, **kwargs: object) -> None:
        raise error("could not connect to server: Connection refused")

    monkeypatch.setattr(api_queries, "public_ballots", down)
    response = Api().get("/ballots")
    assert_error(response, 503, "unavailable")
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
