"""Routing: which boards each insight belongs on, by the active rules and its tags.

Called from every write that changes an insight's tags, a tag's group or a rule. It is
idempotent: it computes the placements the rules want and changes only what differs,
so running it twice, or for insights whose placements are already right, does nothing.
A card the rules no longer want is taken off its board, not deleted: its column and
history come back if a rule puts it back.
"""

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from studies.common.models import User
from studies.synthesis.models import BoardCard, CardEvent, Column, Insight, InsightTag, RoutingRule
from studies.synthesis.services import notifications


@dataclass
class RoutingOutcome:
    placed: list[uuid.UUID] = field(default_factory=list)  # card ids
    restored: list[uuid.UUID] = field(default_factory=list)
    removed: list[uuid.UUID] = field(default_factory=list)
    # Events worth telling webhooks about: an insight landing on a board.
    arrivals: list[uuid.UUID] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.placed or self.restored or self.removed)


class _Rules:
    """The active rules, indexed for matching a (tag, group, study) in constant time."""

    def __init__(self, rules: Iterable[RoutingRule]) -> None:
        self.by_tag: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        self.by_group: dict[tuple[str, uuid.UUID | None], set[uuid.UUID]] = defaultdict(set)
        for rule in rules:
            if rule.tag_id:
                self.by_tag[rule.tag_id].add(rule.board_id)
            else:
                self.by_group[(rule.tag_group, rule.study_id)].add(rule.board_id)

    def boards_for(self, *, tag_id: uuid.UUID, group: str, study_id: uuid.UUID) -> set[uuid.UUID]:
        boards = set(self.by_tag.get(tag_id, ()))
        if group:
            boards |= self.by_group.get((group, None), set())
            boards |= self.by_group.get((group, study_id), set())
        return boards


def placements_wanted(
    *, insight_ids: Collection[uuid.UUID], rules: Iterable[RoutingRule]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(insight, board) for every board the given rules send each insight to, by its tags.

    The one answer to "where do the rules put these insights": routing applies it, and a
    rule's preview asks it about rules not saved yet. Inactive rules are left out here.
    """
    index = _Rules(rule for rule in rules if rule.active)
    wanted: set[tuple[uuid.UUID, uuid.UUID]] = set()
    tag_rows = InsightTag.objects.filter(insight_id__in=list(insight_ids)).values_list(
        "insight_id", "tag_id", "tag__group", "insight__study_id"
    )
    for insight_id, tag_id, group, study_id in tag_rows:
        for board_id in index.boards_for(tag_id=tag_id, group=group, study_id=study_id):
            wanted.add((insight_id, board_id))
    return wanted


@dataclass(frozen=True)
class _Changes:
    """What bringing cards in line with the wanted placements changes."""

    existing: dict[tuple[uuid.UUID, uuid.UUID], BoardCard]
    place: list[tuple[uuid.UUID, uuid.UUID]]  # no card yet
    restore: list[BoardCard]  # taken off before, wanted again
    remove: list[BoardCard]  # on a board the rules no longer want


def _changes(
    insight_ids: Collection[uuid.UUID], wanted: set[tuple[uuid.UUID, uuid.UUID]]
) -> _Changes:
    existing = {
        (card.insight_id, card.board_id): card
        for card in BoardCard.objects.filter(insight_id__in=list(insight_ids)).only(
            "pk", "insight_id", "board_id", "removed_at", "column"
        )
    }
    return _Changes(
        existing=existing,
        place=sorted(wanted - existing.keys()),
        restore=[card for key, card in existing.items() if key in wanted and card.removed_at],
        remove=[
            card for key, card in existing.items() if key not in wanted and not card.removed_at
        ],
    )


@dataclass(frozen=True)
class RoutingPreview:
    """What routing the insights by some rules would do, computed without writing:
    (insight, board) pairs going onto a board (new or put back) and coming off one."""

    placed: list[tuple[uuid.UUID, uuid.UUID]]
    removed: list[tuple[uuid.UUID, uuid.UUID]]


def routing_preview(
    *, insight_ids: Collection[uuid.UUID], rules: Iterable[RoutingRule]
) -> RoutingPreview:
    """What insights_route would change for these insights if these were the rules."""
    changes = _changes(insight_ids, placements_wanted(insight_ids=insight_ids, rules=rules))
    return RoutingPreview(
        placed=sorted(
            [*changes.place, *((card.insight_id, card.board_id) for card in changes.restore)]
        ),
        removed=sorted((card.insight_id, card.board_id) for card in changes.remove),
    )


def insights_route(
    *, insight_ids: Iterable[uuid.UUID] | None = None, actor: User | None = None
) -> RoutingOutcome:
    """Bring the named insights' placements (all insights with None) in line with the rules."""
    with transaction.atomic():
        insights = Insight.objects.order_by("pk")
        if insight_ids is not None:
            insights = insights.filter(pk__in=list(insight_ids))
        # Locked in one order, so concurrent routings of overlapping sets queue, not deadlock.
        study_of = dict(insights.select_for_update().values_list("pk", "study_id"))
        scope = list(study_of)
        if not scope:
            return RoutingOutcome()
        wanted = placements_wanted(insight_ids=scope, rules=RoutingRule.objects.filter(active=True))
        outcome = _apply(study_of=study_of, changes=_changes(scope, wanted), actor=actor)
    notifications.card_events_announce(event_ids=outcome.arrivals)
    return outcome


def _apply(
    *,
    study_of: dict[uuid.UUID, uuid.UUID],
    changes: _Changes,
    actor: User | None,
) -> RoutingOutcome:
    now = timezone.now()
    outcome = RoutingOutcome()
    new_cards = [
        BoardCard(
            insight_id=insight_id,
            board_id=board_id,
            study_id=study_of[insight_id],
            column=Column.NEW,
            moved_at=now,
        )
        for insight_id, board_id in changes.place
    ]
    BoardCard.objects.bulk_create(new_cards)
    outcome.placed = [card.pk for card in new_cards]
    outcome.restored = [card.pk for card in changes.restore]
    outcome.removed = [card.pk for card in changes.remove]
    BoardCard.objects.filter(pk__in=outcome.restored).update(removed_at=None)
    BoardCard.objects.filter(pk__in=outcome.removed).update(removed_at=now)
    columns = {card.pk: card.column for card in changes.existing.values()}
    arrivals = [
        CardEvent(card_id=pk, kind=CardEvent.Kind.PLACED, to_column=Column.NEW, actor=actor)
        for pk in outcome.placed
    ] + [
        CardEvent(card_id=pk, kind=CardEvent.Kind.RESTORED, to_column=columns[pk], actor=actor)
        for pk in outcome.restored
    ]
    outcome.arrivals = [event.pk for event in arrivals]
    CardEvent.objects.bulk_create(
        arrivals
        + [
            CardEvent(card_id=pk, kind=CardEvent.Kind.REMOVED, from_column=columns[pk], actor=actor)
            for pk in outcome.removed
        ]
    )
    return outcome
