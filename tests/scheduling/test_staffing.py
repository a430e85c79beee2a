"""Staffing a round: moving, skipping, adding, and handing a researcher's visits over."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError

from studies.common.errors import ConflictError
from studies.scheduling import selectors, services
from studies.scheduling.models import (
    Household,
    Round,
    StudyMembership,
    StudyStatus,
    Visit,
    VisitChange,
    VisitStatus,
)
from studies.scheduling.services import staffing
from tests.conftest import Team, enrol_consenting
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


@dataclass
class Staffing:
    team: Team
    round: Round
    households: list[Household]
    monday: dt.date  # the round's first Monday
    visits: list[Visit]  # the researcher's: Monday 10:00, Tuesday 10:00, Wednesday 10:00


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo("Europe/London")
    )


@pytest.fixture
def staff(team: Team) -> Staffing:
    study = team.study
    today = services.study_today(study)
    start = today + dt.timedelta(days=14)
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    round_ = RoundFactory(
        study=study, label="NEXT", window_start=start, window_end=start + dt.timedelta(days=40)
    )
    households = enrol_consenting(study, 6)
    visits = [
        services.visit_create(
            round_=round_,
            household=households[index],
            researcher=team.researcher,
            start=at(monday + dt.timedelta(days=index), 10),
            end=at(monday + dt.timedelta(days=index), 11, 30),
            actor=team.lead,
        )
        for index in range(3)
    ]
    return Staffing(team=team, round=round_, households=households, monday=monday, visits=visits)


def reassign(staff: Staffing, first: int = 0, last: int = 2):
    return staffing.staffing_reassign(
        round_=staff.round,
        from_researcher=staff.team.researcher,
        to_researcher=staff.team.researcher2,
        start_date=staff.monday + dt.timedelta(days=first),
        end_date=staff.monday + dt.timedelta(days=last),
        actor=staff.team.lead,
    )


def researchers_of(visits: list[Visit]) -> list[str]:
    return [Visit.objects.get(pk=visit.pk).researcher.username for visit in visits]


def test_the_next_round_is_the_earliest_that_has_not_ended(staff):
    today = services.study_today(staff.team.study)
    RoundFactory(
        study=staff.team.study,
        label="PAST",
        window_start=today - dt.timedelta(days=90),
        window_end=today - dt.timedelta(days=1),
    )
    RoundFactory(
        study=staff.team.study,
        label="LATER",
        window_start=today + dt.timedelta(days=100),
        window_end=today + dt.timedelta(days=130),
    )

    assert staffing.round_to_staff(study=staff.team.study) == staff.round


def test_no_round_to_staff_when_none_is_planned(team):
    assert staffing.round_to_staff(study=team.study) is None


def test_a_round_of_another_study_is_not_found(staff):
    other = RoundFactory()

    assert staffing.round_to_staff(study=staff.team.study, round_id=other.pk) is None


def test_a_handover_moves_every_visit_in_the_range_at_the_same_times(staff):
    handover = reassign(staff, first=0, last=1)

    assert [visit.pk for visit in handover.visits] == [v.pk for v in staff.visits[:2]]
    assert researchers_of(staff.visits) == ["researcher2", "researcher2", "researcher"]
    for before in staff.visits[:2]:
        after = Visit.objects.get(pk=before.pk)
        assert (after.scheduled_start, after.scheduled_end) == (
            before.scheduled_start,
            before.scheduled_end,
        )
        change = after.changes.get(kind=VisitChange.Kind.MOVED)
        assert change.from_researcher == staff.team.researcher
        assert change.to_researcher == staff.team.researcher2
        assert change.actor == staff.team.lead
        assert change.note.startswith(f"Handed over from {staff.team.researcher} for ")


def test_a_handover_with_one_clash_moves_nothing_and_names_it(staff):
    clash = services.visit_create(
        round_=staff.round,
        household=staff.households[4],
        researcher=staff.team.researcher2,
        start=at(staff.monday + dt.timedelta(days=1), 11),
        end=at(staff.monday + dt.timedelta(days=1), 12),
        actor=staff.team.lead,
    )
    changes = VisitChange.objects.count()

    with pytest.raises(ConflictError) as refused:
        reassign(staff)

    messages = refused.value.message_dict["to_researcher"]
    assert messages[0] == f"No visit was moved: 1 visit cannot go to {staff.team.researcher2}."
    assert len(messages) == 2
    assert messages[1].startswith(f"{staff.households[1].code} on ")
    assert f"already visiting {clash.household.code}" in messages[1]
    assert researchers_of(staff.visits) == ["researcher"] * 3
    assert VisitChange.objects.count() == changes


def test_a_handover_respects_the_new_researchers_availability(staff):
    # Researcher 2 works Monday mornings only: Tuesday's and Wednesday's visits cannot go.
    services.availability_set(
        researcher=staff.team.researcher2, windows=[(0, dt.time(9), dt.time(13))]
    )

    with pytest.raises(ConflictError) as refused:
        reassign(staff)

    messages = refused.value.message_dict["to_researcher"]
    assert messages[0] == f"No visit was moved: 2 visits cannot go to {staff.team.researcher2}."
    assert [message.split(" on ")[0] for message in messages[1:]] == [
        staff.households[1].code,
        staff.households[2].code,
    ]
    assert all("not available at that time" in message for message in messages[1:])
    assert researchers_of(staff.visits) == ["researcher"] * 3


def test_a_handover_with_nothing_in_the_range_is_refused(staff):
    with pytest.raises(ValidationError) as refused:
        reassign(staff, first=20, last=25)

    assert "has no scheduled visits" in refused.value.message_dict["from_researcher"][0]


@pytest.mark.parametrize(
    ("to", "first", "last", "field"),
    [
        ("researcher", 0, 2, "to_researcher"),  # to herself
        ("product", 0, 2, "to_researcher"),  # who does not visit
        ("researcher2", 2, 0, "end_date"),  # backwards
    ],
)
def test_a_handover_refuses_bad_input_by_field(staff, to, first, last, field):
    with pytest.raises(ValidationError) as refused:
        staffing.staffing_reassign(
            round_=staff.round,
            from_researcher=staff.team.researcher,
            to_researcher=getattr(staff.team, to),
            start_date=staff.monday + dt.timedelta(days=first),
            end_date=staff.monday + dt.timedelta(days=last),
            actor=staff.team.lead,
        )

    assert list(refused.value.message_dict) == [field]
    assert researchers_of(staff.visits) == ["researcher"] * 3


def test_moving_a_visit_keeps_its_length_and_records_the_move(staff):
    visit = staff.visits[0]

    moved = staffing.staffing_visit_move(
        visit=visit,
        actor=staff.team.lead,
        start=at(staff.monday + dt.timedelta(days=3), 14),
        researcher=staff.team.researcher2,
    )

    assert moved.scheduled_start == at(staff.monday + dt.timedelta(days=3), 14)
    assert moved.scheduled_end == at(staff.monday + dt.timedelta(days=3), 15, 30)
    assert moved.researcher == staff.team.researcher2
    assert moved.changes.filter(kind=VisitChange.Kind.MOVED).count() == 1


def test_moving_onto_a_booked_slot_is_a_conflict(staff):
    with pytest.raises(ConflictError) as refused:
        staffing.staffing_visit_move(
            visit=staff.visits[0], actor=staff.team.lead, start=staff.visits[1].scheduled_start
        )

    assert "already visiting" in refused.value.message_dict["scheduled_start"][0]


def test_skipping_cancels_the_visit_and_says_why(staff):
    visit = staffing.staffing_visit_skip(visit=staff.visits[0], actor=staff.team.lead)

    assert visit.status == VisitStatus.CANCELLED
    change = visit.changes.get(kind=VisitChange.Kind.STATUS)
    assert (change.to_status, change.note) == (VisitStatus.CANCELLED, "Skipped for this round.")
    assert staff.households[0] in staffing.households_to_add(round_=staff.round)


def test_skipping_a_cancelled_visit_is_a_conflict(staff):
    staffing.staffing_visit_skip(visit=staff.visits[0], actor=staff.team.lead)

    with pytest.raises(ConflictError):
        staffing.staffing_visit_skip(visit=staff.visits[0], actor=staff.team.lead)


def test_adding_a_household_books_it_for_the_studys_visit_length(staff):
    assert staffing.households_to_add(round_=staff.round) == staff.households[3:]

    visit = staffing.staffing_household_add(
        round_=staff.round,
        household=staff.households[3],
        researcher=staff.team.researcher2,
        start=at(staff.monday, 14),
        actor=staff.team.lead,
    )

    assert visit.scheduled_end - visit.scheduled_start == dt.timedelta(
        minutes=staff.team.study.visit_minutes
    )
    assert visit.changes.get().kind == VisitChange.Kind.CREATED
    assert staffing.households_to_add(round_=staff.round) == staff.households[4:]


def test_adding_a_household_already_in_the_round_is_refused(staff):
    with pytest.raises(ValidationError) as refused:
        staffing.staffing_household_add(
            round_=staff.round,
            household=staff.households[0],
            researcher=staff.team.researcher2,
            start=at(staff.monday, 14),
            actor=staff.team.lead,
        )

    assert "cannot join this round" in refused.value.message_dict["household"][0]


def test_adding_onto_a_booked_researcher_is_a_conflict(staff):
    with pytest.raises(ConflictError):
        staffing.staffing_household_add(
            round_=staff.round,
            household=staff.households[3],
            researcher=staff.team.researcher,
            start=at(staff.monday, 10, 30),
            actor=staff.team.lead,
        )
    assert not Visit.objects.filter(household=staff.households[3]).exists()


def test_a_removed_researchers_visits_are_flagged_until_reassigned(staff):
    StudyMembership.objects.filter(study=staff.team.study, user=staff.team.researcher).delete()

    flagged = list(selectors.visits_to_reassign(study=staff.team.study))
    assert flagged == staff.visits

    staffing.staffing_visit_move(
        visit=staff.visits[0], actor=staff.team.lead, researcher=staff.team.researcher2
    )

    assert list(selectors.visits_to_reassign(study=staff.team.study)) == staff.visits[1:]


def test_a_closed_study_refuses_every_staffing_change(staff):
    staff.team.study.status = StudyStatus.CLOSED
    staff.team.study.save()
    round_ = Round.objects.select_related("study").get(pk=staff.round.pk)
    visit = Visit.objects.select_related("round__study").get(pk=staff.visits[0].pk)

    attempts = [
        lambda: staffing.staffing_visit_skip(visit=visit, actor=staff.team.lead),
        lambda: staffing.staffing_visit_move(
            visit=visit, actor=staff.team.lead, researcher=staff.team.researcher2
        ),
        lambda: staffing.staffing_household_add(
            round_=round_,
            household=staff.households[3],
            researcher=staff.team.researcher2,
            start=at(staff.monday, 14),
            actor=staff.team.lead,
        ),
        lambda: staffing.staffing_reassign(
            round_=round_,
            from_researcher=staff.team.researcher,
            to_researcher=staff.team.researcher2,
            start_date=staff.monday,
            end_date=staff.monday,
            actor=staff.team.lead,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ConflictError) as refused:
            attempt()
        assert "is closed" in refused.value.message_dict["study"][0]
    assert researchers_of(staff.visits) == ["researcher"] * 3
    assert Visit.objects.filter(round=staff.round).count() == 3


# --- The API -----------------------------------------------------------------------------


def staffing_url(staff: Staffing) -> str:
    return f"/api/v1/studies/{staff.team.study.pk}/staffing/"


def test_the_api_gives_the_rounds_visits_those_to_reassign_and_who_may_join(
    staff, client_for, django_assert_max_num_queries
):
    StudyMembership.objects.filter(study=staff.team.study, user=staff.team.researcher).delete()
    client = client_for(staff.team.lead)

    # Access (study, role), then the round, its visits, the visits to reassign, the
    # households to add and the researchers: a fixed number, whatever the round's size.
    with django_assert_max_num_queries(8):
        response = client.get(staffing_url(staff))

    assert response.status_code == 200
    body = response.json()
    assert body["round"]["id"] == str(staff.round.pk)
    assert body["time_zone"] == "Europe/London"
    assert [visit["id"] for visit in body["visits"]] == [str(v.pk) for v in staff.visits]
    assert [visit["id"] for visit in body["to_reassign"]] == [str(v.pk) for v in staff.visits]
    assert [h["code"] for h in body["households_to_add"]] == [h.code for h in staff.households[3:]]
    assert body["visits"][0]["scheduled_start"].endswith(("+00:00", "Z"))
    assert "researcher" not in body["researchers"]


def test_the_api_says_when_no_round_is_planned(team, client_for):
    response = client_for(team.lead).get(f"/api/v1/studies/{team.study.pk}/staffing/")

    assert response.status_code == 200
    assert response.json()["round"] is None
    assert response.json()["visits"] == []


@pytest.mark.parametrize(
    ("persona", "code"), [("product", 403), ("researcher", 403), ("outsider", 404), (None, 401)]
)
def test_only_the_lead_reads_staffing(staff, client_for, persona, code):
    user = getattr(staff.team, persona) if persona else None
    assert client_for(user).get(staffing_url(staff)).status_code == code


def test_the_api_hands_visits_over(staff, client_for):
    response = client_for(staff.team.lead).post(
        f"{staffing_url(staff)}reassign/",
        {
            "from_researcher": "researcher",
            "to_researcher": "researcher2",
            "start_date": staff.monday.isoformat(),
            "end_date": (staff.monday + dt.timedelta(days=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["round"]["id"] == str(staff.round.pk)
    assert [v["researcher"] for v in response.json()["moved"]] == ["researcher2", "researcher2"]
    assert researchers_of(staff.visits) == ["researcher2", "researcher2", "researcher"]


def test_the_api_refuses_a_handover_with_a_clash_with_409_and_the_list(staff, client_for):
    services.visit_create(
        round_=staff.round,
        household=staff.households[4],
        researcher=staff.team.researcher2,
        start=at(staff.monday, 10),
        end=at(staff.monday, 11),
        actor=staff.team.lead,
    )

    response = client_for(staff.team.lead).post(
        f"{staffing_url(staff)}reassign/",
        {
            "from_researcher": "researcher",
            "to_researcher": "researcher2",
            "start_date": staff.monday.isoformat(),
            "end_date": (staff.monday + dt.timedelta(days=2)).isoformat(),
            "round": str(staff.round.pk),
        },
        format="json",
    )

    assert response.status_code == 409
    messages = response.json()["errors"]["to_researcher"]
    assert len(messages) == 2
    assert messages[1].startswith(staff.households[0].code)
    assert researchers_of(staff.visits) == ["researcher"] * 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to_researcher": "nobody"}, "to_researcher"),
        ({"from_researcher": "outsider"}, "from_researcher"),
        ({"start_date": "soon"}, "start_date"),
        ({"round": "00000000-0000-0000-0000-000000000000"}, "round"),
    ],
)
def test_the_api_refuses_bad_handovers_by_field(staff, client_for, change, field):
    body = {
        "from_researcher": "researcher",
        "to_researcher": "researcher2",
        "start_date": staff.monday.isoformat(),
        "end_date": staff.monday.isoformat(),
        **change,
    }
    response = client_for(staff.team.lead).post(
        f"{staffing_url(staff)}reassign/", body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert researchers_of(staff.visits) == ["researcher"] * 3


def test_members_who_do_not_lead_cannot_hand_over(staff, client_for):
    response = client_for(staff.team.researcher).post(
        f"{staffing_url(staff)}reassign/",
        {
            "from_researcher": "researcher",
            "to_researcher": "researcher2",
            "start_date": staff.monday.isoformat(),
            "end_date": staff.monday.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 403
    assert researchers_of(staff.visits) == ["researcher"] * 3
