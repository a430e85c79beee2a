"""Outgoing webhooks: a delivery per (card event, webhook), signed, sent and retried by Celery.

The payload is Slack-compatible ("text" and "blocks") with a "researchhub" object for
machines. It names boards, insights and the studies behind them, never a participant.
"""

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Collection, Sequence
from functools import partial
from http.client import HTTPException
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.synthesis.models import (
    Board,
    CardEvent,
    Column,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
)

NAME_MAX_LENGTH = Webhook._meta.get_field("name").max_length
URL_MAX_LENGTH = Webhook._meta.get_field("url").max_length


_http_url = URLValidator(schemes=["http", "https"])


def _board(board_id: uuid.UUID | str | None) -> Board | None:
    try:
        return Board.objects.filter(pk=uuid.UUID(str(board_id))).first()
    except ValueError:
        return None


def webhook_validate(
    *, name: str, url: str, board_id: uuid.UUID | str | None
) -> tuple[str, str, Board | None]:
    """The cleaned name and URL and the board, or a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    name, url = name.strip(), url.strip()
    if not name:
        errors["name"] = _("Give the webhook a name.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("Keep the name to %(max)d characters.") % {"max": NAME_MAX_LENGTH}
    if len(url) > URL_MAX_LENGTH:
        errors["url"] = _("Keep the address to %(max)d characters.") % {"max": URL_MAX_LENGTH}
    else:
        try:
            _http_url(url)
        except ValidationError:
            errors["url"] = _("Enter an http:// or https:// address with a host name.")
    board = _board(board_id) if board_id else None
    if board_id and board is None:
        errors["board"] = _("There is no such board.")
    if errors:
        raise ValidationError(errors)
    return name, url, board


@transaction.atomic
def webhook_create(
    *,
    name: str,
    url: str,
    secret: str = "",
    board_id: uuid.UUID | str | None = None,
    active: bool = True,
) -> Webhook:
    """Register an endpoint. Without a secret one is generated: shown once, then kept."""
    name, url, board = webhook_validate(name=name, url=url, board_id=board_id)
    secret = secret.strip()
    secret_max = Webhook._meta.get_field("secret").max_length
    if len(secret) > secret_max:
        raise ValidationError(
            {"secret": _("Keep the secret to %(max)d characters.") % {"max": secret_max}}
        )
    return Webhook.objects.create(
        name=name,
        url=url,
        secret=secret or secrets.token_urlsafe(32),
        board=board,
        active=active,
    )


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    name: str,
    url: str,
    board_id: uuid.UUID | str | None,
    active: bool,
) -> Webhook:
    """Change where and what a webhook hears. The secret stays: it is set once at creation."""
    name, url, board = webhook_validate(name=name, url=url, board_id=board_id)
    webhook.name, webhook.url, webhook.board, webhook.active = name, url, board, active
    webhook.save(update_fields=["name", "url", "board", "active", "updated_at"])
    return webhook


# --- Deliveries: one per (card event, webhook), with a Slack-compatible payload -------------

# What an event is called on the wire. A card taken off a board is not announced.
EVENT_NAMES = {
    CardEvent.Kind.PLACED: "insight.placed",
    CardEvent.Kind.RESTORED: "insight.placed",
    CardEvent.Kind.MOVED: "insight.moved",
}


def _mrkdwn(text: str) -> str:
    """Escape the three characters Slack's markup gives a meaning to."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column_label(column: str) -> str:
    return str(Column(column).label) if column else ""


def insight_url(insight_id: uuid.UUID) -> str:
    return f"{settings.RESEARCHHUB_SITE_URL}/insights/{insight_id}/"


def event_payload(*, event: CardEvent) -> dict[str, Any]:
    """What a webhook is told about a card event: no participant, only the insight's counts.

    Expects the event with card__board, card__insight__study and actor selected.
    """
    card, actor = event.card, event.actor
    insight, board = card.insight, card.board
    url = insight_url(insight.pk)
    names = {
        "board": board.name,
        "from": _column_label(event.from_column),
        "to": _column_label(event.to_column),
    }
    if event.kind == CardEvent.Kind.MOVED:
        happened = _("Moved from %(from)s to %(to)s on %(board)s.") % names
    elif event.kind == CardEvent.Kind.RESTORED:
        happened = _("Back on %(board)s, in %(to)s.") % names
    else:
        happened = _("New on %(board)s, in %(to)s.") % names
    context = [
        ngettext("%(count)d household", "%(count)d households", insight.household_count)
        % {"count": insight.household_count},
        insight.study.title,
    ]
    if actor is not None:
        context.append(_("by %(username)s") % {"username": actor.username})
    return {
        "text": _mrkdwn(f"“{insight.statement}” {happened}"),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*<{url}|{_mrkdwn(insight.statement)}>*\n{_mrkdwn(happened)}",
                },
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _mrkdwn(" · ".join(context))}],
            },
        ],
        "researchhub": {
            "event": EVENT_NAMES[event.kind],
            "event_id": str(event.pk),
            "occurred_at": event.created_at.isoformat(),
            "board": {"slug": board.slug, "name": board.name},
            "column": {"from": event.from_column or None, "to": event.to_column or None},
            "insight": {
                "id": str(insight.pk),
                "statement": insight.statement,
                "household_count": insight.household_count,
                "url": url,
            },
            "study": {"id": str(insight.study_id), "title": insight.study.title},
            "actor": actor.username if actor is not None else None,
        },
    }


@transaction.atomic
def deliveries_create_for_events(*, event_ids: Sequence[uuid.UUID | str]) -> list[WebhookDelivery]:
    """A pending delivery per (event, active webhook hearing its board); the ones made now.

    Idempotent: announcing an event again (a retried task) creates nothing new.
    """
    hooks = list(Webhook.objects.filter(active=True))
    if not hooks:
        return []
    events = list(
        CardEvent.objects.filter(pk__in=event_ids, kind__in=EVENT_NAMES)
        .select_related("card__board", "card__insight__study", "actor")
        .order_by("created_at")
    )
    if not events:
        return []
    already = set(
        WebhookDelivery.objects.filter(card_event__in=events).values_list(
            "webhook_id", "card_event_id"
        )
    )
    now = timezone.now()
    deliveries = []
    for event in events:
        listeners = [
            hook
            for hook in hooks
            if hook.board_id in (None, event.card.board_id) and (hook.pk, event.pk) not in already
        ]
        if not listeners:
            continue
        payload = event_payload(event=event)
        deliveries += [
            WebhookDelivery(
                webhook=hook,
                card_event=event,
                event=EVENT_NAMES[event.kind],
                payload=payload,
                next_attempt_at=now,
            )
            for hook in listeners
        ]
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    # A concurrent announcement may have won some pairs: return only the rows made here.
    return list(
        WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries])
        .select_related("webhook")
        .order_by("created_at", "webhook__name")
    )


# --- Sending: signed, time-limited, retried with back-off ------------------------------------

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
