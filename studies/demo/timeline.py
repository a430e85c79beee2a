"""When things happened in the demo workspace: the loop's timestamps as they would have been.

The services stamp the real clock, which is right in use. Replayed in one go, though, every
sync, insight, board placement and decision of the last nine months would say it happened
in the second the demo was loaded, and the loop health page would measure nothing. These
functions move each stamp to when it would have happened, along the same chain the page
reads: captured → synced → in an insight → on a board → decided.
"""

import datetime as dt

from django.db.models import F

from studies.fieldwork.models import Observation, Photo
from studies.scheduling.models import Household, Round
from studies.synthesis.models import BoardCard, CardEvent, Comment, Evidence, Insight, QuoteUse

# A phone with signal sends what it captured within minutes.
SYNC_DELAY = dt.timedelta(minutes=3)
# The lead synthesises in a session about nine days after first seeing a need, and adds
# later sightings in the session after the round that brought them.
SYNTHESIS_LAG = dt.timedelta(days=9)
EVIDENCE_LAG = dt.timedelta(days=6)
# Nothing is stamped closer to the demo's "now" than this, so it all reads as the past.
SETTLED = dt.timedelta(hours=1)


def syncs_replayed(
    *,
    rounds: list[Round],
    households: dict[str, Household],
    offline: dict[tuple[str, int], int],
) -> None:
    """Observations and photos arrive minutes after capture, except at the visits in
    `offline` ((household code, round index) → days), where the phone had no signal and
    what was captured waited on it until then."""
    for items in (Observation.objects, Photo.objects):
        items.filter(visit__round__in=rounds).update(received_at=F("captured_at") + SYNC_DELAY)
        for (code, round_index), days in offline.items():
            items.filter(
                visit__round=rounds[round_index], visit__household=households[code]
            ).update(received_at=F("captured_at") + dt.timedelta(days=days))


def insight_replayed(insight: Insight, *, now: dt.datetime) -> dt.datetime:
    """Date the insight, its evidence and its first placements as the lead made them.
    Returns when the insight was made."""
    latest = now - SETTLED
    assert insight.first_observed_at is not None  # an insight always has evidence
    made = min(insight.first_observed_at + SYNTHESIS_LAG, latest)
    Insight.objects.filter(pk=insight.pk).update(created_at=made)
    for evidence in Evidence.objects.filter(insight=insight).select_related("observation", "photo"):
        seen = (evidence.observation or evidence.photo).received_at
        added = min(max(made, seen + EVIDENCE_LAG), latest)
        Evidence.objects.filter(pk=evidence.pk).update(created_at=added)
    cards = BoardCard.objects.filter(insight=insight)
    CardEvent.objects.filter(card__in=cards, kind=CardEvent.Kind.PLACED).update(created_at=made)
    cards.update(created_at=made, moved_at=made)
    return made


def move_replayed(card: BoardCard, *, at: dt.datetime, now: dt.datetime) -> None:
    """Date the card's latest move (just made by card_move) at `at`."""
    at = min(at, now - SETTLED)
    event = card.events.filter(kind=CardEvent.Kind.MOVED).latest("created_at")
    CardEvent.objects.filter(pk=event.pk).update(created_at=at)
    BoardCard.objects.filter(pk=card.pk).update(moved_at=at)


def comment_replayed(comment: Comment, *, at: dt.datetime, now: dt.datetime) -> None:
    Comment.objects.filter(pk=comment.pk).update(created_at=min(at, now - SETTLED))


def quote_use_replayed(use: QuoteUse, *, at: dt.datetime, now: dt.datetime) -> None:
    at = min(at, now - SETTLED)
    QuoteUse.objects.filter(pk=use.pk).update(created_at=at, used_on=at.date())
