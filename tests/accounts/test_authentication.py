"""studies/accounts/authentication.py: `Authorization: Token <key>` on the API."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studies.accounts import services
from studies.accounts.models import ApiToken
from tests.accounts.conftest import NOON, make_token
from tests.factories import UserFactory

STUDIES = "/api/v1/studies/"


def refused(response) -> tuple[int, dict, str]:
    return response.status_code, response.json(), response["WWW-Authenticate"]


def test_a_valid_token_signs_the_request_in_as_its_owner(api_client, team):
    _token, key = make_token(team.lead)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api_client.get(STUDIES)

    assert response.status_code == 200
    assert [study["id"] for study in response.json()["results"]] == [str(team.study.pk)]


def test_the_keyword_is_case_insensitive_like_drfs(api_client, team):
    _token, key = make_token(team.lead)
    api_client.credentials(HTTP_AUTHORIZATION=f"token {key}")

    assert api_client.get(STUDIES).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Token not-a-key-we-ever-made",
        "Token " + "x" * 500,
        "Token",
        "Token two parts",
    ],
)
def test_it_refuses_a_key_it_does_not_know(api_client, team, header):
    make_token(team.lead)
    api_client.credentials(HTTP_AUTHORIZATION=header)

    status, body, challenge = refused(api_client.get(STUDIES))

    assert (status, challenge) == (401, "Token")
    assert list(body["errors"]) == ["detail"]


def test_it_names_an_unknown_key_invalid(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-key-we-ever-made")

    assert refused(api_client.get(STUDIES)) == (
        401,
        {"errors": {"detail": ["Invalid token."]}},
        "Token",
    )


def test_it_refuses_a_revoked_token(api_client, team):
    token, key = make_token(team.lead)
    services.api_token_revoke(token=token, actor=team.lead)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert refused(api_client.get(STUDIES)) == (
        401,
        {"errors": {"detail": ["This token has been revoked."]}},
        "Token",
    )
    assert ApiToken.objects.get().last_used_at is None


def test_it_refuses_an_expired_token(api_client, team, time_machine):
    time_machine.move_to(NOON, tick=False)
    _token, key = make_token(team.lead, expires_at=NOON + dt.timedelta(days=30))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    time_machine.move_to(NOON + dt.timedelta(days=30), tick=False)

    assert refused(api_client.get(STUDIES)) == (
        401,
        {"errors": {"detail": ["This token has expired."]}},
        "Token",
    )
    assert ApiToken.objects.get().last_used_at is None


def test_it_accepts_a_token_until_it_expires(api_client, team, time_machine):
    time_machine.move_to(NOON, tick=False)
    _token, key = make_token(team.lead, expires_at=NOON + dt.timedelta(days=30))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    time_machine.move_to(NOON + dt.timedelta(days=30) - dt.timedelta(seconds=1), tick=False)

    assert api_client.get(STUDIES).status_code == 200


def test_it_refuses_the_token_of_an_inactive_user(api_client, team):
    _token, key = make_token(team.lead)
    team.lead.is_active = False
    team.lead.save(update_fields=["is_active"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert refused(api_client.get(STUDIES)) == (
        401,
        {"errors": {"detail": ["User inactive or deleted."]}},
        "Token",
    )


def test_it_notes_when_a_token_was_used_at_most_once_a_minute(api_client, db, time_machine):
    time_machine.move_to(NOON, tick=False)
    _token, key = make_token(UserFactory())
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    api_client.get("/api/v1/me/tokens/")
    first = ApiToken.objects.get().last_used_at
    time_machine.move_to(NOON + dt.timedelta(seconds=59), tick=False)
    with CaptureQueriesContext(connection) as within_the_minute:
        api_client.get("/api/v1/me/tokens/")
    second = ApiToken.objects.get().last_used_at
    time_machine.move_to(NOON + dt.timedelta(seconds=61), tick=False)
    with CaptureQueriesContext(connection) as after_the_minute:
        api_client.get("/api/v1/me/tokens/")
    third = ApiToken.objects.get().last_used_at

    assert (first, second, third) == (NOON, NOON, NOON + dt.timedelta(seconds=61))
    updates = [
        [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        for queries in (within_the_minute.captured_queries, after_the_minute.captured_queries)
    ]
    assert [len(statements) for statements in updates] == [0, 1]
    assert '"last_used_at"' in updates[1][0]


def test_a_stale_copy_does_not_write_over_a_fresher_use(db, time_machine):
    """Two requests at once both read the token as stale; the second update matches nothing."""
    from studies.accounts.authentication import ApiTokenAuthentication

    time_machine.move_to(NOON, tick=False)
    _token, key = make_token(UserFactory())
    auth = ApiTokenAuthentication()
    _user, first_copy = auth.authenticate_credentials(key)
    stale_copy = ApiToken.objects.get()
    stale_copy.last_used_at = None

    time_machine.move_to(NOON + dt.timedelta(seconds=30), tick=False)
    auth._note_use(stale_copy, NOON + dt.timedelta(seconds=30))

    assert first_copy.last_used_at == NOON
    assert ApiToken.objects.get().last_used_at == NOON


def test_the_session_still_signs_the_web_app_in(client, team):
    client.force_login(team.lead)

    assert client.get(STUDIES).status_code == 200
