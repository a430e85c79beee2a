"""A dependency out of reach for a moment answers 503 with Retry-After, never the 500 of a bug.

The faults are raised where the code meets the dependency (a selector's query, the session
read by middleware, the broker); stopping the real services is for the chaos bench.
"""

import errno
import socket

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client
from kombu.exceptions import OperationalError as BrokerUnreachable

from frontend import views as page_views
from studies.fieldwork.services import uploads
from studies.scheduling.api.views import studies as study_views
from tests.factories import UserFactory
from tests.fieldwork.photo_support import Uploader, media, photo, visits

__all__ = ["media", "photo", "visits"]  # fixtures shared through photo_support

pytestmark = pytest.mark.django_db

BUSY = "ResearchHub is busy for a moment. Nothing was saved; try again in a few seconds."


def _failing(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.parametrize(
    "fault",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
        BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
        OperationalError("database is locked"),
    ],
    ids=["database-restarting", "connection-closed", "broker-down", "database-locked"],
)
def test_the_api_answers_503_in_the_error_shape_while_a_dependency_is_away(
    client_for, team, monkeypatch, fault
):
    monkeypatch.setattr(study_views.selectors, "study_list", _failing(fault))

    response = client_for(team.lead).get("/api/v1/studies/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"errors": {"service": [BUSY]}}


def test_a_fault_of_the_code_still_answers_500(team, monkeypatch):
    monkeypatch.setattr(study_views.selectors, "study_list", _failing(ValueError("a bug")))
    client = Client(raise_request_exception=False)
    client.force_login(team.lead)

    response = client.get("/api/v1/studies/")

    assert response.status_code == 500


def test_a_schema_that_does_not_match_the_code_is_a_500_not_a_wait(team, monkeypatch):
    missing = OperationalError("no such table: scheduling_study")
    monkeypatch.setattr(study_views.selectors, "study_list", _failing(missing))
    client = Client(raise_request_exception=False)
    client.force_login(team.lead)

    assert client.get("/api/v1/studies/").status_code == 500


def test_a_page_shows_the_busy_page_when_its_query_meets_a_restarting_database(monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr(
        page_views.selectors,
        "study_list_with_next_round",
        _failing(OperationalError("the database system is shutting down")),
    )

    response = client.get("/")

    assert response.status_code == 503
    assert "Busy for a moment" in response.text


def test_a_page_shows_the_busy_page_with_503_when_the_session_cannot_be_read(monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr(SessionStore, "load", _failing(OperationalError("terminating connection")))

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Busy for a moment" in response.text
    assert BUSY in response.text


def test_the_api_answers_in_its_shape_when_middleware_meets_the_fault(monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr(
        SessionStore, "load", _failing(OperationalError("could not connect to server"))
    )

    response = client.get("/api/v1/studies/")

    assert response.status_code == 503
    assert response.json() == {"errors": {"service": [BUSY]}}


def test_a_page_whose_code_fails_still_answers_500(monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr(
        page_views.selectors, "study_list_with_next_round", _failing(KeyError("a bug"))
    )

    response = client.get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response


# --- Media storage ---------------------------------------------------------------------


def test_a_chunk_the_storage_cannot_take_is_a_503_and_the_offset_stays(
    team, visits, photo, media, monkeypatch
):
    uploader = Uploader(team.researcher)
    created = uploader.create(visits.mine, photo).json()
    first = uploader.send(created["id"], photo[:1000], 0)

    def disk_full(name: str, data: bytes) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as fault:
        fault.setattr(uploads, "put_exactly", disk_full)
        refused = uploader.send(created["id"], photo[1000:2000], 1000)
    again = uploader.send(created["id"], photo[1000:2000], 1000)

    assert first.status_code == 200
    assert refused.status_code == 503
    assert refused["Retry-After"] == "5"
    assert refused.json() == {"errors": {"service": [BUSY]}}
    assert again.status_code == 200
    assert again.json()["offset"] == 2000


# --- The rate-limit cache --------------------------------------------------------------


def test_requests_go_through_uncounted_while_the_rate_limit_cache_is_down(
    client_for, team, settings
):
    # A Redis cache on a loopback port nothing listens on: every count fails to connect.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
        }
    }

    answers = [client_for(team.lead).get("/api/v1/studies/").status_code for _ in range(3)]

    assert answers == [200, 200, 200]
