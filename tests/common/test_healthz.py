"""GET /healthz: database, broker and media storage, as JSON a load balancer can poll."""

import socket
from collections.abc import Iterator

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection

from studies.common import health

EMBEDDED_BROKER = {"ok": True, "detail": "inline (no broker configured)"}
STORAGE_OK = {"ok": True, "detail": "FileSystemStorage"}


class ReadOnlyStorage(FileSystemStorage):
    """Media storage on a disk that refuses writes."""

    def _save(self, name, content):
        raise PermissionError(f"read-only: {name}")


@pytest.fixture
def embedded(settings, tmp_path):
    """The laptop set-up: tasks inline, media in a folder of this test's own."""
    settings.CELERY_BROKER_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def closed_port() -> Iterator[int]:
    # Bound but never listening: connecting is refused, and no other process can take it.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_it_reports_every_check_ok_in_the_embedded_setup(db, client, embedded):
    # An anonymous client: probes carry no session.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "detail": connection.vendor},
            "broker": EMBEDDED_BROKER,
            "storage": STORAGE_OK,
        },
    }
    assert "no-store" in response["Cache-Control"]


def test_its_storage_check_leaves_no_file_behind(db, client, embedded):
    client.get("/healthz")

    assert [path for path in embedded.MEDIA_ROOT.rglob("*") if path.is_file()] == []


def test_it_answers_503_naming_storage_when_storage_refuses_writes(db, client, embedded):
    embedded.STORAGES = {
        **embedded.STORAGES,
        "default": {"BACKEND": f"{__name__}.ReadOnlyStorage"},
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"] == {"ok": False, "detail": "PermissionError"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"] == EMBEDDED_BROKER


def test_it_answers_503_naming_the_broker_when_it_is_unreachable(db, client, embedded, closed_port):
    broker_url = f"redis://:broker-password@127.0.0.1:{closed_port}/0"
    embedded.CELERY_BROKER_URL = broker_url

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == {"ok": False, "detail": "OperationalError"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"] == STORAGE_OK
    # Connection strings hold credentials; the page names the failure, never the URL.
    assert "broker-password" not in response.content.decode()


def test_it_answers_503_naming_the_database_when_it_is_unreachable(
    db, client, embedded, monkeypatch
):
    class UnreachableDatabase:
        vendor = connection.vendor

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": {"ok": False, "detail": "OperationalError"},
        "broker": EMBEDDED_BROKER,
        "storage": STORAGE_OK,
    }


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "head", "options"])
def test_it_allows_only_get(db, client, embedded, method):
    response = getattr(client, method)("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
