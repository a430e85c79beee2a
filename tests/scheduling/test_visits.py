"""Booking, moving, reassigning and the status transitions of visits."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from studies.common.errors import ConflictError
from studies.common.roles import Role
from studies.scheduling import services
from studies.scheduling.models import Availability, Visit, VisitChange, VisitStatus
from tests.conftest import enrol_consenting
from tests.factories import MembershipFactory, RoundFactory, VisitFactory

UTC = dt.UTC


@pytest.fixture
def round_(team):
    return RoundFactory(study=team.study, label="2027-Q1")


@pytest.fixture
def households(team):
    return enrol_consenting(team.study, 3)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, minute, tzinfo=UTC)


def book(team, round_, household, start, end=None, researcher=None):
    return services.visit_create(
        round_=round_,
        household=household,
        researcher=researcher or team.researcher,
        start=start,
        end=end or start + dt.timedelta(minutes=90),
        actor=team.lead,
    )


def test_a_booking_records_who_made_it(team, round_, households):
    visit = book(team, round_, households[0], at(12, 10))

    change = visit.changes.get()
    assert (change.kind, change.actor, change.to_researcher) == (
        VisitChange.Kind.CREATED,
        team.lead,
        team.researcher,
    )


def test_a_visit_outside_the_round_window_is_refused(team, round_, households):
    with pytest.raises(ValidationError) as raised:
        book(team, round_, households[0], dt.datetime(2027, 4, 2, 10, tzinfo=UTC))

    assert raised.value.message_dict == {
        "scheduled_start": [
            "The visit must fall within the round's window, 2027-01-01 to 2027-03-31."
        ]
    }
    assert not Visit.objects.exists()


def test_the_window_is_read_in_the_studys_zone(team, households):
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: outside a Q1 window.
    round_ = RoundFactory(study=team.study, label="2027-Q1")
    late = dt.datetime(2027, 3, 31, 23, 30, tzinfo=UTC)

    with pytest.raises(ValidationError):
        book(team, round_, households[0], late, late + dt.timedelta(minutes=20))


def test_a_visit_that_ends_before_it_starts_is_refused(team, round_, households):
    with pytest.raises(ValidationError) as raised:
        book(team, round_, households[0], at(12, 10), at(12, 9))

    assert raised.value.message_dict == {"scheduled_end": ["A visit must end after it starts."]}


def test_an_overlapping_visit_for_the_same_researcher_is_a_conflict(team, round_, households):
    book(team, round_, households[0], at(12, 10))

    with pytest.raises(ConflictError) as raised:
        book(team, round_, households[1], at(12, 11))

    assert raised.value.message_dict == {
        "scheduled_start": [
            f"{team.researcher} is already visiting {households[0].code} then "
            "(12 Jan 2027, 10:00 to 11:30)."
        ]
    }
    assert Visit.objects.count() == 1


def test_a_clash_in_another_study_says_when_but_not_whom(team, round_, households):
    other_study = team.outsider.memberships.get().study
    other_round = RoundFactory(study=other_study, label="2027-Q1")
    [elsewhere] = enrol_consenting(other_study, 1, prefix="X")
    MembershipFactory(study=other_study, user=team.researcher, role=Role.RESEARCHER)
    book(team, other_round, elsewhere, at(12, 10))

    with pytest.raises(ConflictError) as raised:
        book(team, round_, households[0], at(12, 11))

    assert raised.value.message_dict == {
        "scheduled_start": [
            f"{team.researcher} is already on a visit for another study then "
            "(12 Jan 2027, 10:00 to 11:30)."
        ]
    }
    assert elsewhere.code not in str(raised.value)


def test_back_to_back_visits_do_not_overlap(team, round_, households):
    book(team, round_, households[0], at(12, 10))

    book(team, round_, households[1], at(12, 11, 30))

    assert Visit.objects.count() == 2


def test_a_cancelled_visit_frees_its_slot(team, round_, households):
    first = book(team, round_, households[0], at(12, 10))
    services.visit_transition(visit=first, actor=team.lead, to_status=VisitStatus.CANCELLED)

    second = book(team, round_, households[1], at(12, 10))

    assert second.status == VisitStatus.SCHEDULED


def test_a_household_outside_the_panel_cannot_be_booked(team, round_):
    stranger = enrol_consenting(team.outsider.memberships.get().study, 1)[0]

    with pytest.raises(ValidationError) as raised:
        book(team, round_, stranger, at(12, 10))

    assert list(raised.value.message_dict) == ["household"]


def test_only_the_studys_researchers_can_be_booked(team, round_, households):
    with pytest.raises(ValidationError) as raised:
        book(team, round_, households[0], at(12, 10), researcher=team.product)

    assert list(raised.value.message_dict) == ["researcher"]


def test_a_booking_outside_stated_availability_is_refused(team, round_, households):
    Availability.objects.create(
        researcher=team.researcher, weekday=0, start_time=dt.time(9), end_time=dt.time(12)
    )

    with pytest.raises(ConflictError) as raised:
        book(team, round_, households[0], at(12, 10))  # a Tuesday

    assert list(raised.value.message_dict) == ["scheduled_start"]
    assert book(team, round_, households[0], at(11, 10)).pk  # Monday 10:00 fits


def test_a_second_live_visit_for_a_household_in_a_round_is_refused(team, round_, households):
    book(team, round_, households[0], at(12, 10))

    with pytest.raises(ConflictError):
        book(team, round_, households[0], at(13, 10))


def test_moving_a_visit_keeps_the_old_slot_in_history(team, round_, households):
    visit = book(team, round_, households[0], at(12, 10))

    services.visit_reschedule(
        visit=visit,
        actor=team.lead,
        start=at(14, 13),
        researcher=team.researcher2,
        note="Family asked for the afternoon",
    )

    visit.refresh_from_db()
    assert (visit.scheduled_start, visit.scheduled_end, visit.researcher) == (
        at(14, 13),
        at(14, 14, 30),
        team.researcher2,
    )
    moved = visit.changes.get(kind=VisitChange.Kind.MOVED)
    assert (moved.from_start, moved.from_researcher, moved.to_start, moved.to_researcher) == (
        at(12, 10),
        team.researcher,
        at(14, 13),
        team.researcher2,
    )
    assert moved.note == "Family asked for the afternoon"


def test_moving_a_visit_onto_another_of_the_researchers_visits_is_refused(team, round_, households):
    book(team, round_, households[0], at(12, 10))
    other = book(team, round_, households[1], at(13, 10))

    with pytest.raises(ConflictError):
        services.visit_reschedule(visit=other, actor=team.lead, start=at(12, 10, 30))

    other.refresh_from_db()
    assert other.scheduled_start == at(13, 10)
    assert not other.changes.filter(kind=VisitChange.Kind.MOVED).exists()


def test_a_visit_can_be_moved_onto_its_own_slot_shifted_slightly(team, round_, households):
    visit = book(team, round_, households[0], at(12, 10))

    services.visit_reschedule(visit=visit, actor=team.lead, start=at(12, 10, 30))

    visit.refresh_from_db()
    assert visit.scheduled_start == at(12, 10, 30)


def test_a_moved_visit_gets_a_new_reminder(team, round_, households):
    visit = book(team, round_, households[0], at(12, 10))
    Visit.objects.filter(pk=visit.pk).update(reminder_sent_at=at(11, 18))

    services.visit_reschedule(visit=visit, actor=team.lead, start=at(13, 10))

    visit.refresh_from_db()
    assert visit.reminder_sent_at is None


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED], VisitStatus.COMPLETED),
        ([VisitStatus.CANCELLED], VisitStatus.CANCELLED),
        ([VisitStatus.NO_SHOW], VisitStatus.NO_SHOW),
    ],
)
def test_allowed_transitions_are_applied_and_recorded(team, path, final):
    visit = VisitFactory(round__study=team.study, researcher=team.researcher)

    for status in path:
        visit = services.visit_transition(visit=visit, actor=team.researcher, to_status=status)

    visit.refresh_from_db()
    assert visit.status == final
    assert list(visit.changes.values_list("from_status", "to_status")) == list(
        zip([VisitStatus.SCHEDULED, *path[:-1]], path, strict=True)
    )
    assert visit.finished_at is not None


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (VisitStatus.SCHEDULED, VisitStatus.COMPLETED),
        (VisitStatus.COMPLETED, VisitStatus.SCHEDULED),
        (VisitStatus.CANCELLED, VisitStatus.IN_PROGRESS),
        (VisitStatus.IN_PROGRESS, VisitStatus.CANCELLED),
        (VisitStatus.NO_SHOW, VisitStatus.SCHEDULED),
    ],
)
def test_forbidden_transitions_are_refused_and_change_nothing(team, start, target):
    visit = VisitFactory(round__study=team.study, status=start)

    with pytest.raises(ConflictError) as raised:
        services.visit_transition(visit=visit, actor=team.lead, to_status=target)

    assert list(raised.value.message_dict) == ["status"]
    visit.refresh_from_db()
    assert visit.status == start
    assert not visit.changes.exists()


def test_an_unknown_status_is_a_validation_error(team):
    visit = VisitFactory(round__study=team.study)

    with pytest.raises(ValidationError) as raised:
        services.visit_transition(visit=visit, actor=team.lead, to_status="teleported")

    assert list(raised.value.message_dict) == ["status"]


def test_only_scheduled_visits_can_be_moved(team, round_, households):
    visit = book(team, round_, households[0], at(12, 10))
    services.visit_transition(visit=visit, actor=team.lead, to_status=VisitStatus.IN_PROGRESS)

    with pytest.raises(ConflictError) as raised:
        services.visit_reschedule(visit=visit, actor=team.lead, start=at(13, 10))

    assert list(raised.value.message_dict) == ["status"]


def test_availability_is_replaced_as_a_whole(team):
    services.availability_set(researcher=team.researcher, windows=[(0, dt.time(9), dt.time(12))])

    services.availability_set(
        researcher=team.researcher,
        windows=[(1, dt.time(13), dt.time(17)), (3, dt.time(9), dt.time(17))],
    )

    assert list(
        Availability.objects.filter(researcher=team.researcher).values_list("weekday", flat=True)
    ) == [1, 3]


def test_availability_that_ends_before_it_starts_is_refused_and_keeps_the_old(team):
    services.availability_set(researcher=team.researcher, windows=[(0, dt.time(9), dt.time(12))])

    with pytest.raises(ValidationError) as raised:
        services.availability_set(
            researcher=team.researcher,
            windows=[(1, dt.time(9), dt.time(17)), (2, dt.time(17), dt.time(9))],
        )

    assert list(raised.value.message_dict) == ["windows[1]"]
    assert Availability.objects.filter(researcher=team.researcher).count() == 1
