"""The round report: who was visited, top insights with quotes and photos (consent
respected), what changed since the round before, loop health; refused with no visits."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from studies.fieldwork.models import Observation, ObservationKind, Photo, PhotoStatus, TagGroup
from studies.fieldwork.services.observations import observation_sync
from studies.fieldwork.services.observations.types import ObservationUpsert, SyncStatus
from studies.loop.selectors.report import RoundNotVisited, round_report
from studies.privacy.services import consent_withdraw
from studies.scheduling.models import Consent, ConsentKind, Household, VisitStatus
from studies.synthesis.services.insights import insight_create
from tests.conftest import Team
from tests.factories import ConsentFactory, ObservationFactory, RoundFactory, TagFactory
from tests.loop.report_support import Fieldwork, build_fieldwork, visit


@pytest.fixture
def fieldwork(team: Team) -> Fieldwork:
    return build_fieldwork(team)


def test_it_lists_who_was_visited_and_the_insights_the_round_backs_most(fieldwork):
    team = fieldwork.team
    wide = insight_create(
        study=team.study,
        actor=team.lead,
        statement="The freezer is where food goes to be forgotten.",
        observation_ids=[quote.pk for quote in fieldwork.quotes],
    )
    first_round_note = ObservationFactory(
        visit=fieldwork.households[2].visits.get(round=fieldwork.first)
    )
    narrow = insight_create(
        study=team.study,
        actor=team.lead,
        statement="Labels are home-made.",
        observation_ids=[fieldwork.quotes[0].pk, first_round_note.pk],
    )

    report = round_report(round_=fieldwork.second)

    assert [household.code for household in report.visited] == [
        household.code for household in fieldwork.households[:2]
    ]
    assert report.to_go == 1
    assert report.missed == 0
    assert not report.finished
    assert [(item.insight, item.households) for item in report.insights] == [
        (wide, 2),
        (narrow, 1),
    ]
    assert report.insights[0].quotes == fieldwork.quotes
    assert report.previous == fieldwork.first


def test_quotes_leave_the_report_once_participation_consent_is_withdrawn(fieldwork):
    team = fieldwork.team
    insight_create(
        study=team.study,
        actor=team.lead,
        statement="The freezer is where food goes to be forgotten.",
        observation_ids=[quote.pk for quote in fieldwork.quotes],
    )
    consent = Consent.objects.get(household=fieldwork.households[1], kind=ConsentKind.PARTICIPATION)
    consent_withdraw(consent=consent, actor=team.lead)

    report = round_report(round_=fieldwork.second)

    assert report.insights[0].quotes == [fieldwork.quotes[0]]
    # The insight still counts the household: the evidence is there, only its words are not.
    assert report.insights[0].households == 2


def test_photos_show_only_while_photo_consent_is_in_force(fieldwork):
    team = fieldwork.team
    photos = [
        Photo.objects.create(
            visit=quote.visit,
            observation=quote,
            author=team.researcher,
            caption=f"Freezer drawer {index}",
            captured_at=quote.captured_at,
            status=PhotoStatus.READY,
        )
        for index, quote in enumerate(fieldwork.quotes)
    ]
    insight_create(
        study=team.study,
        actor=team.lead,
        statement="The freezer is where food goes to be forgotten.",
        observation_ids=[fieldwork.quotes[0].pk],
        photo_ids=[photos[1].pk],
    )
    assert round_report(round_=fieldwork.second).insights[0].photos == photos

    consent = Consent.objects.get(household=fieldwork.households[0], kind=ConsentKind.PHOTOS)
    consent_withdraw(consent=consent, actor=team.lead)

    assert round_report(round_=fieldwork.second).insights[0].photos == [photos[1]]


def test_quote_worthy_quotes_come_first_and_two_at_most(fieldwork):
    team = fieldwork.team
    visit_ = fieldwork.quotes[0].visit
    now = timezone.now()
    later = [
        ObservationFactory(
            visit=visit_,
            kind=ObservationKind.QUOTE,
            text=f"Later quote {minutes}",
            captured_at=now + dt.timedelta(minutes=minutes),
        )
        for minutes in (1, 2)
    ]
    quotable = TagFactory(study=team.study, name="Say it like this", group=TagGroup.QUOTE_WORTHY)
    later[1].tags.add(quotable)
    insight_create(
        study=team.study,
        actor=team.lead,
        statement="The freezer is where food goes to be forgotten.",
        observation_ids=[fieldwork.quotes[0].pk, *(quote.pk for quote in later)],
    )

    quotes = round_report(round_=fieldwork.second).insights[0].quotes

    assert quotes == [later[1], fieldwork.quotes[0]]


def test_the_first_visited_round_has_nothing_to_compare_with(fieldwork):
    report = round_report(round_=fieldwork.first)

    assert report.previous is None
    assert [household.code for household in report.visited] == [
        household.code for household in fieldwork.households
    ]
    assert report.insights == []


@pytest.mark.parametrize("which", ["upcoming", "erased"])
def test_a_round_nobody_was_visited_in_is_refused_with_a_reason(fieldwork, which):
    round_ = fieldwork.upcoming
    if which == "erased":
        # Visited once, by a household that has since been erased: nobody left to report.
        round_ = RoundFactory(study=fieldwork.team.study, label="2025-Q4")
        visit(round_, fieldwork.households[2], fieldwork.team)
        Household.objects.filter(pk=fieldwork.households[2].pk).update(erased_at=timezone.now())

    with pytest.raises(RoundNotVisited) as refusal:
        round_report(round_=round_)

    assert refusal.value.message_dict == {
        "round": [
            f"No household has been visited in {round_.label} yet: a round report is made "
            "once its visits have happened."
        ]
    }


def test_each_quote_says_whether_marketing_may_use_it_now(fieldwork):
    team = fieldwork.team
    insight_create(
        study=team.study,
        actor=team.lead,
        statement="The freezer is where food goes to be forgotten.",
        observation_ids=[quote.pk for quote in fieldwork.quotes],
    )
    consents = [
        ConsentFactory(household=household, kind=ConsentKind.MARKETING)
        for household in fieldwork.households[:2]
    ]
    before = round_report(round_=fieldwork.second)

    consent_withdraw(consent=consents[0], actor=team.lead)
    after = round_report(round_=fieldwork.second)

    assert [quote.marketing_cleared for quote in before.insights[0].quotes] == [True, True]
    assert not before.quotes_not_for_marketing
    # Still shown (participation consent is in force), now labelled.
    assert after.insights[0].quotes == fieldwork.quotes
    assert [quote.marketing_cleared for quote in after.insights[0].quotes] == [False, True]
    assert after.quotes_not_for_marketing


def test_an_item_captured_on_a_never_started_visit_counts_its_household(fieldwork):
    team = fieldwork.team
    never_started = fieldwork.households[2].visits.get(round=fieldwork.second)
    assert never_started.status == VisitStatus.SCHEDULED
    before = round_report(round_=fieldwork.second)
    captured_at = never_started.scheduled_start + dt.timedelta(minutes=30)

    (result,) = observation_sync(
        user=team.researcher,
        operations=[
            ObservationUpsert(
                operation_id=uuid.uuid4(),
                device_id=uuid.uuid4(),
                visit_id=never_started.pk,
                kind=ObservationKind.QUOTE,
                text="The freezer is a black hole (2).",
                captured_at=captured_at,
                edited_at=captured_at,
            )
        ],
    )
    insight_create(
        study=team.study,
        actor=team.lead,
        statement="The freezer is where food goes to be forgotten.",
        observation_ids=[
            *(quote.pk for quote in fieldwork.quotes),
            Observation.objects.get(device_id=result.device_id).pk,
        ],
    )
    after = round_report(round_=fieldwork.second)

    assert result.status == SyncStatus.APPLIED
    never_started.refresh_from_db()
    assert never_started.status == VisitStatus.IN_PROGRESS
    assert (len(before.visited), before.to_go) == (2, 1)
    assert [household.code for household in after.visited] == [
        household.code for household in fieldwork.households
    ]
    assert after.to_go == 0
    # The insight's households are households the report counts as visited: 3 of 3.
    assert after.insights[0].households == len(after.visited) == 3
