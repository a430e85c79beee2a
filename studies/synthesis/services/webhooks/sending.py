"""Sending deliveries: signed, time-limited, retried with back-off by Celery and the sweeper."""

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Collection
from functools import partial
from http.client import HTTPException
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.synthesis.models import DeliveryStatus, WebhookDelivery

TIMEOUT_SECONDS = 5.0
# Waits after the 1st, 2nd, ... failed attempt; the attempt after the last wait is the final one.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# While one worker sends, the delivery is not due for anyone else. Longer than any send can
# last (the tasks' time limits), so a worker that dies mid-send only delays the next attempt.
CLAIM_LEASE = dt.timedelta(minutes=5)
# How long one sweep keeps starting attempts: well inside the minute between sweeps.
SWEEP_BUDGET = dt.timedelta(seconds=40)
ERROR_MAX_LENGTH = 500


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-ResearchHub-Signature header: HMAC-SHA256 of "<timestamp>.<body>"."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_valid(secret: str, timestamp: str, body: bytes | str, header: str) -> bool:
    """What a receiver checks: the header was made with this secret over this exact body."""
    if isinstance(body, str):
        body = body.encode()
    return hmac.compare_digest(signature(secret, timestamp, body), header)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: following it would re-send or drop the body."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    # Only http(s) URLs are ever stored (see webhook_validate): no file:// or other scheme.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirects)
    with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        return response.status


def _claim(delivery_id: uuid.UUID) -> WebhookDelivery | None:
    """Take a due delivery for one attempt, so two workers never send it at once."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        webhook__active=True,
    ).update(
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        next_attempt_at=now + CLAIM_LEASE,
        updated_at=now,
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def delivery_send(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Make one attempt at a due delivery and record its outcome; never raises for the network.

    A delivery that is not due (delivered, failed, waiting or being sent) is left as it is.
    """
    attempted = _attempt(delivery.pk)
    if attempted is None:
        delivery.refresh_from_db()
        return delivery
    return attempted


def _attempt(delivery_id: uuid.UUID) -> WebhookDelivery | None:
    # Not atomic on purpose: no transaction or row lock is held while the endpoint answers.
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    assert delivery.last_attempt_at is not None  # set by the claim
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(delivery.last_attempt_at.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ResearchHub-Webhooks/1",
        "X-ResearchHub-Event": delivery.event,
        "X-ResearchHub-Delivery": str(delivery.pk),
        "X-ResearchHub-Timestamp": timestamp,
        "X-ResearchHub-Signature": signature(delivery.webhook.secret, timestamp, body),
    }
    status, error = None, ""
    try:
        status = _post(delivery.webhook.url, body, headers)
    except urllib.error.HTTPError as answer:
        status = answer.code
        error = _("The endpoint answered %(status)d.") % {"status": answer.code}
    except (OSError, HTTPException, ValueError) as failure:
        reason = getattr(failure, "reason", None) or failure
        error = _("Could not reach the endpoint: %(reason)s") % {"reason": reason}
    _record(delivery, status=status, error=error)
    return delivery


def _record(delivery: WebhookDelivery, *, status: int | None, error: str) -> None:
    delivery.response_status = status
    delivery.last_error = error[:ERROR_MAX_LENGTH]
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = delivery.last_attempt_at + BACKOFF[delivery.attempts - 1]
    delivery.save(
        update_fields=[
            "response_status",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
            "updated_at",
        ]
    )


def deliveries_send_due(*, limit: int = 20, budget: dt.timedelta = SWEEP_BUDGET) -> int:
    """Send deliveries whose next attempt is due, oldest first; how many were attempted.

    Bounded by count and by time, so a run finishes before the next one starts even when
    every endpoint hangs until its timeout.
    """
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=timezone.now(),
        webhook__active=True,
    ).order_by("next_attempt_at")
    started, attempted = time.monotonic(), 0
    for delivery in due.only("pk")[:limit]:
        if time.monotonic() - started >= budget.total_seconds():
            break
        if _attempt(delivery.pk) is not None:
            attempted += 1
    return attempted


@transaction.atomic
def deliveries_retry(*, delivery_ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
    """Send the named deliveries again now, failed ones included (one more attempt each).

    Delivered ones are left alone. Returns the ids queued.
    """
    queued = list(
        WebhookDelivery.objects.filter(pk__in=delivery_ids)
        .exclude(status=DeliveryStatus.DELIVERED)
        .values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk__in=queued).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), updated_at=timezone.now()
    )
    deliveries_send_after_commit(delivery_ids=queued)
    return queued


def deliveries_send_after_commit(*, delivery_ids: Collection[uuid.UUID]) -> None:
    """Queue a first attempt at each delivery once the transaction that made it commits.

    Robust: a broker that is down is logged, not raised into the user's request; the sweeper
    sends what was not queued.
    """
    from studies.synthesis import tasks

    for pk in delivery_ids:
        transaction.on_commit(partial(tasks.deliver_webhook.delay, str(pk)), robust=True)
