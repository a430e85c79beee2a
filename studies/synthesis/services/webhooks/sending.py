"""Sending deliveries: signed, time-limited, retried with back-off by Celery and the sweeper.

Every attempt goes through studies.common.outbound, which checks the destination again (a
refused one is recorded as such, with no answer) and bounds the time the endpoint may take.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Collection
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial

from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common import outbound
from studies.synthesis.models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)

# The whole attempt, connecting included; the endpoint's answer body is never read.
TIMEOUT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 3.0
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
        # Checked again at every attempt: what the name resolves to may have changed since
        # the webhook was saved. A redirect is an answer, not followed.
        answer = outbound.request(
            method="POST",
            url=delivery.webhook.url,
            body=body,
            headers=headers,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            total_timeout=TIMEOUT_SECONDS,
            max_body_bytes=0,
        )
    except outbound.OutboundRefused as refused:
        # Nothing was sent, so there is no answer to record: only that, and why. Retried with
        # back-off all the same, since DNS may change.
        error = _("Not sent: the destination was refused. %(reason)s") % {"reason": refused.message}
    except outbound.OutboundFailed as failed:
        error = _("Could not reach the endpoint: %(reason)s") % {"reason": failed.message}
    else:
        status = answer.status
        if not 200 <= status < 300:
            error = _("The endpoint answered %(status)d.") % {"status": status}
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
    for pk in delivery_ids:
        transaction.on_commit(partial(_send_soon, str(pk)), robust=True)


def _send_soon(delivery_id: str) -> None:
    """Hand a delivery to what sends it outside the request: a Celery worker, or when tasks
    run inline (no broker, the embedded set-up) a thread of this process."""
    from studies.synthesis import tasks

    if tasks.deliver_webhook.app.conf.task_always_eager:
        _send_in_background(delivery_id)
    else:
        tasks.deliver_webhook.delay(delivery_id)


# --- Sending in this process, when there is no broker ----------------------------------------
# An inline task would make the user's request wait for the endpoint (up to the timeout, for
# each webhook). A few threads send instead, after the response. Each send is bounded by
# TIMEOUT_SECONDS; a process that exits lets the queued ones finish first.
BACKGROUND_THREADS = 4

_background_lock = threading.Lock()
_background_executor: ThreadPoolExecutor | None = None
_background_pending: set[Future[None]] = set()


def _send_in_background(delivery_id: str) -> None:
    global _background_executor  # made on first use, in the process that sends
    with _background_lock:
        if _background_executor is None:
            _background_executor = ThreadPoolExecutor(
                max_workers=BACKGROUND_THREADS, thread_name_prefix="webhook-delivery"
            )
        future = _background_executor.submit(_send_in_thread, delivery_id)
        _background_pending.add(future)
    future.add_done_callback(_background_forget)


def _background_forget(future: Future[None]) -> None:
    with _background_lock:
        _background_pending.discard(future)


def _send_in_thread(delivery_id: str) -> None:
    from studies.synthesis import tasks

    try:
        tasks.deliver_webhook(delivery_id)
    except Exception:
        logger.exception("Sending webhook delivery %s failed", delivery_id)
    finally:
        # This thread's own connections: nothing else would ever close them.
        connections.close_all()


def background_sends_wait(*, timeout: float) -> bool:
    """Wait until the deliveries handed to this process's threads are sent; False if some
    were still going when the time ran out. Tests use it to see what a delivery did."""
    with _background_lock:
        pending = set(_background_pending)
    _done, not_done = wait(pending, timeout=timeout)
    return not not_done
