"""Telling the outside world about board changes: outgoing webhooks.

Services call `card_events_announce` inside their transaction. The deliveries are rows
written in that same transaction, so an announcement is never lost between the commit and
a broker; sending them is a Celery task queued after commit (and, should the broker be down,
the every-minute sweeper's job) or, with no broker, handed to a background thread after
commit, so an endpoint that is down or slow never holds up the user's request.
"""

import uuid
from collections.abc import Sequence

from studies.synthesis.services import webhooks


def card_events_announce(*, event_ids: Sequence[uuid.UUID]) -> None:
    if not event_ids:
        return
    deliveries = webhooks.deliveries_create_for_events(event_ids=event_ids)
    webhooks.deliveries_send_after_commit(delivery_ids=[delivery.pk for delivery in deliveries])
