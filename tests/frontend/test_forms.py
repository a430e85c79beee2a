"""The pages' writes: success, refusal with a message and a 4xx, and nothing changed."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from studies.scheduling import services
from studies.scheduling.models import Availability, CalendarFeed, Round, Visit, VisitChange
from tests.frontend.conftest import World, local

LONDON = "Europe/London"


def edit_url(visit: Visit) -> str:
    return reverse("frontend:visit-edit", args=[visit.pk])


def booking(world: World, day: dt.date, at: str, researcher=None) -> dict[str, str]:
    return {
        "date": day.isoformat(),
        "start_time": at,
        "researcher": str((researcher or world.team.researcher).pk),
        "note": "Family asked for a later slot.",
    }


def snapshot(visit: Visit) -> tuple:
    visit.refresh_from_db()
    return (visit.scheduled_start, visit.scheduled_end, visit.researcher_id, visit.status)


# --- Plan next round now ---------------------------------------------------------------


def test_a_lead_plans_the_next_round_and_lands_on_it(client, world):
    client.force_login(world.team.lead)

    response = client.post(reverse("frontend:study-plan-next", args=[world.team.study.pk]))

    planned = Round.objects.exclude(pk__in=[world.past_round.pk, world.current_round.pk]).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:round", args=[planned.pk])
    assert planned.visits.count() == len(world.households)
    # The guide comes from the latest round.
    assert list(planned.guide.values_list("text", flat=True)) == [
        "Walk me through a week.",
        "Show me your fridge.",
    ]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Round {planned.label} is planned with 4 visits."
    ]


def test_planning_the_same_round_twice_is_refused_with_a_message(client, world):
    client.force_login(world.team.lead)
    url = reverse("frontend:study-plan-next", args=[world.team.study.pk])
    client.post(url)
    rounds_before = Round.objects.count()
    visits_before = Visit.objects.count()

    response = client.post(url)

    assert response.status_code == 409
    assert "is already planned." in response.content.decode()
    assert Round.objects.count() == rounds_before
    assert Visit.objects.count() == visits_before


def test_a_closed_study_gets_no_new_round(client, world):
    services.study_update(study=world.team.study, status="closed")
    client.force_login(world.team.lead)

    response = client.post(reverse("frontend:study-plan-next", args=[world.team.study.pk]))

    assert response.status_code == 409
    assert "is closed: its data stays, and nothing in it changes." in response.content.decode()
    assert Round.objects.count() == 2


@pytest.mark.parametrize(("persona", "status"), [("researcher", 403), ("outsider", 404)])
def test_only_leads_may_plan_a_round(client, world, persona, status):
    client.force_login(getattr(world.team, persona))

    response = client.post(reverse("frontend:study-plan-next", args=[world.team.study.pk]))

    assert response.status_code == status
    assert Round.objects.count() == 2


def test_planning_is_post_only(client, world):
    client.force_login(world.team.lead)

    response = client.get(reverse("frontend:study-plan-next", args=[world.team.study.pk]))

    assert response.status_code == 405
    assert Round.objects.count() == 2


# --- Move and reassign a visit -----------------------------------------------------------


def test_a_lead_moves_and_reassigns_a_visit(client, world):
    client.force_login(world.team.lead)
    day = world.visit.scheduled_start.date() + dt.timedelta(days=3)

    response = client.post(
        edit_url(world.visit), booking(world, day, "15:30", researcher=world.team.researcher2)
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:round", args=[world.current_round.pk])
    start, end, researcher_id, _status = snapshot(world.visit)
    # Typed in the study's zone, kept for the same 90 minutes.
    assert start == local(day, 15, LONDON) + dt.timedelta(minutes=30)
    assert end - start == dt.timedelta(minutes=90)
    assert researcher_id == world.team.researcher2.pk
    change = world.visit.changes.get(kind=VisitChange.Kind.MOVED)
    assert change.note == "Family asked for a later slot."
    assert change.from_researcher == world.team.researcher


def test_moving_onto_another_visit_of_the_same_researcher_is_refused(client, world):
    client.force_login(world.team.lead)
    other_start = world.other_visit.scheduled_start.astimezone(zoneinfo.ZoneInfo(LONDON))
    before = snapshot(world.visit)
    typed = booking(world, other_start.date(), "14:30", researcher=world.team.researcher2)

    response = client.post(edit_url(world.visit), typed)

    html = response.content.decode()
    assert response.status_code == 409
    # Shown next to the start time, naming the clash, in the list the input points at.
    errors = response.context["form"].errors
    assert list(errors) == ["start_time"]
    assert world.other_visit.household.code in errors["start_time"][0]
    assert 'id="id_start_time_error"' in html
    assert 'aria-invalid="true"' in html
    # What was typed is still there.
    assert f'value="{other_start.date().isoformat()}"' in html
    assert 'value="14:30"' in html
    assert "Family asked for a later slot." in html
    assert snapshot(world.visit) == before
    assert not world.visit.changes.filter(kind=VisitChange.Kind.MOVED).exists()


def test_moving_outside_the_rounds_window_is_refused(client, world):
    client.force_login(world.team.lead)
    before = snapshot(world.visit)
    late = world.current_round.window_end + dt.timedelta(days=1)

    response = client.post(edit_url(world.visit), booking(world, late, "10:00"))

    assert response.status_code == 400
    assert "within the round&#x27;s window" in response.content.decode()
    assert "start_time" in response.context["form"].errors
    assert snapshot(world.visit) == before


def test_moving_outside_the_researchers_availability_is_refused(client, world):
    services.availability_set(
        researcher=world.team.researcher,
        windows=[(weekday, dt.time(9), dt.time(12)) for weekday in range(7)],
    )
    client.force_login(world.team.lead)
    before = snapshot(world.visit)

    response = client.post(
        edit_url(world.visit), booking(world, world.visit.scheduled_start.date(), "16:00")
    )

    assert response.status_code == 409
    assert "is not available at that time." in response.content.decode()
    assert snapshot(world.visit) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("date", "31/02/2027"), ("start_time", "25:99"), ("researcher", "999999"), ("date", "")],
)
def test_malformed_input_is_refused_next_to_its_field(client, world, field, value):
    client.force_login(world.team.lead)
    before = snapshot(world.visit)
    typed = booking(world, world.visit.scheduled_start.date(), "11:00")
    typed[field] = value

    response = client.post(edit_url(world.visit), typed)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert snapshot(world.visit) == before


def test_a_product_member_cannot_be_given_a_visit(client, world):
    client.force_login(world.team.lead)
    before = snapshot(world.visit)
    typed = booking(world, world.visit.scheduled_start.date(), "11:00", world.team.product)

    response = client.post(edit_url(world.visit), typed)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["researcher"]
    assert snapshot(world.visit) == before


def test_a_started_visit_cannot_be_moved(client, world):
    services.visit_transition(
        visit=world.visit, actor=world.team.researcher, to_status="in_progress"
    )
    client.force_login(world.team.lead)

    response = client.post(
        edit_url(world.visit), booking(world, world.visit.scheduled_start.date(), "15:00")
    )

    assert response.status_code == 409
    assert "Only a scheduled visit can be moved" in response.content.decode()
    assert world.visit.changes.filter(kind=VisitChange.Kind.MOVED).count() == 0


def test_a_researcher_cannot_move_their_own_visit(client, world):
    client.force_login(world.team.researcher)
    before = snapshot(world.visit)

    response = client.post(
        edit_url(world.visit), booking(world, world.visit.scheduled_start.date(), "15:00")
    )

    assert response.status_code == 403
    assert snapshot(world.visit) == before


# --- Start, finish, cancel ---------------------------------------------------------------


def transition(client, visit: Visit, to_status: str):
    return client.post(
        reverse("frontend:visit-transition", args=[visit.pk]), {"to_status": to_status}
    )


def test_the_researcher_starts_and_finishes_their_visit(client, world):
    client.force_login(world.team.researcher)

    started = transition(client, world.visit, "in_progress")
    finished = transition(client, world.visit, "completed")

    assert started.status_code == finished.status_code == 302
    assert finished["Location"] == reverse("frontend:visit", args=[world.visit.pk])
    world.visit.refresh_from_db()
    assert world.visit.status == "completed"
    assert world.visit.started_at is not None
    assert world.visit.finished_at is not None
    assert list(
        world.visit.changes.filter(kind=VisitChange.Kind.STATUS).values_list(
            "from_status", "to_status", "actor__username"
        )
    ) == [("scheduled", "in_progress", "researcher"), ("in_progress", "completed", "researcher")]


def test_a_lead_may_mark_anyones_visit_a_no_show(client, world):
    client.force_login(world.team.lead)

    response = transition(client, world.other_visit, "no_show")

    assert response.status_code == 302
    world.other_visit.refresh_from_db()
    assert world.other_visit.status == "no_show"


def test_a_transition_the_status_does_not_allow_is_refused_on_the_page(client, world):
    client.force_login(world.team.researcher)

    response = transition(client, world.visit, "completed")

    assert response.status_code == 409
    assert "A scheduled visit cannot become completed." in response.content.decode()
    world.visit.refresh_from_db()
    assert world.visit.status == "scheduled"


@pytest.mark.parametrize("to_status", ["", "teleported"])
def test_an_unknown_status_is_refused(client, world, to_status):
    client.force_login(world.team.researcher)

    response = transition(client, world.visit, to_status)

    assert response.status_code == 400
    world.visit.refresh_from_db()
    assert world.visit.status == "scheduled"


@pytest.mark.parametrize(
    ("persona", "status"), [("researcher2", 403), ("product", 403), ("outsider", 404)]
)
def test_only_the_visits_researcher_or_a_lead_may_change_its_status(client, world, persona, status):
    client.force_login(getattr(world.team, persona))

    response = transition(client, world.visit, "in_progress")

    assert response.status_code == status
    world.visit.refresh_from_db()
    assert world.visit.status == "scheduled"


# --- Calendar link and availability ------------------------------------------------------


def test_revoking_the_calendar_link_issues_a_new_one(client, world):
    client.force_login(world.team.researcher)
    client.get(reverse("frontend:calendar"))
    old = CalendarFeed.objects.get(researcher=world.team.researcher)

    response = client.post(reverse("frontend:calendar-renew"))

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = CalendarFeed.objects.get(researcher=world.team.researcher, revoked_at__isnull=True)
    assert new.token != old.token
    page = client.get(reverse("frontend:calendar")).content.decode()
    assert new.token in page
    assert old.token not in page
    assert client.get(f"/calendar/{old.token}.ics").status_code == 404


def availability_post(rows: list[tuple[str, str, str, str]], initial: int = 0) -> dict[str, str]:
    data = {
        "windows-TOTAL_FORMS": str(len(rows)),
        "windows-INITIAL_FORMS": str(initial),
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "21",
    }
    for index, (weekday, start, end, remove) in enumerate(rows):
        data[f"windows-{index}-weekday"] = weekday
        data[f"windows-{index}-start_time"] = start
        data[f"windows-{index}-end_time"] = end
        if remove:
            data[f"windows-{index}-remove"] = "on"
    return data


def windows_of(user) -> list[tuple[int, dt.time, dt.time]]:
    return list(
        Availability.objects.filter(researcher=user)
        .order_by("weekday", "start_time")
        .values_list("weekday", "start_time", "end_time")
    )


def test_a_researcher_sets_their_weekly_hours(client, world):
    client.force_login(world.team.researcher)

    response = client.post(
        reverse("frontend:availability"),
        availability_post(
            [("0", "09:00", "13:00", ""), ("3", "14:00", "18:30", ""), ("", "", "", "")]
        ),
    )

    assert response.status_code == 302
    assert windows_of(world.team.researcher) == [
        (0, dt.time(9), dt.time(13)),
        (3, dt.time(14), dt.time(18, 30)),
    ]
    html = client.get(reverse("frontend:calendar")).content.decode()
    assert "Thursday</strong> 14:00–18:30" in html


def test_removing_every_window_means_any_working_hour(client, world):
    services.availability_set(
        researcher=world.team.researcher, windows=[(1, dt.time(9), dt.time(12))]
    )
    client.force_login(world.team.researcher)

    response = client.post(
        reverse("frontend:availability"), availability_post([("1", "09:00", "12:00", "on")], 1)
    )

    assert response.status_code == 302
    assert windows_of(world.team.researcher) == []


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (("2", "17:00", "09:00", ""), "end_time", "The window must end after it starts."),
        (("2", "09:00", "", ""), "end_time", "Fill in the day, start and end"),
        (("9", "09:00", "12:00", ""), "weekday", "Select a valid choice."),
        (("2", "nine", "12:00", ""), "start_time", "Enter a valid time."),
    ],
)
def test_a_bad_window_is_refused_next_to_its_field(client, world, row, field, message):
    services.availability_set(
        researcher=world.team.researcher, windows=[(1, dt.time(9), dt.time(12))]
    )
    client.force_login(world.team.researcher)

    response = client.post(
        reverse("frontend:availability"), availability_post([("0", "09:00", "12:00", ""), row])
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(response.context["formset"].forms[1].errors) == [field]
    assert windows_of(world.team.researcher) == [(1, dt.time(9), dt.time(12))]


def test_a_broken_management_form_is_a_400_not_a_500(client, world):
    client.force_login(world.team.researcher)

    response = client.post(reverse("frontend:availability"), {"windows-TOTAL_FORMS": "x"})

    assert response.status_code == 400
    assert windows_of(world.team.researcher) == []
