"""Checks behind GET /healthz: can we reach the database, the broker and media storage?

Each check answers quickly and never raises: a load balancer or container runtime polls
this URL, so a slow or crashing check would take a healthy process out of rotation.
A failure is reported by the exception's class name only, so the page leaks no
credentials or host names from connection strings.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str


def check_database() -> CheckResult:
    # Any failure at all means "down"; the checks report rather than raise.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return CheckResult(ok=False, detail=type(exc).__name__)
    return CheckResult(ok=True, detail=connection.vendor)


def check_broker() -> CheckResult:
    url = settings.CELERY_BROKER_URL
    if not url:
        return CheckResult(ok=True, detail="inline (no broker configured)")
    # A fresh connection from the settings rather than the Celery app's pool: the pool
    # would hide a broker that went away behind a connection opened earlier.
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            # max_retries=0 is a single attempt; kombu's retries would sleep for seconds.
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
            transport = broker.transport.driver_name
    except Exception as exc:
        return CheckResult(ok=False, detail=type(exc).__name__)
    return CheckResult(ok=True, detail=transport)


def check_storage() -> CheckResult:
    name = f"healthz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        default_storage.delete(saved)
    except Exception as exc:
        return CheckResult(ok=False, detail=type(exc).__name__)
    return CheckResult(ok=True, detail=type(default_storage._wrapped).__name__)


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}
