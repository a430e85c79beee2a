"""Deliveries: one per (card event, webhook), each with the event's payload."""

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.synthesis.models import CardEvent, Column, Webhook, WebhookDelivery

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
