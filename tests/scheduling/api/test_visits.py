"""/api/v1/visits/: a researcher's day, booking, moving and the life of a visit."""

import datetime as dt

import pytest

from studies.scheduling.models import Availability, Visit, VisitChange, VisitStatus
from tests.conftest import enrol_consenting
from tests.factories import (
    EnrolmentFactory,
    HouseholdFactory,
    RoundFactory,
    StudyFactory,
    VisitFactory,
)
from tests.scheduling.api.conftest import DAY, at

VISITS = "/api/v1/visits/"


def visit_url(visit: Visit, suffix: str = "") -> str:
    return f"{VISITS}{visit.pk}/{suffix}"


def booking(fieldwork, **overrides) -> dict:
    return {
        "round": str(fieldwork.round.pk),
        "household": str(fieldwork.households[1].pk),
        "researcher": "researcher",
        "scheduled_start": "2027-01-12T13:00:00+00:00",
        "scheduled_end": "2027-01-12T14:30:00+00:00",
        **overrides,
    }


def test_it_refuses_anonymous_requests(api_client, fieldwork):
    assert api_client.get(VISITS).status_code == 401
    assert api_client.get(visit_url(fieldwork.visit)).status_code == 401
    assert api_client.post(VISITS, booking(fieldwork)).status_code == 401
    response = api_client.post(visit_url(fieldwork.visit, "transition/"), {"status": "cancelled"})
    assert response.status_code == 401
    fieldwork.visit.refresh_from_db()
    assert fieldwork.visit.status == VisitStatus.SCHEDULED


def test_members_list_visits_with_pseudonyms_and_the_studys_zone(client_for, team, fieldwork):
    response = client_for(team.marketing).get(VISITS)

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": str(fieldwork.visit.pk),
            "study": str(team.study.pk),
            "time_zone": "Europe/London",
            "round": str(fieldwork.round.pk),
            "round_label": "2027-Q1",
            "household": {
                "id": str(fieldwork.households[0].pk),
                "code": fieldwork.households[0].code,
            },
            "researcher": "researcher",
            "scheduled_start": "2027-01-12T09:00:00Z",
            "scheduled_end": "2027-01-12T10:30:00Z",
            "status": "scheduled",
            "started_at": None,
            "finished_at": None,
        }
    ]


def test_times_carry_the_studys_utc_offset(client_for, team, fieldwork):
    team.study.time_zone = "America/New_York"
    team.study.save()

    visit = client_for(team.lead).get(visit_url(fieldwork.visit)).json()

    assert (visit["time_zone"], visit["scheduled_start"]) == (
        "America/New_York",
        "2027-01-12T04:00:00-05:00",
    )


def test_outsiders_neither_list_nor_read_visits(client_for, team, fieldwork):
    client = client_for(team.outsider)

    assert client.get(VISITS).json()["count"] == 0
    assert client.get(VISITS, {"study": str(team.study.pk)}).json()["count"] == 0
    assert client.get(visit_url(fieldwork.visit)).status_code == 404


def test_the_list_costs_the_same_queries_for_many_visits(
    client_for, team, fieldwork, django_assert_num_queries
):
    client = client_for(team.lead)
    # count, the page of visits joined to round, study, household and researcher
    with django_assert_num_queries(2):
        client.get(VISITS)
    for index, household in enumerate(enrol_consenting(team.study, 8, prefix="M")):
        VisitFactory(
            round=fieldwork.round,
            household=household,
            researcher=team.researcher2,
            scheduled_start=at(9, day=DAY + dt.timedelta(days=index + 1)),
        )

    with django_assert_num_queries(2):
        response = client.get(VISITS)

    assert response.json()["count"] == 9


@pytest.fixture
def three_visits(team, fieldwork):
    """The researcher's 09:00 visit, researcher2's the next day, and a cancelled one."""
    other_day = VisitFactory(
        round=fieldwork.round,
        household=fieldwork.households[1],
        researcher=team.researcher2,
        scheduled_start=at(9, day=DAY + dt.timedelta(days=1)),
    )
    cancelled = VisitFactory(
        round=fieldwork.round,
        household=fieldwork.households[2],
        researcher=team.researcher,
        scheduled_start=at(15),
        status=VisitStatus.CANCELLED,
    )
    return fieldwork.visit, other_day, cancelled


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mine": ""}, [0, 2]),
        ({"mine": "true"}, [0, 2]),
        ({"mine": "false"}, [0, 2, 1]),
        ({"date": "2027-01-13"}, [1]),
        ({"status": "cancelled"}, [2]),
        ({"researcher": "researcher2"}, [1]),
        ({"mine": "", "status": "scheduled"}, [0]),
    ],
)
def test_the_list_filters(client_for, team, three_visits, params, expected):
    response = client_for(team.researcher).get(VISITS, params)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [
        str(three_visits[index].pk) for index in expected
    ]


def test_the_list_filters_by_study_and_round(client_for, team, fieldwork):
    later = RoundFactory(
        study=team.study,
        label="2027-Q2",
        window_start=dt.date(2027, 4, 1),
        window_end=dt.date(2027, 6, 30),
    )
    VisitFactory(
        round=later,
        household=fieldwork.households[0],
        researcher=team.researcher,
        scheduled_start=at(9, day=dt.date(2027, 4, 6)),
    )
    client = client_for(team.lead)

    by_round = client.get(VISITS, {"round": str(later.pk)}).json()
    by_study = client.get(VISITS, {"study": str(team.study.pk)}).json()

    assert [row["round_label"] for row in by_round["results"]] == ["2027-Q2"]
    assert by_study["count"] == 2


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"date": "12/01/2027"}, {"date": ["Use today or a date written YYYY-MM-DD."]}),
        ({"date": "2027-02-30"}, {"date": ["Use today or a date written YYYY-MM-DD."]}),
        ({"date": "9999-12-31"}, {"date": ["Use a date between 1970-01-01 and 2999-12-31."]}),
        ({"mine": "perhaps"}, {"mine": ["Use true or false (or give the flag alone)."]}),
        ({"round": "nope"}, {"round": ["Enter a valid UUID."]}),
        (
            {"status": "lost"},
            {"status": ["Select a valid choice. lost is not one of the available choices."]},
        ),
    ],
)
def test_malformed_filters_are_a_400(client_for, team, params, errors):
    response = client_for(team.lead).get(VISITS, params)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}


@pytest.mark.parametrize(
    ("zone", "now", "expected_day"),
    [
        # 23:30 UTC on the 12th is already the morning of the 13th in Tokyo.
        ("Asia/Tokyo", dt.datetime(2027, 1, 12, 23, 30, tzinfo=dt.UTC), 13),
        # 03:00 UTC on the 13th is still the evening of the 12th in Los Angeles.
        ("America/Los_Angeles", dt.datetime(2027, 1, 13, 3, 0, tzinfo=dt.UTC), 12),
        ("UTC", dt.datetime(2027, 1, 12, 23, 30, tzinfo=dt.UTC), 12),
    ],
)
def test_mine_today_is_the_day_in_the_users_own_zone(
    client_for, team, fieldwork, time_machine, zone, now, expected_day
):
    team.researcher.time_zone = zone
    team.researcher.save()
    times = {
        # Tokyo: 12th 18:00 · LA: 12th 01:00 · UTC: 12th 09:00
        12: fieldwork.visit,
        # Tokyo: 13th 10:00 · LA: 12th 17:00 · UTC: 13th 01:00
        13: VisitFactory(
            round=fieldwork.round,
            household=fieldwork.households[1],
            researcher=team.researcher,
            scheduled_start=dt.datetime(2027, 1, 13, 1, tzinfo=dt.UTC),
        ),
    }
    VisitFactory(
        round=fieldwork.round,
        household=fieldwork.households[2],
        researcher=team.researcher2,
        scheduled_start=at(12),
    )
    time_machine.move_to(now, tick=False)

    response = client_for(team.researcher).get(f"{VISITS}?mine&date=today")

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    if zone == "America/Los_Angeles":
        # Both visits fall on the 12th in Los Angeles.
        assert ids == [str(times[12].pk), str(times[13].pk)]
    else:
        assert ids == [str(times[expected_day].pk)]


def test_the_lead_books_a_visit(client_for, team, fieldwork):
    response = client_for(team.lead).post(VISITS, booking(fieldwork))

    assert response.status_code == 201, response.json()
    body = response.json()
    visit = Visit.objects.get(pk=body["id"])
    assert (visit.household, visit.researcher, visit.scheduled_start, visit.scheduled_end) == (
        fieldwork.households[1],
        team.researcher,
        at(13),
        at(14, 30),
    )
    assert (body["scheduled_start"], body["researcher"], body["household"]["code"]) == (
        "2027-01-12T13:00:00Z",
        "researcher",
        fieldwork.households[1].code,
    )
    assert [
        (change["kind"], change["actor"], change["to_researcher"]) for change in body["history"]
    ] == [("created", "lead", "researcher")]


@pytest.mark.parametrize(
    ("overrides", "status", "errors"),
    [
        (
            {"scheduled_start": "2027-04-02T09:00:00Z", "scheduled_end": "2027-04-02T10:00:00Z"},
            400,
            {
                "scheduled_start": [
                    "The visit must fall within the round's window, 2027-01-01 to 2027-03-31."
                ]
            },
        ),
        (
            {"scheduled_start": "2027-01-12T10:00:00Z", "scheduled_end": "2027-01-12T11:00:00Z"},
            409,
            None,  # names the clashing visit: checked below
        ),
        (
            {"scheduled_end": "2027-01-12T12:00:00Z"},
            400,
            {"scheduled_end": ["A visit must end after it starts."]},
        ),
        (
            {"household": "00000000-0000-0000-0000-000000000000"},
            400,
            {"household": ["This household is not in the study's panel."]},
        ),
        ({"household": "H-001"}, 400, {"household": ["Must be a valid UUID."]}),
        (
            {"researcher": "product"},
            400,
            {"researcher": ["Henry is not a researcher on this study."]},
        ),
        (
            {"researcher": "outsider"},
            400,
            {"researcher": ["outsider is not on this study's team."]},
        ),
        (
            {"scheduled_start": "next tuesday"},
            400,
            {
                "scheduled_start": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        (
            {"scheduled_start": "2027-01-12T13:00:00"},
            400,
            {"scheduled_start": ["Include a UTC offset, e.g. 2027-01-12T09:00:00+00:00."]},
        ),
        (
            {"scheduled_start": "0001-01-01T01:00:00+00:00"},
            400,
            {"scheduled_start": ["Use a date between 1970-01-01 and 2999-12-31."]},
        ),
        (
            {"round": "00000000-0000-0000-0000-000000000000"},
            400,
            {"round": ["Not found, or not in a study of yours."]},
        ),
    ],
)
def test_bad_bookings_are_refused_with_the_field_at_fault(
    client_for, team, fieldwork, overrides, status, errors
):
    team.product.first_name, team.product.last_name = "Henry", ""
    team.product.save()

    response = client_for(team.lead).post(VISITS, booking(fieldwork, **overrides))

    assert response.status_code == status
    if errors is None:
        [message] = response.json()["errors"]["scheduled_start"]
        assert fieldwork.households[0].code in message
    else:
        assert response.json() == {"errors": errors}
    assert Visit.objects.count() == 1


def test_a_booking_missing_fields_is_a_400_listing_them(client_for, team, fieldwork):
    response = client_for(team.lead).post(VISITS, {"round": str(fieldwork.round.pk)})

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == [
        "household",
        "researcher",
        "scheduled_end",
        "scheduled_start",
    ]


def test_a_household_of_another_panel_is_unknown_here(client_for, team, fieldwork):
    stranger = HouseholdFactory(code="H-STRANGER")
    EnrolmentFactory(study=StudyFactory(), household=stranger)

    response = client_for(team.lead).post(VISITS, booking(fieldwork, household=str(stranger.pk)))

    assert response.status_code == 400
    assert "H-STRANGER" not in response.content.decode()


def test_booking_outside_the_researchers_availability_is_a_409(client_for, team, fieldwork):
    Availability.objects.create(
        researcher=team.researcher, weekday=0, start_time=dt.time(9), end_time=dt.time(12)
    )

    response = client_for(team.lead).post(VISITS, booking(fieldwork))

    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["scheduled_start"]
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 400)],
)
def test_only_the_lead_books(client_for, team, fieldwork, persona, status):
    response = client_for(getattr(team, persona)).post(VISITS, booking(fieldwork))

    assert response.status_code == status
    assert Visit.objects.count() == 1


def test_a_visit_shows_its_history(client_for, team, fieldwork):
    VisitChange.objects.create(
        visit=fieldwork.visit,
        kind=VisitChange.Kind.MOVED,
        actor=team.lead,
        from_start=at(8),
        from_end=at(9, 30),
        to_start=at(9),
        to_end=at(10, 30),
        from_researcher=team.researcher2,
        to_researcher=team.researcher,
        note="Traffic",
    )

    response = client_for(team.product).get(visit_url(fieldwork.visit))

    assert response.status_code == 200
    assert response.json()["history"] == [
        {
            "kind": "moved",
            "created_at": response.json()["history"][0]["created_at"],
            "actor": "lead",
            "from_status": "",
            "to_status": "",
            "from_start": "2027-01-12T08:00:00Z",
            "from_end": "2027-01-12T09:30:00Z",
            "to_start": "2027-01-12T09:00:00Z",
            "to_end": "2027-01-12T10:30:00Z",
            "from_researcher": "researcher2",
            "to_researcher": "researcher",
            "note": "Traffic",
        }
    ]


def test_the_lead_moves_and_reassigns_a_visit(client_for, team, fieldwork):
    response = client_for(team.lead).post(
        visit_url(fieldwork.visit, "reschedule/"),
        {"scheduled_start": "2027-01-14T11:00:00Z", "researcher": "researcher2", "note": "Swapped"},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["scheduled_start"], body["scheduled_end"], body["researcher"]) == (
        "2027-01-14T11:00:00Z",
        "2027-01-14T12:30:00Z",
        "researcher2",
    )
    [change] = body["history"]
    assert (change["kind"], change["from_researcher"], change["to_researcher"], change["note"]) == (
        "moved",
        "researcher",
        "researcher2",
        "Swapped",
    )


def test_moving_onto_another_visit_is_a_409_and_moves_nothing(client_for, team, fieldwork):
    VisitFactory(
        round=fieldwork.round,
        household=fieldwork.households[1],
        researcher=team.researcher2,
        scheduled_start=at(13),
    )

    response = client_for(team.lead).post(
        visit_url(fieldwork.visit, "reschedule/"),
        {"scheduled_start": "2027-01-12T13:30:00Z", "researcher": "researcher2"},
    )

    assert response.status_code == 409
    fieldwork.visit.refresh_from_db()
    assert (fieldwork.visit.scheduled_start, fieldwork.visit.researcher) == (at(9), team.researcher)
    assert not fieldwork.visit.changes.exists()


def test_a_reschedule_must_change_something(client_for, team, fieldwork):
    response = client_for(team.lead).post(visit_url(fieldwork.visit, "reschedule/"), {"note": "x"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"non_field_errors": ["Give a new scheduled_start, scheduled_end or researcher."]}
    }


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_only_the_lead_reschedules(client_for, team, fieldwork, persona, status):
    response = client_for(getattr(team, persona)).post(
        visit_url(fieldwork.visit, "reschedule/"), {"scheduled_start": "2027-01-14T11:00:00Z"}
    )

    assert response.status_code == status
    fieldwork.visit.refresh_from_db()
    assert fieldwork.visit.scheduled_start == at(9)


@pytest.mark.parametrize("persona", ["researcher", "lead"])
def test_the_visits_researcher_or_a_lead_starts_and_completes_it(
    client_for, team, fieldwork, persona
):
    client = client_for(getattr(team, persona))
    url = visit_url(fieldwork.visit, "transition/")

    started = client.post(url, {"status": "in_progress"})
    completed = client.post(url, {"status": "completed"})

    assert (started.status_code, completed.status_code) == (200, 200)
    assert [change["to_status"] for change in completed.json()["history"]] == [
        "in_progress",
        "completed",
    ]
    fieldwork.visit.refresh_from_db()
    assert fieldwork.visit.status == VisitStatus.COMPLETED
    assert fieldwork.visit.started_at is not None
    assert fieldwork.visit.finished_at is not None


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher2", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_nobody_else_changes_a_visits_status(client_for, team, fieldwork, persona, status):
    response = client_for(getattr(team, persona)).post(
        visit_url(fieldwork.visit, "transition/"), {"status": "cancelled"}
    )

    assert response.status_code == status
    fieldwork.visit.refresh_from_db()
    assert fieldwork.visit.status == VisitStatus.SCHEDULED


def test_a_transition_that_cannot_follow_is_a_409(client_for, team, fieldwork):
    response = client_for(team.researcher).post(
        visit_url(fieldwork.visit, "transition/"), {"status": "completed"}
    )

    assert response.status_code == 409
    assert response.json() == {"errors": {"status": ["A scheduled visit cannot become completed."]}}


def test_an_unknown_status_is_a_400(client_for, team, fieldwork):
    response = client_for(team.researcher).post(
        visit_url(fieldwork.visit, "transition/"), {"status": "teleported"}
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"status": ['"teleported" is not a valid choice.']}}
