"""Planning rounds through the service: who gets visited, when, by whom, exactly once."""

import datetime as dt
import itertools
import threading
import zoneinfo
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from studies.common.errors import ConflictError
from studies.common.roles import Role
from studies.scheduling import services
from studies.scheduling.models import (
    Availability,
    ConsentKind,
    GuideQuestion,
    Round,
    StudyStatus,
    Visit,
)
from tests.conftest import enrol_consenting
from tests.factories import (
    ConsentFactory,
    EnrolmentFactory,
    HouseholdFactory,
    MembershipFactory,
    RoundFactory,
    StudyFactory,
    UserFactory,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
# 2026-12-11 is exactly 21 days before 2027-Q1 opens.
LEAD_DAY = dt.datetime(2026, 12, 11, 2, 15, tzinfo=dt.UTC)


def test_plan_next_creates_the_next_quarter_with_one_visit_per_consenting_household(team):
    households = enrol_consenting(team.study, 6)
    withdrawn = households[0].consents.get(kind=ConsentKind.PARTICIPATION)
    services.consent_withdraw(consent=withdrawn, at=LEAD_DAY - dt.timedelta(days=1))
    EnrolmentFactory(study=team.study, household=HouseholdFactory(code="NO-CONSENT"))
    left = enrol_consenting(team.study, 1, prefix="LEFT")[0]
    services.household_unenrol(study=team.study, household=left)

    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)

    assert outcome.created
    assert (outcome.round.label, outcome.round.window_start, outcome.round.window_end) == (
        "2027-Q1",
        dt.date(2027, 1, 1),
        dt.date(2027, 3, 31),
    )
    visited = set(outcome.round.visits.values_list("household__code", flat=True))
    assert visited == {h.code for h in households[1:]}
    assert outcome.unplaced == []


def test_the_guide_is_copied_from_the_last_round(team):
    earlier = RoundFactory(
        study=team.study,
        label="2026-Q3",
        window_start=dt.date(2026, 7, 1),
        window_end=dt.date(2026, 9, 30),
    )
    last = RoundFactory(
        study=team.study,
        label="2026-Q4",
        window_start=dt.date(2026, 10, 1),
        window_end=dt.date(2026, 12, 31),
    )
    services.guide_replace(round_=earlier, questions=["Old question"])
    services.guide_replace(round_=last, questions=["Walk me through the fridge", "Leftovers?"])

    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)

    guide = list(outcome.round.guide.values_list("position", "text"))
    assert guide == [(0, "Walk me through the fridge"), (1, "Leftovers?")]
    assert GuideQuestion.objects.filter(round=last).count() == 2


def test_visits_are_balanced_between_the_studys_researchers(team):
    enrol_consenting(team.study, 12)

    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)

    load = Counter(visit.researcher.username for visit in outcome.round.visits.all())
    assert load == {"researcher": 6, "researcher2": 6}  # leads are not assigned visits


def test_visits_fall_in_working_hours_in_the_study_zone_across_dst(team):
    enrol_consenting(team.study, 40)

    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)

    local_starts = [v.scheduled_start.astimezone(LONDON) for v in outcome.round.visits.all()]
    assert {start.time() for start in local_starts} <= {
        dt.time(9),
        dt.time(11),
        dt.time(13),
        dt.time(15),
    }
    assert all(start.weekday() < 5 for start in local_starts)
    # Both sides of the clocks going forward on 2027-03-28 are used.
    offsets = {start.utcoffset() for start in local_starts}
    assert offsets == {dt.timedelta(0), dt.timedelta(hours=1)}


def test_a_researcher_is_never_booked_outside_their_availability(team):
    Availability.objects.create(
        researcher=team.researcher, weekday=2, start_time=dt.time(9), end_time=dt.time(13)
    )
    enrol_consenting(team.study, 10)

    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)

    for visit in outcome.round.visits.filter(researcher=team.researcher):
        start = visit.scheduled_start.astimezone(LONDON)
        end = visit.scheduled_end.astimezone(LONDON)
        assert start.weekday() == 2
        assert start.time() >= dt.time(9)
        assert end.time() <= dt.time(13)


def test_a_researcher_shared_by_two_studies_is_never_double_booked(team):
    other = StudyFactory(title="Laundry habits")
    MembershipFactory(study=other, user=team.researcher, role=Role.RESEARCHER)
    enrol_consenting(team.study, 30)
    enrol_consenting(other, 30, prefix="L")
    # A tight window forces both plans to compete for the same days.
    for study in (team.study, other):
        RoundFactory(
            study=study,
            label="2027-Q1",
            window_start=dt.date(2027, 1, 4),
            window_end=dt.date(2027, 1, 15),
        )
        services.round_propose_visits(round_=study.rounds.get(), now=LEAD_DAY)

    visits = list(Visit.objects.filter(researcher=team.researcher).order_by("scheduled_start"))
    assert len({v.round.study_id for v in visits}) == 2
    for earlier, later in itertools.pairwise(visits):
        assert earlier.scheduled_end <= later.scheduled_start


def test_households_without_a_free_slot_are_reported_not_dropped(team):
    MembershipFactory(study=team.study, user=UserFactory(), role=Role.PRODUCT)
    for membership in team.study.memberships.filter(role=Role.RESEARCHER):
        membership.delete()
    households = enrol_consenting(team.study, 3)

    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)

    assert outcome.round.visits.count() == 0
    assert [h.code for h in outcome.unplaced] == [h.code for h in households]


def test_plan_next_twice_refuses_and_creates_nothing_more(team):
    enrol_consenting(team.study, 4)
    services.round_plan_next(study=team.study, now=LEAD_DAY)

    with pytest.raises(ConflictError) as raised:
        services.round_plan_next(study=team.study, now=LEAD_DAY)

    assert raised.value.message_dict == {"round": ["Round 2027-Q1 is already planned."]}
    assert (Round.objects.count(), Visit.objects.count()) == (1, 4)


def test_a_closed_study_gets_no_new_round(team):
    team.study.status = StudyStatus.CLOSED
    team.study.save()

    with pytest.raises(ValidationError):
        services.round_plan_next(study=team.study, now=LEAD_DAY)

    assert not Round.objects.exists()


def test_the_periodic_job_waits_for_the_lead_time(team):
    enrol_consenting(team.study, 2)

    too_early = services.rounds_plan_due(now=LEAD_DAY - dt.timedelta(days=1))
    on_time = services.rounds_plan_due(now=LEAD_DAY)

    assert too_early == []
    ours = [o for o in on_time if o.round.study_id == team.study.pk]
    assert [(o.round.label, o.created, len(o.visits)) for o in ours] == [("2027-Q1", True, 2)]


def test_the_periodic_job_reads_the_date_in_each_studys_zone(db):
    london = StudyFactory(time_zone="Europe/London")
    new_york = StudyFactory(time_zone="America/New_York")

    # 02:15 UTC on 11 December is still 10 December in New York: 22 days ahead.
    outcomes = services.rounds_plan_due(now=LEAD_DAY)
    later = services.rounds_plan_due(now=LEAD_DAY + dt.timedelta(hours=5))

    assert {o.round.study_id for o in outcomes} == {london.pk}
    assert {o.round.study_id: o.created for o in later} == {london.pk: False, new_york.pk: True}


def test_the_periodic_job_skips_draft_and_closed_studies(db):
    StudyFactory(status=StudyStatus.DRAFT)
    StudyFactory(status=StudyStatus.CLOSED)

    assert services.rounds_plan_due(now=LEAD_DAY) == []
    assert not Round.objects.exists()


def test_running_the_periodic_job_twice_plans_each_round_once(team):
    enrol_consenting(team.study, 5)

    first = services.rounds_plan_due(now=LEAD_DAY)
    second = services.rounds_plan_due(now=LEAD_DAY + dt.timedelta(hours=1))

    assert [o.created for o in first] == [True, True]  # our study and the outsider's
    assert [o.created for o in second] == [False, False]
    assert Round.objects.filter(study=team.study).count() == 1
    assert Visit.objects.count() == 5


def test_a_household_enrolled_late_is_added_once_by_proposing_again(team):
    enrol_consenting(team.study, 3)
    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)
    late = HouseholdFactory(code="LATE")
    EnrolmentFactory(study=team.study, household=late)
    ConsentFactory(household=late, kind=ConsentKind.PARTICIPATION)

    services.round_propose_visits(round_=outcome.round, now=LEAD_DAY)
    services.round_propose_visits(round_=outcome.round, now=LEAD_DAY)

    assert outcome.round.visits.count() == 4
    assert outcome.round.visits.filter(household=late).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_planning_creates_the_round_and_its_visits_once():
    study = StudyFactory()
    for username in ("r1", "r2"):
        MembershipFactory(study=study, user=UserFactory(username=username), role=Role.RESEARCHER)
    enrol_consenting(study, 8)
    start = threading.Barrier(4)
    results, errors = [], []

    def plan() -> None:
        try:
            start.wait()
            results.extend(services.rounds_plan_due(now=LEAD_DAY))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=plan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(o.created for o in results) == [False, False, False, True]
    assert Round.objects.filter(study=study).count() == 1
    assert Visit.objects.filter(round__study=study).count() == 8
