"""Trends across rounds: shares of households, and what is new, growing, fading or gone."""

import datetime as dt

import pytest
from django.utils import timezone

from studies.fieldwork.models import ObservationKind
from studies.loop.selectors.trends import (
    Change,
    round_changes,
    segment_choices,
    study_trends,
    tag_evidence,
)
from studies.scheduling.models import ConsentKind, VisitStatus
from tests.factories import ConsentFactory, RoundFactory, StudyFactory
from tests.loop.trend_support import Panel, trend_study

pytestmark = pytest.mark.django_db


def shares(row) -> list[tuple[int, float]]:
    return [(cell.households, cell.share) for cell in row.cells]


def changes(row) -> list[Change | None]:
    return [cell.change for cell in row.cells]


def row_for(trends, subject):
    return next(row for row in [*trends.tags, *trends.insights] if row.subject == subject)


def test_it_shares_households_visited_with_and_without_a_segment(team):
    panel = Panel.of(team, 5)
    for household, region in zip(panel.households, ["north"] * 3 + ["south"] * 2, strict=True):
        household.segment = {"region": region}
        household.save(update_fields=["segment"])
    north, south = panel.households[:3], panel.households[3:]
    spring = panel.round("2026-Q1", 1)
    panel.visit_all(spring)
    tubs = panel.tag("Tubs")
    panel.show(spring, [*north[:2], south[0]], tubs)

    everyone = study_trends(study=team.study)
    northern = study_trends(study=team.study, segment="region=north")
    southern = study_trends(study=team.study, segment=" region = south ")

    assert [(c.round, c.visited) for c in everyone.rounds] == [(spring, 5)]
    assert shares(everyone.tags[0]) == [(3, 0.6)]
    assert [c.visited for c in northern.rounds] == [3]
    assert shares(northern.tags[0]) == [(2, 2 / 3)]
    assert [c.visited for c in southern.rounds] == [2]
    assert shares(southern.tags[0]) == [(1, 0.5)]


def test_a_household_counts_once_however_many_observations(team):
    panel = Panel.of(team, 4)
    spring = panel.round("2026-Q1", 1)
    panel.visit_all(spring)
    tubs, labels = panel.tag("Tubs"), panel.tag("Labels")
    for _ in range(3):
        panel.show(spring, panel.households[:1], tubs, labels)
    panel.show(spring, panel.households[1:2], tubs)

    trends = study_trends(study=team.study)

    assert [(row.label, shares(row)) for row in trends.tags] == [
        ("Tubs", [(2, 0.5)]),
        ("Labels", [(1, 0.25)]),
    ]


def test_only_visits_in_progress_or_completed_count(team):
    panel = Panel.of(team, 6)
    spring = panel.round("2026-Q1", 1)
    tubs = panel.tag("Tubs")
    done, going, cancelled, no_show, scheduled, both = panel.households
    panel.show(spring, [done], tubs, status=VisitStatus.COMPLETED)
    panel.show(spring, [going], tubs, status=VisitStatus.IN_PROGRESS)
    panel.show(spring, [cancelled], tubs, status=VisitStatus.CANCELLED)
    panel.show(spring, [no_show], tubs, status=VisitStatus.NO_SHOW)
    panel.show(spring, [scheduled], tubs, status=VisitStatus.SCHEDULED)
    # A cancelled visit, then the one that happened: the household was visited once.
    panel.show(spring, [both], tubs, status=VisitStatus.CANCELLED)
    panel.visit(spring, both, VisitStatus.COMPLETED)

    trends = study_trends(study=team.study)

    assert [c.visited for c in trends.rounds] == [3]
    assert shares(trends.tags[0]) == [(2, 2 / 3)]


def test_an_erased_household_and_a_deleted_observation_are_left_out(team):
    panel = Panel.of(team, 4)
    spring = panel.round("2026-Q1", 1)
    panel.visit_all(spring)
    tubs = panel.tag("Tubs")
    erased, deleted, kept, _quiet = panel.households
    panel.show(spring, [erased, kept], tubs)
    (gone,) = panel.show(spring, [deleted], tubs)
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])

    trends = study_trends(study=team.study)

    assert [c.visited for c in trends.rounds] == [3]
    assert shares(trends.tags[0]) == [(1, 1 / 3)]


def test_an_insight_is_shown_by_households_with_observation_or_photo_evidence(team):
    panel = Panel.of(team, 4)
    spring, summer = panel.round("2026-Q1", 1), panel.round("2026-Q2", 2)
    panel.visit_all(spring)
    panel.visit_all(summer)
    noted = panel.show(spring, panel.households[:2])
    photos = [panel.photo(spring, panel.households[0]), panel.photo(summer, panel.households[3])]
    insight = panel.insight("Tubs everywhere.", observations=noted, photos=photos)
    photo_only = panel.insight(
        "Drawers are full.", photos=[panel.photo(summer, panel.households[2])]
    )

    trends = study_trends(study=team.study)

    # households[0] gave a note and a photo in spring: one household.
    assert shares(row_for(trends, insight)) == [(2, 0.5), (1, 0.25)]
    assert changes(row_for(trends, insight)) == [Change.NEW, Change.FADING]
    assert shares(row_for(trends, photo_only)) == [(0, 0.0), (1, 0.25)]
    assert changes(row_for(trends, photo_only)) == [None, Change.NEW]


def test_changes_at_the_edges_of_the_threshold(team):
    panel = Panel.of(team, 10)
    rounds = [panel.round(f"2026-Q{n}", n) for n in (1, 2, 3, 4)]
    for round_ in rounds:
        panel.visit_all(round_)
    # Households showing each tag, per round, in a panel of ten: one household is ten points.
    plan = {
        "grows": [2, 3, 3, 5],
        "fades": [3, 2, 2, 0],
        "goes": [1, 0, 0, 0],
        "late": [0, 0, 4, 4],
        "returns": [2, 0, 1, 1],
    }
    for name, counts in plan.items():
        tag = panel.tag(name)
        for round_, count in zip(rounds, counts, strict=True):
            panel.show(round_, panel.households[:count], tag)
    panel.tag("never")

    trends = study_trends(study=team.study)

    by_name = {row.label: row for row in trends.tags}
    assert sorted(by_name) == sorted(plan)  # a tag no household showed is no row
    assert {name: [c.households for c in row.cells] for name, row in by_name.items()} == plan
    assert {name: changes(row) for name, row in by_name.items()} == {
        # 2 → 3 of 10 is exactly ten points (0.3 − 0.2 is a hair under 0.1 in floats).
        "grows": [Change.NEW, Change.GROWING, Change.STEADY, Change.GROWING],
        "fades": [Change.NEW, Change.FADING, Change.STEADY, Change.GONE],
        "goes": [Change.NEW, Change.GONE, None, None],
        "late": [None, None, Change.NEW, Change.STEADY],
        "returns": [Change.NEW, Change.GONE, Change.GROWING, Change.STEADY],
    }
    assert [row.label for row in trends.tags] == ["grows", "late", "returns", "fades", "goes"]
    assert trends.comparable


def test_one_household_in_a_panel_of_twelve_is_steady(team):
    panel = Panel.of(team, 12)
    spring, summer = panel.round("2026-Q1", 1), panel.round("2026-Q2", 2)
    panel.visit_all(spring)
    panel.visit_all(summer)
    for name, before, after in [("one more", 1, 2), ("two more", 1, 3), ("one less", 3, 2)]:
        tag = panel.tag(name)
        panel.show(spring, panel.households[:before], tag)
        panel.show(summer, panel.households[:after], tag)

    trends = study_trends(study=team.study)

    assert {row.label: changes(row)[1] for row in trends.tags} == {
        "one more": Change.STEADY,  # +8.3 points
        "two more": Change.GROWING,  # +16.7 points
        "one less": Change.STEADY,
    }


def test_a_gone_tag_shows_the_shipped_insights_that_carry_it(team):
    study = trend_study(team)
    unshipped = study.panel.insight(
        "The freezer is a black box.",
        observations=study.panel.show(study.rounds[0], study.panel.households[5:6], study.freezer),
        tags=[study.freezer],
    )

    trends = study_trends(study=team.study)

    freezer = row_for(trends, study.freezer)
    assert shares(freezer) == [(4, 0.5), (0, 0.0)]
    assert changes(freezer) == [Change.NEW, Change.GONE]
    assert freezer.shipped == [study.shipped]
    assert row_for(trends, unshipped).shipped == []
    assert row_for(trends, study.shipped).shipped == [study.shipped]
    assert changes(row_for(trends, study.shipped)) == [Change.NEW, Change.GONE]
    assert row_for(trends, study.leftovers).shipped == []


def test_round_changes_lists_each_change_most_households_first(team):
    study = trend_study(team)

    trends = study_trends(study=team.study)
    latest = round_changes(trends, study.rounds[1].pk)

    assert {change: [row.label for row in rows] for change, rows in latest.items()} == {
        Change.NEW: ["Hand-written labels"],
        Change.GROWING: ["Leftovers in tubs", "Leftovers are kept in tubs nobody can see into."],
        Change.FADING: [],
        Change.GONE: ["Freezer blindness", "People lose track of what is in the freezer."],
    }
    assert [row.kind for row in latest[Change.GROWING]] == ["tag", "insight"]
    assert round_changes(trends, study.upcoming.pk) == {
        Change.NEW: [],
        Change.GROWING: [],
        Change.FADING: [],
        Change.GONE: [],
    }


def test_a_study_with_one_visited_round_is_not_comparable(team):
    panel = Panel.of(team, 3)
    spring, summer = panel.round("2026-Q1", 1), panel.round("2026-Q2", 2)
    panel.visit_all(spring)
    panel.visit(summer, panel.households[0], VisitStatus.SCHEDULED)
    panel.show(spring, panel.households[:1], panel.tag("Tubs"))

    trends = study_trends(study=team.study)

    assert not trends.comparable
    assert [c.round for c in trends.rounds] == [spring]
    assert trends.not_visited == [summer]
    assert shares(trends.tags[0]) == [(1, 1 / 3)]
    assert changes(trends.tags[0]) == [Change.NEW]


def test_a_study_with_no_visits_and_a_segment_nobody_has_give_empty_trends(team):
    study = trend_study(team)
    empty = StudyFactory()
    planned = RoundFactory(study=empty)

    nobody = study_trends(study=team.study, segment="region=west")
    regex = study_trends(study=team.study, segment="region__regex=.*")
    nothing = study_trends(study=empty)

    for trends in (nobody, regex):
        assert (trends.rounds, trends.tags, trends.insights) == ([], [], [])
        assert trends.not_visited == [*study.rounds, study.upcoming]
        assert not trends.comparable
    assert (nothing.rounds, nothing.tags, nothing.not_visited) == ([], [], [planned])


def test_it_reads_a_study_in_eight_queries_whatever_its_size(team, django_assert_num_queries):
    small = trend_study(team)
    # Queries: rounds; households visited per round; households per tag and round; per
    # insight and round; the tags shown; the insights shown; shipped insights; their tags.
    with django_assert_num_queries(8):
        before = study_trends(study=team.study, segment="region=north")
    panel = small.panel
    for index in range(6):
        tag = panel.tag(f"more {index}")
        shown = panel.show(small.rounds[index % 2], panel.households[: index + 1], tag)
        panel.ship(
            panel.insight(f"Finding {index}.", observations=shown, tags=[tag, small.freezer])
        )

    with django_assert_num_queries(8):
        after = study_trends(study=team.study, segment="region=north")

    assert (len(before.tags), len(after.tags)) == (3, 9)


def test_the_segment_filter_offers_the_pairs_of_enrolled_households(team):
    trend_study(team)
    odd = Panel.of(team, 1, prefix="X").households[0]
    odd.segment = {"pets": ["cat"], "car": True, "people": 3}
    odd.save(update_fields=["segment"])

    assert segment_choices(study=team.study) == [
        "household size=2",
        "household size=3",
        "household size=4",
        "people=3",
        "region=north",
        "region=south",
    ]


def test_tag_evidence_hides_unconsented_quotes_from_marketing_only(team):
    study = trend_study(team)
    latest = study.rounds[1]

    for_lead = tag_evidence(user=team.lead, study=team.study, tag=study.leftovers, round_=latest)
    for_marketing = tag_evidence(
        user=team.marketing, study=team.study, tag=study.leftovers, round_=latest
    )
    consented = study.panel.households[5]
    ConsentFactory(household=consented, kind=ConsentKind.MARKETING)
    once_consented = tag_evidence(
        user=team.marketing, study=team.study, tag=study.leftovers, round_=latest
    )
    southern = tag_evidence(
        user=team.lead,
        study=team.study,
        tag=study.leftovers,
        round_=latest,
        segment="region=south",
    )

    assert (len(for_lead.observations), for_lead.households, for_lead.hidden_quotes) == (6, 5, 0)
    assert study.quote in for_lead.observations
    assert study.quote not in for_marketing.observations
    assert (len(for_marketing.observations), for_marketing.hidden_quotes) == (5, 1)
    assert study.quote in once_consented.observations
    assert once_consented.hidden_quotes == 0
    assert [o.visit.household.code for o in southern.observations] == [
        study.panel.households[4].code,
        study.panel.households[5].code,
        study.panel.households[5].code,
    ]
    assert {o.kind for o in southern.observations} == {ObservationKind.NOTE, ObservationKind.QUOTE}


def test_observations_are_listed_in_the_order_they_were_captured(team):
    panel = Panel.of(team, 1)
    spring = panel.round("2026-Q1", 1)
    tubs = panel.tag("Tubs")
    later, earlier = panel.show(spring, panel.households * 2, tubs)
    earlier.captured_at = later.captured_at - dt.timedelta(hours=1)
    earlier.save(update_fields=["captured_at"])

    found = tag_evidence(user=team.lead, study=team.study, tag=tubs, round_=spring)

    assert found.observations == [earlier, later]
