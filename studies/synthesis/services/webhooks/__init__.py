"""Outgoing webhooks: a delivery per (card event, webhook), signed, sent and retried by Celery
(or, with no broker, by a few threads of the process, after the response).

The payload is Slack-compatible ("text" and "blocks") with a "researchhub" object for
machines. It names boards, insights and the studies behind them, never a participant.

endpoints registers webhooks, payloads makes the deliveries of card events, sending signs,
sends and retries them. Only public addresses are reached, checked when a webhook is saved
and again at every attempt (studies.common.outbound).
"""

from studies.synthesis.services.webhooks.endpoints import (
    NAME_MAX_LENGTH,
    URL_MAX_LENGTH,
    webhook_create,
    webhook_update,
    webhook_validate,
)
from studies.synthesis.services.webhooks.payloads import (
    EVENT_NAMES,
    deliveries_create_for_events,
    event_payload,
    insight_url,
)
from studies.synthesis.services.webhooks.sending import (
    BACKOFF,
    CLAIM_LEASE,
    ERROR_MAX_LENGTH,
    MAX_ATTEMPTS,
    SWEEP_BUDGET,
    TIMEOUT_SECONDS,
    background_sends_wait,
    deliveries_retry,
    deliveries_send_after_commit,
    deliveries_send_due,
    delivery_send,
    signature,
    signature_valid,
)

__all__ = [
    "BACKOFF",
    "CLAIM_LEASE",
    "ERROR_MAX_LENGTH",
    "EVENT_NAMES",
    "MAX_ATTEMPTS",
    "NAME_MAX_LENGTH",
    "SWEEP_BUDGET",
    "TIMEOUT_SECONDS",
    "URL_MAX_LENGTH",
    "background_sends_wait",
    "deliveries_create_for_events",
    "deliveries_retry",
    "deliveries_send_after_commit",
    "deliveries_send_due",
    "delivery_send",
    "event_payload",
    "insight_url",
    "signature",
    "signature_valid",
    "webhook_create",
    "webhook_update",
    "webhook_validate",
]
