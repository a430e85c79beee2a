"""Trends across rounds: shares of households, and what is new, growing, fading or gone."""

import datetime as dt

import pytest
from django.utils import timezone

from studies.fieldwork.models import ObservationKind, Photo, PhotoStatus
from studies.loop.selectors.trends import (
    Change,
    round_changes,
    segment_choices,
    study_trends,
    tag_evidence,
)
from studies.privacy.services import consent_withdraw
from studies.scheduling.models import Consent, ConsentKind, GuideQuestion, VisitStatus
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


def tagged_photo(panel, round_, household, *tags, status=VisitStatus.COMPLETED, **fields):
    photo = Photo.objects.create(
        visit=panel.visit(round_, household, status),
        author=panel.team.researcher,
        caption=fields.pop("caption", "The freezer drawer"),
        captured_at=timezone.now() - dt.timedelta(days=3),
        status=fields.pop("photo_status", PhotoStatus.READY),
        **fields,
    )
    photo.tags.add(*tags)
    return photo


def test_a_tagged_photo_counts_as_its_household_showing_the_tag_once(team):
    panel = Panel.of(team, 8)
    spring, summer = panel.round("2026-Q1", 1), panel.round("2026-Q2", 2)
    both, photo_only, noted, deleted, failed, scheduled, later, _quiet = panel.households
    panel.visit_all(spring, [one for one in panel.households if one != scheduled])
    panel.visit_all(summer)
    tubs, labels = panel.tag("Tubs"), panel.tag("Labels")
    panel.show(spring, [both, noted], tubs)
    tagged_photo(panel, spring, both, tubs, labels)
    tagged_photo(panel, spring, both, tubs)
    tagged_photo(panel, spring, photo_only, tubs)
    tagged_photo(panel, spring, deleted, tubs, deleted_at=timezone.now())
    tagged_photo(panel, spring, failed, tubs, photo_status=PhotoStatus.FAILED, failure_reason="x")
    tagged_photo(panel, spring, scheduled, tubs, status=VisitStatus.SCHEDULED)
    tagged_photo(panel, summer, later, labels)

    trends = study_trends(study=team.study)

    # Tubs in spring: `both` (a note and two photos) once, `photo_only` and `noted`.
    assert [column.visited for column in trends.rounds] == [7, 8]
    assert [(row.label, shares(row)) for row in trends.tags] == [
        ("Labels", [(1, 1 / 7), (1, 1 / 8)]),
        ("Tubs", [(3, 3 / 7), (0, 0.0)]),
    ]
    assert changes(row_for(trends, labels)) == [Change.NEW, Change.STEADY]


def test_a_photo_counts_whatever_its_households_photo_consent(team):
    panel = Panel.of(team, 2)
    spring = panel.round("2026-Q1", 1)
    panel.visit_all(spring)
    tubs = panel.tag("Tubs")
    tagged_photo(panel, spring, panel.households[0], tubs)
    consent = Consent.objects.get(household=panel.households[0], kind=ConsentKind.PHOTOS)
    consent_withdraw(consent=consent, actor=team.lead)

    trends = study_trends(study=team.study)

    assert shares(trends.tags[0]) == [(1, 0.5)]


def test_a_tag_on_photos_only_in_a_segment_counts_in_that_segment_only(team):
    panel = Panel.of(team, 4)
    regions = ["north", "north", "south", "south"]
    for household, region in zip(panel.households, regions, strict=True):
        household.segment = {"region": region}
        household.save(update_fields=["segment"])
    spring = panel.round("2026-Q1", 1)
    panel.visit_all(spring)
    drawers = panel.tag("Drawers")
    tagged_photo(panel, spring, panel.households[0], drawers)
    tagged_photo(panel, spring, panel.households[2], drawers)
    tagged_photo(panel, spring, panel.households[3], drawers)

    north = study_trends(study=team.study, segment="region=north")
    south = study_trends(study=team.study, segment="region=south")

    assert shares(north.tags[0]) == [(1, 0.5)]
    assert shares(south.tags[0]) == [(2, 1.0)]


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
        for household in panel.households[index:]:
            tagged_photo(panel, small.rounds[index % 2], household, tag, small.labels)
    photographed = panel.tag("on photos only")
    tagged_photo(panel, small.rounds[0], panel.households[0], photographed)

    with django_assert_num_queries(8):
        after = study_trends(study=team.study, segment="region=north")

    assert (len(before.tags), len(after.tags)) == (3, 10)


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


def test_tag_evidence_lists_the_photos_behind_a_cell_once(team):
    panel = Panel.of(team, 4)
    spring = panel.round("2026-Q1", 1)
    panel.visit_all(spring)
    tubs, other = panel.tag("Tubs"), panel.tag("Other")
    noted, photographed, withdrawn, _quiet = panel.households
    (note,) = panel.show(spring, [noted], tubs)
    under_note = tagged_photo(panel, spring, noted, tubs, observation=note)
    pending = tagged_photo(panel, spring, noted, tubs, photo_status=PhotoStatus.PENDING)
    alone = tagged_photo(panel, spring, photographed, tubs)
    tagged_photo(panel, spring, photographed, other)
    tagged_photo(panel, spring, photographed, tubs, deleted_at=timezone.now())
    tagged_photo(panel, spring, withdrawn, tubs)
    consent = Consent.objects.get(household=withdrawn, kind=ConsentKind.PHOTOS)
    consent_withdraw(consent=consent, actor=team.lead)

    found = tag_evidence(user=team.product, study=team.study, tag=tubs, round_=spring)

    assert found.observations == [note]
    assert list(found.observations[0].photos.all()) == [under_note]
    # Shown under its note already; the pending one is not (only processed photos are).
    assert sorted(found.photos, key=lambda photo: photo.pk) == sorted(
        [pending, alone], key=lambda photo: photo.pk
    )
    assert found.households == 2
    assert (found.hidden_quotes, found.hidden_photos) == (0, 1)
    trends = study_trends(study=team.study)
    assert shares(row_for(trends, tubs)) == [(3, 0.75)]


def test_tag_evidence_labels_quotes_and_keeps_answers_with_their_question(team):
    study = trend_study(team)
    latest = study.rounds[1]
    household = study.panel.households[0]
    question = GuideQuestion.objects.create(round=latest, position=0, text="What is in the tubs?")
    (answer,) = study.panel.show(
        latest,
        [household],
        study.leftovers,
        kind=ObservationKind.ANSWER,
        text="Last night's curry.",
    )
    answer.guide_question = question
    answer.question_text = question.text
    answer.save(update_fields=["guide_question", "question_text"])

    found = tag_evidence(user=team.product, study=team.study, tag=study.leftovers, round_=latest)

    cleared = {o.pk: o.marketing_cleared for o in found.observations if o.kind == "quote"}
    assert cleared == {study.quote.pk: False}
    (listed,) = [o for o in found.observations if o.pk == answer.pk]
    assert listed.question == "What is in the tubs?"


def test_tag_evidence_takes_a_fixed_number_of_queries(team, django_assert_num_queries):
    study = trend_study(team)
    latest = study.rounds[1]
    for household in study.panel.households:
        tagged_photo(study.panel, latest, household, study.leftovers)

    # The observations (with their consent and question), their photos, the quotes hidden
    # from marketing counted, the tagged photos: the same for every role.
    with django_assert_num_queries(4):
        for_lead = tag_evidence(
            user=team.lead, study=team.study, tag=study.leftovers, round_=latest
        )
    with django_assert_num_queries(4):
        for_marketing = tag_evidence(
            user=team.marketing, study=team.study, tag=study.leftovers, round_=latest
        )

    assert len(for_lead.photos) == len(for_marketing.photos) == 8
    assert for_lead.households == for_marketing.households == 8
