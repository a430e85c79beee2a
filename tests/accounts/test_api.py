"""/api/v1/me/tokens/: integrators list, make and revoke their own tokens."""

import datetime as dt

import pytest

from studies.accounts.models import ApiToken, hash_key
from studies.common.models import AuditAction, AuditEvent
from tests.accounts.conftest import NOON, make_token
from tests.factories import UserFactory

TOKENS = "/api/v1/me/tokens/"


def revoke_url(token: ApiToken) -> str:
    return f"{TOKENS}{token.pk}/revoke/"


def as_json(token: ApiToken, **changes: object) -> dict:
    return {
        "id": str(token.pk),
        "name": token.name,
        "prefix": token.prefix,
        "status": "active",
        "created_at": "2027-01-12T12:00:00Z",
        "last_used_at": None,
        "expires_at": None,
        "revoked_at": None,
        **changes,
    }


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


def test_it_refuses_anonymous_requests_and_changes_nothing(api_client, ada):
    token, _key = make_token(ada)

    answers = [
        api_client.get(TOKENS),
        api_client.post(TOKENS, {"name": "Sneaky"}),
        api_client.post(revoke_url(token)),
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert list(ApiToken.objects.values_list("name", "revoked_at")) == [("Zapier export", None)]


def test_it_lists_only_the_callers_tokens(api_client, ada, time_machine, django_assert_num_queries):
    time_machine.move_to(NOON - dt.timedelta(days=1), tick=False)
    older, _key = make_token(ada, name="Older")
    time_machine.move_to(NOON, tick=False)
    newer, _key = make_token(ada, name="Newer", expires_at=NOON + dt.timedelta(days=30))
    make_token(UserFactory(username="bob"), name="Bob's")
    api_client.force_authenticate(ada)

    # The page's count, then the page of tokens.
    with django_assert_num_queries(2):
        response = api_client.get(TOKENS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [
        as_json(newer, expires_at="2027-02-11T12:00:00Z"),
        as_json(older, created_at="2027-01-11T12:00:00Z"),
    ]


def test_it_makes_a_token_and_answers_with_its_key_once(api_client, ada, at_noon):
    api_client.force_authenticate(ada)

    made = api_client.post(TOKENS, {"name": "Nightly export", "expires_at": "2027-06-30T00:00:00Z"})
    listed = api_client.get(TOKENS)

    token = ApiToken.objects.get()
    key = made.json()["key"]
    assert made.status_code == 201
    assert made.json() == {**as_json(token, expires_at="2027-06-30T00:00:00Z"), "key": key}
    assert token.key_hash == hash_key(key)
    assert token.name == "Nightly export"
    assert "key" not in listed.json()["results"][0]
    assert key not in listed.content.decode()


def test_the_new_key_works_at_once(api_client, ada):
    api_client.force_authenticate(ada)
    key = api_client.post(TOKENS, {"name": "Script"}).json()["key"]
    api_client.force_authenticate(None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api_client.get(TOKENS)

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": "   "}, {"name": ["This field may not be blank."]}),
        ({"name": "x" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        (
            {"name": "Export", "expires_at": "2027-01-12T11:59:00Z"},
            {"expires_at": ["The expiry must be in the future."]},
        ),
        (
            {"name": "Export", "expires_at": "soon"},
            {
                "expires_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
    ],
)
def test_it_refuses_input_it_cannot_use_and_makes_nothing(api_client, ada, at_noon, data, errors):
    api_client.force_authenticate(ada)

    response = api_client.post(TOKENS, data)

    assert (response.status_code, response.json()) == (400, {"errors": errors})
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_caller_revokes_their_token_and_a_second_revoke_changes_nothing(
    api_client, ada, time_machine
):
    time_machine.move_to(NOON, tick=False)
    token, key = make_token(ada)
    api_client.force_authenticate(ada)

    time_machine.move_to(NOON + dt.timedelta(hours=1), tick=False)
    first = api_client.post(revoke_url(token))
    time_machine.move_to(NOON + dt.timedelta(hours=2), tick=False)
    second = api_client.post(revoke_url(token))

    revoked = as_json(token, status="revoked", revoked_at="2027-01-12T13:00:00Z")
    assert (first.status_code, first.json()) == (200, revoked)
    assert (second.status_code, second.json()) == (200, revoked)
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).count() == 1
    api_client.force_authenticate(None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get(TOKENS).status_code == 401


@pytest.mark.parametrize("token_id", ["bobs", "00000000-0000-0000-0000-000000000000"])
def test_someone_elses_token_is_as_missing_as_no_token(api_client, ada, token_id):
    bobs, _key = make_token(UserFactory(username="bob"))
    api_client.force_authenticate(ada)
    url = revoke_url(bobs) if token_id == "bobs" else f"{TOKENS}{token_id}/revoke/"

    response = api_client.post(url)

    assert (response.status_code, response.json()) == (
        404,
        {"errors": {"detail": ["Not found."]}},
    )
    assert ApiToken.objects.get().revoked_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).exists()


def test_a_token_may_revoke_itself(api_client, ada):
    token, key = make_token(ada)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api_client.post(revoke_url(token))

    assert response.json()["status"] == "revoked"
    assert api_client.get(TOKENS).status_code == 401
