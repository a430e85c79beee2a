"""Checks behind GET /healthz: can we reach the database, the broker and media storage?"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as text
        return CheckResult(ok=False, detail=type(exc).__name__)
    return CheckResult(ok=True, detail=connection.vendor)


def check_broker() -> CheckResult:
    if not settings.CELERY_BROKER_URL:
        return CheckResult(ok=True, detail="inline (no broker configured)")
    from researchhub.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:  # noqa: BLE001
        return CheckResult(ok=False, detail=type(exc).__name__)
    return CheckResult(ok=True, detail=str(transport))


def check_storage() -> CheckResult:
    name = f"healthz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        default_storage.delete(saved)
    except Exception as exc:  # noqa: BLE001
        return CheckResult(ok=False, detail=type(exc).__name__)
    return CheckResult(ok=True, detail=type(default_storage._wrapped).__name__)


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}
