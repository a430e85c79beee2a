"""API rate limits and request size limits: a 4xx in the one error shape, never a 500."""

import json

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory


@pytest.fixture
def low_rates(monkeypatch):
    # DRF copies the rates onto the throttle class when it is first imported, so changing
    # REST_FRAMEWORK in a test would not reach it: the class's copy is what is lowered.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"}
    )


@pytest.mark.django_db
def test_it_answers_429_in_the_error_shape_past_a_users_rate(api_client, low_rates):
    api_client.force_authenticate(UserFactory())

    answers = [api_client.get("/api/v1/studies/") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[3].json() == {
        "errors": {"detail": ["Request was throttled. Expected available in 60 seconds."]}
    }
    assert answers[3]["Retry-After"] == "60"


@pytest.mark.django_db
def test_it_counts_each_user_apart(api_client, low_rates):
    api_client.force_authenticate(UserFactory())
    for _ in range(3):
        api_client.get("/api/v1/studies/")

    api_client.force_authenticate(UserFactory())
    other = api_client.get("/api/v1/studies/")

    assert other.status_code == 200


@pytest.mark.django_db
def test_it_throttles_anonymous_clients_at_their_own_rate(api_client, low_rates):
    # Anonymous calls to private endpoints stop at 401 before any throttle; the public
    # ones (the schema, whose generation is costly) are what the anonymous rate guards.
    answers = [api_client.get("/api/schema/").status_code for _ in range(3)]

    assert answers == [200, 200, 429]


@pytest.mark.django_db
def test_it_refuses_a_json_body_over_the_limit_with_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api_client.force_authenticate(UserFactory())
    body = json.dumps({"operations": [{"kind": "create", "text": "x" * 2000}]})

    response = api_client.post("/api/v1/sync/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"errors": {"detail": ["The request body is too large."]}}


@pytest.mark.django_db
def test_it_parses_a_json_body_at_the_limit(api_client, settings):
    body = json.dumps({"operations": "not a list"})
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body)
    api_client.force_authenticate(UserFactory())

    response = api_client.post("/api/v1/sync/", body, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["operations"]


@pytest.mark.django_db
def test_it_refuses_a_form_body_over_the_limit_with_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api_client.force_authenticate(UserFactory())

    response = api_client.post(
        "/api/v1/sync/",
        "operations=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert response.json() == {"errors": {"detail": ["The request body is too large."]}}


@pytest.mark.django_db
def test_it_refuses_a_form_with_too_many_fields_with_400(api_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    api_client.force_authenticate(UserFactory())

    response = api_client.post(
        "/api/v1/sync/",
        "&".join(f"field{index}=1" for index in range(20)),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"detail": ["The request has too many fields or files."]}}
