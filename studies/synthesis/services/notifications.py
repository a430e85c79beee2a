"""Telling the outside world about board changes: outgoing webhooks, after commit.

Services call `card_events_announce` inside their transaction; deliveries are created
and sent by a Celery task once the change is committed, so an endpoint that is down or
slow never holds up the user's request.
"""

import uuid
from collections.abc import Sequence

from django.db import transaction


def card_events_announce(*, event_ids: Sequence[uuid.UUID]) -> None:
    if not event_ids:
        return
    from studies.synthesis import tasks

    ids = [str(pk) for pk in event_ids]
    transaction.on_commit(lambda: tasks.announce_card_events.delay(ids))
