"""Which cards were decided, and when: what policies.card_decision needs, loaded for many
cards at once in a fixed number of queries."""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from studies.fieldwork.models import ObservationKind
from studies.synthesis import policies
from studies.synthesis.models import BoardCard, CardEvent, QuoteUse


@dataclass(frozen=True)
class CardTiming:
    card: BoardCard
    placed_at: dt.datetime  # its PLACED event (or its first event, or the card itself)
    decision: policies.Decision | None


def card_timings(cards: QuerySet[BoardCard]) -> list[CardTiming]:
    """Each of the cards with when it was placed and its decision, in the queryset's order.

    Three queries whatever the number of cards: the cards with their board, their events,
    and the uses of quotes backing their insights. The cards are given as a queryset, not a
    list of ids, because a study's cards may outnumber what one query can list.
    """
    loaded = list(cards.select_related("board"))
    placed: dict[uuid.UUID, dt.datetime] = {}
    first_event: dict[uuid.UUID, dt.datetime] = {}
    moves: dict[uuid.UUID, list[policies.Move]] = defaultdict(list)
    events = (
        CardEvent.objects.filter(card__in=cards.order_by().values("pk"))
        .order_by("created_at", "pk")
        .values_list("card_id", "kind", "to_column", "created_at", *_person("actor"))
    )
    for card_id, kind, to_column, created_at, *actor in events:
        first_event.setdefault(card_id, created_at)
        if kind == CardEvent.Kind.PLACED:
            placed.setdefault(card_id, created_at)
        elif kind == CardEvent.Kind.MOVED:
            moves[card_id].append(
                policies.Move(
                    at=created_at,
                    to_column=to_column,
                    actor=actor[0],
                    actor_name=_name(*actor),
                )
            )

    uses: dict[uuid.UUID, list[policies.QuoteUseRecord]] = defaultdict(list)
    rows = (
        QuoteUse.objects.filter(
            observation__evidence__insight__in=cards.order_by().values("insight_id"),
            observation__kind=ObservationKind.QUOTE,
            observation__deleted_at__isnull=True,
        )
        .order_by("created_at", "pk")
        .values_list(
            "observation__evidence__insight_id", "created_at", "campaign", *_person("recorded_by")
        )
    )
    for insight_id, created_at, campaign, *person in rows:
        uses[insight_id].append(
            policies.QuoteUseRecord(
                at=created_at,
                campaign=campaign,
                recorded_by=person[0],
                recorded_by_name=_name(*person),
            )
        )

    timings = []
    for card in loaded:
        placed_at = placed.get(card.pk) or first_event.get(card.pk) or card.created_at
        decision = policies.card_decision(
            board_kind=card.board.kind,
            placed_at=placed_at,
            moves=moves[card.pk],
            quote_uses=uses[card.insight_id],
        )
        timings.append(CardTiming(card=card, placed_at=placed_at, decision=decision))
    return timings


def _person(path: str) -> tuple[str, str, str]:
    return (f"{path}__username", f"{path}__first_name", f"{path}__last_name")


def _name(username: str | None, first: str | None, last: str | None) -> str:
    """What str(User) says (the full name, else the username), from the joined columns."""
    return f"{first or ''} {last or ''}".strip() or (username or "")


def card_decisions(cards: QuerySet[BoardCard]) -> dict[uuid.UUID, policies.Decision | None]:
    """Each card's decision (or None), by card id."""
    return {timing.card.pk: timing.decision for timing in card_timings(cards)}
