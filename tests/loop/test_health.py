"""Loop health: each step of the observation-to-decision chain, timed from the data."""

import datetime as dt
from dataclasses import replace

import pytest

from studies.fieldwork.models import ObservationKind
from studies.loop.selectors.health import (
    Step,
    Timing,
    duration_text,
    loop_health,
    nearest_rank,
)
from studies.scheduling.models import Study
from studies.synthesis.models import Column
from tests.loop.health_support import T0, Chain, days, hours

NOW = T0 + days(30)
STEPS = list(Step)


@pytest.fixture
def chain(team, time_machine) -> Chain:
    return Chain(team, time_machine)


def rows(timings: list[Timing]) -> list[tuple]:
    return [(t.step, t.count, t.median, t.p90) for t in timings]


def test_an_item_captured_offline_days_before_it_synced_counts_from_the_capture(chain):
    note = chain.observe(captured=T0 - days(3), synced=T0)
    insight = chain.insight(made=T0 + days(1), observations=[note])
    chain.route(insight, at=T0 + days(2), product=True)
    chain.move(insight, chain.product, Column.EXPLORING, at=T0 + days(3))
    chain.move(insight, chain.product, Column.PLANNED, at=T0 + days(5))
    chain.move(insight, chain.product, Column.SHIPPED, at=T0 + days(6))

    health = loop_health(study=chain.study, now=NOW)

    assert rows(health.timings) == [
        (Step.CAPTURED_SYNCED, 1, days(3), days(3)),
        (Step.SYNCED_INSIGHT, 1, days(1), days(1)),
        (Step.INSIGHT_ROUTED, 1, days(1), days(1)),
        # The first move to a decision column decides; shipping later changes nothing.
        (Step.ROUTED_DECIDED, 1, days(3), days(3)),
        (Step.OBSERVATION_DECISION, 1, days(8), days(8)),
    ]
    assert (health.decided, health.open, health.slowest_open) == (1, 0, [])
    assert health.headline.step == Step.OBSERVATION_DECISION


@pytest.mark.parametrize(
    ("delays", "median", "p90"),
    [
        ([1, 2, 3, 4, 10], hours(3), hours(10)),  # odd: the middle; p90 at rank ceil(4.5) = 5
        ([4, 1, 3, 2], hours(2.5), hours(4)),  # even: mean of the middle two; rank ceil(3.6)
        (list(range(1, 11)), hours(5.5), hours(9)),  # rank ceil(9.0) = 9, not interpolated 9.1
        ([7], hours(7), hours(7)),
    ],
)
def test_median_and_nearest_rank_90th_percentile(chain, delays, median, p90):
    for delay in delays:
        chain.observe(captured=T0, synced=T0 + hours(delay))

    (synced, *others) = loop_health(study=chain.study, now=NOW).timings

    assert (synced.count, synced.median, synced.p90) == (len(delays), median, p90)
    assert [(t.count, t.median, t.p90) for t in others] == [(0, None, None)] * 4


def test_nearest_rank_of_nothing_is_none():
    assert nearest_rank([]) is None
    assert nearest_rank([days(2), days(1)], 0.5) == days(1)


def test_a_product_card_is_decided_by_a_move_to_planned_not_by_a_quote_use(chain):
    quote = chain.observe(captured=T0, kind=ObservationKind.QUOTE)
    insight = chain.insight(made=T0 + days(1), observations=[quote])
    chain.route(insight, at=T0 + days(2), product=True, marketing=True)
    chain.use_quote(quote, at=T0 + days(3))
    chain.move(insight, chain.product, Column.EXPLORING, at=T0 + days(4))

    health = loop_health(study=chain.study, now=NOW)

    # Only the marketing card is decided, by the use; the product card waits in Exploring.
    assert rows(health.timings)[3:] == [
        (Step.ROUTED_DECIDED, 1, days(1), days(1)),
        (Step.OBSERVATION_DECISION, 1, days(3), days(3)),
    ]
    assert (health.decided, health.open) == (1, 1)
    (waiting,) = health.slowest_open
    assert waiting.board == chain.product
    assert waiting.column == Column.EXPLORING
    assert waiting.waiting_for == "Waiting for a decision on Product board, in Exploring"
    assert waiting.since == T0 + days(4)
    assert waiting.age == NOW - T0

    chain.move(insight, chain.product, Column.PLANNED, at=T0 + days(9))
    health = loop_health(study=chain.study, now=NOW)
    assert rows(health.timings)[3:] == [
        (Step.ROUTED_DECIDED, 2, days(4), days(7)),
        (Step.OBSERVATION_DECISION, 2, days(6), days(9)),
    ]
    assert (health.decided, health.open) == (2, 0)


@pytest.mark.parametrize(
    ("use_at", "used_column_at", "decided_at"),
    [
        (days(4), days(6), days(4)),  # the quote is used in copy before the card moves
        # A card moved to Used by hand is not decided until a use of its quote is recorded.
        (days(5), days(3), days(5)),
        (days(1.5), None, days(2)),  # a use before the card was placed: decided at placing
    ],
    ids=["use-first", "move-first", "use-before-placing"],
)
def test_a_marketing_card_is_decided_by_the_first_recorded_use_of_its_quotes(
    chain, use_at, used_column_at, decided_at
):
    quote = chain.observe(captured=T0, round_=chain.rounds[1], kind=ObservationKind.QUOTE)
    insight = chain.insight(made=T0 + days(1), observations=[quote])
    chain.route(insight, at=T0 + days(2), marketing=True)
    if used_column_at is not None:
        chain.move(insight, chain.marketing, Column.USED, at=T0 + used_column_at)
    chain.use_quote(quote, at=T0 + use_at)

    health = loop_health(study=chain.study, now=NOW)

    assert rows(health.timings)[2:] == [
        (Step.INSIGHT_ROUTED, 1, days(1), days(1)),
        (Step.ROUTED_DECIDED, 1, decided_at - days(2), decided_at - days(2)),
        (Step.OBSERVATION_DECISION, 1, decided_at, decided_at),
    ]
    assert (health.decided, health.open) == (1, 0)


def test_a_note_used_nowhere_does_not_decide_a_marketing_card(chain):
    note = chain.observe(captured=T0)
    insight = chain.insight(made=T0 + days(1), observations=[note])
    chain.route(insight, at=T0 + days(2), marketing=True)
    # Recording a use against a note (the service allows it) is not a quote in copy.
    chain.use_quote(note, at=T0 + days(3))

    health = loop_health(study=chain.study, now=NOW)

    assert (health.decided, health.open) == (0, 1)


def test_parked_cards_are_neither_open_nor_decided_and_removed_cards_are_ignored(chain):
    parked = chain.insight(
        made=T0 + days(1), observations=[chain.observe(captured=T0)], statement="Parked."
    )
    chain.route(parked, at=T0 + days(2), product=True)
    chain.move(parked, chain.product, Column.PARKED, at=T0 + days(3))

    waiting = chain.insight(
        made=T0 + days(1),
        observations=[chain.observe(captured=T0 - days(1))],
        statement="Waiting in Exploring.",
    )
    chain.route(waiting, at=T0 + days(2), product=True)
    chain.move(waiting, chain.product, Column.EXPLORING, at=T0 + days(4))

    taken_off = chain.insight(
        made=T0 + days(1), observations=[chain.observe(captured=T0)], statement="Taken off."
    )
    chain.route(taken_off, at=T0 + days(3), product=True)
    chain.move(taken_off, chain.product, Column.PLANNED, at=T0 + days(4))
    chain.route(taken_off, at=T0 + days(5))  # untagged: the rule takes the card off

    health = loop_health(study=chain.study, now=NOW)

    # The parked and the waiting card were routed a day after their insights were made;
    # the card taken off counts nowhere, its move to Planned included.
    assert rows(health.timings)[2:] == [
        (Step.INSIGHT_ROUTED, 2, days(1), days(1)),
        (Step.ROUTED_DECIDED, 0, None, None),
        (Step.OBSERVATION_DECISION, 0, None, None),
    ]
    assert (health.decided, health.open) == (0, 2)
    assert [
        (item.insight, item.board, item.column, item.since, item.age, item.waiting_for)
        for item in health.slowest_open
    ] == [
        (
            waiting,
            chain.product,
            Column.EXPLORING,
            T0 + days(4),
            NOW - (T0 - days(1)),
            "Waiting for a decision on Product board, in Exploring",
        ),
        (
            taken_off,
            None,
            "",
            T0 + days(1),
            NOW - T0,
            "Waiting for routing: tag it so a rule sends it to a board",
        ),
    ]


def test_deleted_observations_are_left_out(chain):
    kept = chain.observe(captured=T0, synced=T0 + hours(1))
    deleted = chain.observe(captured=T0 - days(9), synced=T0 + hours(5))
    insight = chain.insight(made=T0 + days(1), observations=[kept, deleted])
    chain.route(insight, at=T0 + days(1), product=True)
    chain.move(insight, chain.product, Column.PLANNED, at=T0 + days(2))
    type(deleted).objects.filter(pk=deleted.pk).update(deleted_at=T0 + days(1))

    health = loop_health(study=chain.study, now=NOW)

    assert rows(health.timings) == [
        (Step.CAPTURED_SYNCED, 1, hours(1), hours(1)),
        (Step.SYNCED_INSIGHT, 1, days(1) - hours(1), days(1) - hours(1)),
        (Step.INSIGHT_ROUTED, 1, dt.timedelta(0), dt.timedelta(0)),
        (Step.ROUTED_DECIDED, 1, days(1), days(1)),
        # From the live evidence's capture, not the deleted one's nine days earlier.
        (Step.OBSERVATION_DECISION, 1, days(2), days(2)),
    ]


def test_each_round_gets_its_observations_and_the_insights_first_seen_in_it(chain):
    first, second, planned_only = chain.rounds
    early = chain.observe(captured=T0, synced=T0 + hours(1), round_=first)
    late = chain.observe(captured=T0 + days(10), synced=T0 + days(10) + hours(2), round_=second)
    both = chain.insight(made=T0 + days(11), observations=[late, early], statement="Both.")
    chain.route(both, at=T0 + days(12), product=True)
    chain.move(both, chain.product, Column.PLANNED, at=T0 + days(14))
    only_late = chain.insight(made=T0 + days(11), observations=[late], statement="Late.")

    whole = loop_health(study=chain.study, now=NOW)
    of_first = loop_health(study=chain.study, round_=first, now=NOW)
    of_second = loop_health(study=chain.study, round_=second, now=NOW)

    assert rows(whole.timings)[:2] == [
        (Step.CAPTURED_SYNCED, 2, hours(1.5), hours(2)),
        (Step.SYNCED_INSIGHT, 2, days(6) - hours(1.5), days(11) - hours(1)),
    ]
    assert rows(of_first.timings) == [
        (Step.CAPTURED_SYNCED, 1, hours(1), hours(1)),
        (Step.SYNCED_INSIGHT, 1, days(11) - hours(1), days(11) - hours(1)),
        (Step.INSIGHT_ROUTED, 1, days(1), days(1)),
        (Step.ROUTED_DECIDED, 1, days(2), days(2)),
        (Step.OBSERVATION_DECISION, 1, days(14), days(14)),
    ]
    assert (of_first.decided, of_first.open) == (1, 0)
    assert rows(of_second.timings) == [
        (Step.CAPTURED_SYNCED, 1, hours(2), hours(2)),
        (Step.SYNCED_INSIGHT, 1, days(1) - hours(2), days(1) - hours(2)),
        (Step.INSIGHT_ROUTED, 0, None, None),
        (Step.ROUTED_DECIDED, 0, None, None),
        (Step.OBSERVATION_DECISION, 0, None, None),
    ]
    assert (of_second.decided, of_second.open) == (0, 1)
    assert [item.insight for item in of_second.slowest_open] == [only_late]
    # The trend: every round with observations, oldest first, whichever round is chosen.
    for health in (whole, of_first, of_second):
        assert [(r.round, rows(r.timings)) for r in health.by_round] == [
            (first, rows(of_first.timings)),
            (second, rows(of_second.timings)),
        ]
    assert planned_only not in [r.round for r in whole.by_round]


def test_the_slowest_open_items_are_the_ten_oldest_first(chain):
    for index in range(12):
        chain.insight(
            made=T0 + days(1),
            observations=[chain.observe(captured=T0 - days(index))],
            statement=f"Insight {index}",
        )

    health = loop_health(study=chain.study, now=T0 + days(1))

    assert health.open == 12
    assert [(item.insight.statement, item.age) for item in health.slowest_open] == [
        (f"Insight {index}", days(index + 1)) for index in range(11, 1, -1)
    ]


def test_a_study_with_nothing_yet_has_empty_timings(chain):
    health = loop_health(study=chain.study, now=NOW)

    assert [(t.step, t.count, t.median, t.p90) for t in health.timings] == [
        (step, 0, None, None) for step in STEPS
    ]
    assert (health.by_round, health.slowest_open, health.decided, health.open) == ([], [], 0, 0)
    assert not health.has_data


def test_another_studys_data_is_not_counted(chain, team):
    other = Chain(replace(team, study=Study.objects.get(title="Another study")), chain.clock)
    note = other.observe(captured=T0, synced=T0 + days(2))
    other.insight(made=T0 + days(3), observations=[note])

    health = loop_health(study=chain.study, now=NOW)

    assert (health.timings[0].count, health.open) == (0, 0)


def test_the_number_of_queries_does_not_grow_with_the_data(chain, django_assert_num_queries):
    def add_decided_items(count: int) -> None:
        for _ in range(count):
            quote = chain.observe(captured=T0, kind=ObservationKind.QUOTE)
            insight = chain.insight(made=T0 + days(1), observations=[quote])
            chain.route(insight, at=T0 + days(2), product=True, marketing=True)
            chain.move(insight, chain.product, Column.PLANNED, at=T0 + days(3))
            chain.use_quote(quote, at=T0 + days(4))

    add_decided_items(2)
    # Rounds, live observations, evidence, insights, live cards with their board, the
    # cards' events, and the uses of the study's quotes.
    with django_assert_num_queries(7):
        small = loop_health(study=chain.study, now=NOW)
    add_decided_items(6)
    with django_assert_num_queries(7):
        large = loop_health(study=chain.study, round_=chain.rounds[0], now=NOW)

    assert (small.decided, large.decided) == (4, 16)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (dt.timedelta(seconds=30), "under a minute"),
        (dt.timedelta(minutes=45), "45 min"),
        (dt.timedelta(hours=2), "2 h"),
        (dt.timedelta(hours=5, minutes=12, seconds=40), "5 h 12 min"),
        (days(1), "1 day"),
        (days(3) + hours(4) + dt.timedelta(minutes=30), "3 days 4 h"),
        (days(23), "23 days"),
    ],
)
def test_duration_text(value, text):
    assert duration_text(value) == text
