"""Loop health: how long an observation takes to become a decision, step by step.

The seeds call it *time to satisfaction*. Every timestamp along the chain is already kept
by the apps that own it, so nothing here is stored and the numbers cannot drift from data:

    captured   Observation.captured_at (the device's clock: offline captures keep their time)
    synced     Observation.received_at (the server's clock)
    insight    Evidence.created_at of the observation's first evidence row
    routed     the card's PLACED CardEvent (or its first event, or the card itself)
    decided    synthesis.policies.card_decision, the one definition every page uses:
               product: the first move to Planned or Shipped; marketing: the first
               QuoteUse of a quote that backs the insight (a use recorded before the card
               was placed counts as decided at placing)

Steps, each a list of durations:

    CAPTURED_SYNCED       synced − captured, per live observation
    SYNCED_INSIGHT        insight − synced, per live observation that is evidence
    INSIGHT_ROUTED        placed − insight.created_at, per card on a board
    ROUTED_DECIDED        decided − placed, per decided card
    OBSERVATION_DECISION  decided − first seen, per decided card: "first seen" is the earliest
                          capture among the insight's live evidence, so an item captured
                          offline days before it synced counts from the capture

A step never runs backwards: a device clock ahead of the server's counts as zero.
Deleted observations and cards taken off their board are left out.

Statistics:
    median           statistics.median (the mean of the two middle values for an even count)
    90th percentile  nearest rank: the value at position ceil(0.9 · n) of the sorted values,
                     so it is always one of the measured durations

Rounds: an observation belongs to its visit's round; an insight, and its cards, to the
round in which the insight was first seen (the round of its earliest-captured evidence).

The whole study is read in a fixed number of queries (see `loop_health`), whatever its size.
"""

import math
import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from studies.fieldwork.models import Observation
from studies.scheduling.models import Round, Study
from studies.synthesis.models import Board, BoardCard, Column, Evidence, Insight
from studies.synthesis.selectors.decisions import card_timings

SLOWEST_OPEN_LIMIT = 10
PERCENTILE = 0.9


class Step(models.TextChoices):
    CAPTURED_SYNCED = "captured_synced", gettext_lazy("Captured → synced")
    SYNCED_INSIGHT = "synced_insight", gettext_lazy("Synced → in an insight")
    INSIGHT_ROUTED = "insight_routed", gettext_lazy("In an insight → routed to a board")
    ROUTED_DECIDED = "routed_decided", gettext_lazy("Routed → decided")
    OBSERVATION_DECISION = "observation_decision", gettext_lazy("Observation to decision")


# The steps measured per card; the others are measured per observation.
CARD_STEPS = frozenset({Step.INSIGHT_ROUTED, Step.ROUTED_DECIDED, Step.OBSERVATION_DECISION})


@dataclass(frozen=True)
class Timing:
    step: Step
    count: int
    median: timedelta | None
    p90: timedelta | None

    @property
    def label(self) -> str:
        return str(self.step.label)

    @property
    def count_text(self) -> str:
        """What the median is taken over: "14 cards", "1 observation"."""
        if self.step in CARD_STEPS:
            return ngettext("%(count)d card", "%(count)d cards", self.count) % {"count": self.count}
        return ngettext("%(count)d observation", "%(count)d observations", self.count) % {
            "count": self.count
        }


@dataclass(frozen=True)
class OpenItem:
    insight: Insight
    waiting_for: str
    board: Board | None  # None: on no board yet, waiting for routing
    column: str  # the card's column ("" when on no board)
    since: datetime  # in this column since (on no board: since the insight was made)
    age: timedelta  # now − the insight's first sighting


@dataclass(frozen=True)
class RoundHealth:
    round: Round
    timings: list[Timing]


@dataclass(frozen=True)
class LoopHealth:
    timings: list[Timing]  # the five steps in Step order, the headline last
    by_round: list[RoundHealth]  # every round with observations, oldest first
    slowest_open: list[OpenItem]  # the oldest open items, at most SLOWEST_OPEN_LIMIT
    decided: int  # decided cards
    open: int  # open items: insights on no board and cards awaiting a decision
    # When each decided live card of the study was decided, by card id (all rounds): the
    # moments the timings are measured to (synthesis.policies.card_decision).
    decided_at: dict[uuid.UUID, datetime] = field(default_factory=dict)

    @property
    def headline(self) -> Timing:
        return self.timings[-1]

    @property
    def has_data(self) -> bool:
        return any(timing.count for timing in self.timings) or self.open > 0


def nearest_rank(values: Iterable[timedelta], fraction: float = PERCENTILE) -> timedelta | None:
    """The value at position ceil(fraction · n) of the sorted values (1-based)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


def timing_of(step: Step, durations: list[timedelta]) -> Timing:
    if not durations:
        return Timing(step=step, count=0, median=None, p90=None)
    return Timing(
        step=step,
        count=len(durations),
        median=statistics.median(durations),
        p90=nearest_rank(durations),
    )


def duration_text(value: timedelta | None) -> str:
    """A duration as people read it: "3 days 4 h", "5 h 12 min", "45 min", "—" for none."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return _("under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
        return text + (" " + _("%(hours)d h") % {"hours": hours} if hours else "")
    if hours:
        text = _("%(hours)d h") % {"hours": hours}
        return text + (" " + _("%(minutes)d min") % {"minutes": minutes} if minutes else "")
    return _("%(minutes)d min") % {"minutes": minutes}


def _span(start: datetime, end: datetime) -> timedelta:
    return max(end - start, timedelta(0))


def loop_health(
    *, study: Study, round_: Round | None = None, now: datetime | None = None
) -> LoopHealth:
    """The study's loop health, or one round's (`by_round` always covers every round).

    Seven queries, however big the study: rounds, live observations, evidence, insights,
    live cards with their board, those cards' events, and the uses of the study's quotes.
    """
    now = now or timezone.now()
    rounds = list(Round.objects.filter(study=study).order_by("window_start", "label"))

    observations = list(
        Observation.objects.filter(visit__round__study=study, deleted_at__isnull=True).values_list(
            "pk", "visit__round_id", "captured_at", "received_at"
        )
    )
    # Evidence rows of live observations and of photos not deleted, oldest first.
    evidence = list(
        Evidence.objects.filter(insight__study=study)
        .filter(Q(observation__isnull=True) | Q(observation__deleted_at__isnull=True))
        .filter(Q(photo__isnull=True) | Q(photo__deleted_at__isnull=True))
        .order_by("created_at", "pk")
        .values_list(
            "insight_id",
            "observation_id",
            "created_at",
            "observation__captured_at",
            "observation__visit__round_id",
            "photo__captured_at",
            "photo__visit__round_id",
        )
    )
    insights = {insight.pk: insight for insight in Insight.objects.filter(study=study)}

    # Step 1 and 2, per observation, by its round.
    first_evidence: dict[uuid.UUID, datetime] = {}
    first_seen: dict[uuid.UUID, tuple[datetime, uuid.UUID]] = {}
    for (
        insight_id,
        observation_id,
        created_at,
        o_captured,
        o_round,
        p_captured,
        p_round,
    ) in evidence:
        if observation_id is not None:
            first_evidence.setdefault(observation_id, created_at)
        captured, round_id = (o_captured, o_round) if observation_id else (p_captured, p_round)
        if insight_id not in first_seen or captured < first_seen[insight_id][0]:
            first_seen[insight_id] = (captured, round_id)

    synced_by_round: dict[uuid.UUID, list[timedelta]] = defaultdict(list)
    in_insight_by_round: dict[uuid.UUID, list[timedelta]] = defaultdict(list)
    for pk, round_id, captured_at, received_at in observations:
        synced_by_round[round_id].append(_span(captured_at, received_at))
        if pk in first_evidence:
            in_insight_by_round[round_id].append(_span(received_at, first_evidence[pk]))

    def seen_at(insight: Insight) -> datetime:
        if insight.pk in first_seen:
            return first_seen[insight.pk][0]
        return insight.first_observed_at or insight.created_at

    def round_of(insight_id: uuid.UUID) -> uuid.UUID | None:
        return first_seen[insight_id][1] if insight_id in first_seen else None

    # Steps 3, 4 and the headline, per card, by its insight's round.
    routed_by_round: dict[uuid.UUID | None, list[timedelta]] = defaultdict(list)
    decided_by_round: dict[uuid.UUID | None, list[timedelta]] = defaultdict(list)
    overall_by_round: dict[uuid.UUID | None, list[timedelta]] = defaultdict(list)
    open_items: list[tuple[uuid.UUID | None, OpenItem]] = []
    on_a_board: set[uuid.UUID] = set()
    live_cards = BoardCard.objects.filter(study=study, removed_at__isnull=True)
    decided_at: dict[uuid.UUID, datetime] = {}
    for timed in card_timings(live_cards):
        card, insight = timed.card, insights[timed.card.insight_id]
        key = round_of(insight.pk)
        on_a_board.add(insight.pk)
        routed_by_round[key].append(_span(insight.created_at, timed.placed_at))
        if timed.decision is not None:
            decided_at[card.pk] = timed.decision.at
            decided_by_round[key].append(_span(timed.placed_at, timed.decision.at))
            overall_by_round[key].append(_span(seen_at(insight), timed.decision.at))
        elif card.column != Column.PARKED:
            waiting = _("Waiting for a decision on %(board)s, in %(column)s") % {
                "board": card.board.name,
                "column": card.get_column_display(),
            }
            item = OpenItem(
                insight=insight,
                waiting_for=waiting,
                board=card.board,
                column=card.column,
                since=card.moved_at,
                age=_span(seen_at(insight), now),
            )
            open_items.append((key, item))
    for insight in insights.values():
        if insight.pk not in on_a_board:
            item = OpenItem(
                insight=insight,
                waiting_for=_("Waiting for routing: tag it so a rule sends it to a board"),
                board=None,
                column="",
                since=insight.created_at,
                age=_span(seen_at(insight), now),
            )
            open_items.append((round_of(insight.pk), item))

    def timings(keys: list[uuid.UUID | None] | None) -> list[Timing]:
        """The five steps over the given rounds (None: every round)."""

        def pick(by_round: dict) -> list[timedelta]:
            chosen = by_round.keys() if keys is None else keys
            return [value for key in chosen for value in by_round.get(key, [])]

        return [
            timing_of(Step.CAPTURED_SYNCED, pick(synced_by_round)),
            timing_of(Step.SYNCED_INSIGHT, pick(in_insight_by_round)),
            timing_of(Step.INSIGHT_ROUTED, pick(routed_by_round)),
            timing_of(Step.ROUTED_DECIDED, pick(decided_by_round)),
            timing_of(Step.OBSERVATION_DECISION, pick(overall_by_round)),
        ]

    keys = None if round_ is None else [round_.pk]
    chosen_open = [item for key, item in open_items if keys is None or key in keys]
    chosen_open.sort(key=lambda item: (-item.age, item.insight.created_at, str(item.insight.pk)))
    return LoopHealth(
        timings=timings(keys),
        by_round=[
            RoundHealth(round=one, timings=timings([one.pk]))
            for one in rounds
            if one.pk in synced_by_round
        ],
        slowest_open=chosen_open[:SLOWEST_OPEN_LIMIT],
        decided=sum(
            len(values) for key, values in decided_by_round.items() if keys is None or key in keys
        ),
        open=len(chosen_open),
        decided_at=decided_at,
    )
