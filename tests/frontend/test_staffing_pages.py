"""The staffing page: a lead's round by day, and every change refused with its message."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from studies.scheduling import services
from studies.scheduling.models import StudyMembership, StudyStatus, Visit, VisitStatus
from tests.factories import MembershipFactory, RoundFactory, StudyFactory
from tests.frontend.conftest import local

pytestmark = pytest.mark.django_db


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(world) -> str:
    return f"/studies/{world.team.study.pk}/staffing/"


def move(world, visit, day: dt.date, time: str, researcher) -> dict:
    prefix = f"v{visit.pk.hex}"
    return {
        f"{prefix}-date": day.isoformat(),
        f"{prefix}-start_time": time,
        f"{prefix}-researcher": str(researcher.pk),
        "round": str(world.current_round.pk),
    }


def test_the_lead_sees_the_round_by_day_with_who_visits_whom(world):
    response = client_as(world.team.lead).get(page_url(world))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Staff round NOW-1" in html
    assert world.households[0].code in html
    assert world.households[1].code in html
    assert "Visits to reassign" not in html
    # Households still to visit are offered; those booked are not.
    add_choices = response.context["add_form"].fields["household"].choices
    assert [label for _value, label in add_choices] == [h.code for h in world.households[2:]]
    assert [day.day for day in response.context["days"]] == sorted(
        {world.visit.scheduled_start.date(), world.other_visit.scheduled_start.date()}
    )


def test_times_show_in_the_viewers_zone_with_the_studys_beside(world):
    world.team.lead.time_zone = "America/New_York"
    world.team.lead.save()

    html = client_as(world.team.lead).get(page_url(world)).content.decode()

    assert "your time zone; the study's time (Europe/London) in brackets where" in html
    assert "05:00–06:30" in html  # 10:00 in London
    assert "(10:00–11:30)" in html


@pytest.mark.parametrize(
    ("persona", "code"), [("product", 403), ("researcher", 403), ("outsider", 404)]
)
def test_only_the_lead_sees_the_page(world, persona, code):
    response = client_as(getattr(world.team, persona)).get(page_url(world))
    assert response.status_code == code


def test_anonymous_people_are_sent_to_sign_in(world):
    response = Client().get(page_url(world))
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_a_study_with_no_round_planned_says_so_and_links_to_planning(team):
    response = client_as(team.lead).get(f"/studies/{team.study.pk}/staffing/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "No round is planned yet" in html
    assert f'href="/studies/{team.study.pk}/"' in html


def test_a_round_of_another_study_is_not_found(world):
    other = RoundFactory()
    response = client_as(world.team.lead).get(f"{page_url(world)}?round={other.pk}")
    assert response.status_code == 404


def test_moving_onto_a_booked_slot_is_a_409_with_the_message_by_the_field(world):
    visit, other = world.visit, world.other_visit
    day = other.scheduled_start.astimezone(zoneinfo.ZoneInfo("Europe/London")).date()
    data = move(world, visit, day, "14:30", world.team.researcher2)

    response = client_as(world.team.lead).post(f"{page_url(world)}visits/{visit.pk}/move/", data)

    assert response.status_code == 409
    form = next(row.form for d in response.context["days"] for row in d.rows if row.open)
    assert "already visiting" in form.errors["start_time"][0]
    assert Visit.objects.get(pk=visit.pk).scheduled_start == visit.scheduled_start


def test_moving_outside_the_window_is_a_400(world):
    data = move(
        world,
        world.visit,
        world.current_round.window_end + dt.timedelta(days=5),
        "10:00",
        world.team.researcher,
    )

    response = client_as(world.team.lead).post(
        f"{page_url(world)}visits/{world.visit.pk}/move/", data
    )

    assert response.status_code == 400
    assert "within the round" in response.content.decode()


def test_a_move_with_no_time_is_a_400_naming_the_field(world):
    data = move(world, world.visit, world.current_round.window_end, "", world.team.researcher)

    response = client_as(world.team.lead).post(
        f"{page_url(world)}visits/{world.visit.pk}/move/", data
    )

    assert response.status_code == 400
    form = next(row.form for d in response.context["days"] for row in d.rows if row.open)
    assert list(form.errors) == ["start_time"]


def test_a_good_move_redirects_back_to_the_round(world):
    day = world.visit.scheduled_start.date() + dt.timedelta(days=3)
    data = move(world, world.visit, day, "15:00", world.team.researcher2)

    response = client_as(world.team.lead).post(
        f"{page_url(world)}visits/{world.visit.pk}/move/", data
    )

    assert response.status_code == 302
    assert response.url == f"{page_url(world)}?round={world.current_round.pk}"
    moved = Visit.objects.get(pk=world.visit.pk)
    assert moved.researcher == world.team.researcher2
    assert moved.scheduled_start == local(day, 15, "Europe/London")


def test_skipping_cancels_and_offers_the_household_again(world):
    client = client_as(world.team.lead)

    response = client.post(
        f"{page_url(world)}visits/{world.visit.pk}/skip/", {"round": world.current_round.pk}
    )

    assert response.status_code == 302
    assert Visit.objects.get(pk=world.visit.pk).status == VisitStatus.CANCELLED
    page = client.get(response.url)
    assert "is skipped for this round" in page.content.decode()
    choices = [label for _v, label in page.context["add_form"].fields["household"].choices]
    assert world.households[0].code in choices


def test_adding_a_household_books_it(world):
    day = world.visit.scheduled_start.date()
    response = client_as(world.team.lead).post(
        f"{page_url(world)}add/",
        {
            "round": world.current_round.pk,
            "add-household": world.households[2].pk,
            "add-researcher": world.team.researcher2.pk,
            "add-date": day.isoformat(),
            "add-start_time": "15:00",
        },
    )

    assert response.status_code == 302
    visit = Visit.objects.get(round=world.current_round, household=world.households[2])
    assert visit.researcher == world.team.researcher2


def test_adding_onto_a_booked_researcher_is_a_409(world):
    day = world.visit.scheduled_start.date()
    response = client_as(world.team.lead).post(
        f"{page_url(world)}add/",
        {
            "round": world.current_round.pk,
            "add-household": world.households[2].pk,
            "add-researcher": world.team.researcher.pk,
            "add-date": day.isoformat(),
            "add-start_time": "10:30",
        },
    )

    assert response.status_code == 409
    assert "already visiting" in response.context["add_form"].errors["start_time"][0]
    assert not Visit.objects.filter(
        household=world.households[2], round=world.current_round
    ).exists()


def test_adding_a_booked_household_is_a_400(world):
    response = client_as(world.team.lead).post(
        f"{page_url(world)}add/",
        {
            "round": world.current_round.pk,
            "add-household": world.households[0].pk,
            "add-researcher": world.team.researcher2.pk,
            "add-date": world.visit.scheduled_start.date().isoformat(),
            "add-start_time": "15:00",
        },
    )
    assert response.status_code == 400
    assert "household" in response.context["add_form"].errors


def handover(world, to, first: dt.date, last: dt.date) -> dict:
    return {
        "round": world.current_round.pk,
        "handover-from_researcher": world.team.researcher.pk,
        "handover-to_researcher": to.pk,
        "handover-start_date": first.isoformat(),
        "handover-end_date": last.isoformat(),
    }


def test_a_handover_with_a_clash_is_a_409_listing_it_and_moves_nothing(world):
    # researcher2 is busy at the researcher's visit's time.
    services.visit_create(
        round_=world.current_round,
        household=world.households[3],
        researcher=world.team.researcher2,
        start=world.visit.scheduled_start,
        end=world.visit.scheduled_end,
        actor=world.team.lead,
    )
    day = world.visit.scheduled_start.date()

    response = client_as(world.team.lead).post(
        f"{page_url(world)}reassign/", handover(world, world.team.researcher2, day, day)
    )

    assert response.status_code == 409
    messages = response.context["reassign_form"].errors["to_researcher"]
    assert messages[0].startswith("No visit was moved: 1 visit cannot go to")
    assert messages[1].startswith(world.households[0].code)
    assert Visit.objects.get(pk=world.visit.pk).researcher == world.team.researcher


def test_a_handover_moves_the_visits(world):
    day = world.visit.scheduled_start.date()

    response = client_as(world.team.lead).post(
        f"{page_url(world)}reassign/", handover(world, world.team.researcher2, day, day)
    )

    assert response.status_code == 302
    assert Visit.objects.get(pk=world.visit.pk).researcher == world.team.researcher2


def test_a_backwards_handover_is_a_400_on_the_last_day(world):
    day = world.visit.scheduled_start.date()
    response = client_as(world.team.lead).post(
        f"{page_url(world)}reassign/",
        handover(world, world.team.researcher2, day, day - dt.timedelta(days=1)),
    )
    assert response.status_code == 400
    assert "end_date" in response.context["reassign_form"].errors


def test_a_removed_researchers_visits_are_listed_to_reassign(world):
    StudyMembership.objects.filter(study=world.team.study, user=world.team.researcher).delete()

    response = client_as(world.team.lead).get(page_url(world))

    assert response.status_code == 200
    assert "Visits to reassign" in response.content.decode()
    assert [row.visit for row in response.context["flagged"]] == [world.visit]
    # Its form is in the list to reassign, not twice on the page.
    day_rows = [row for d in response.context["days"] for row in d.rows]
    assert next(row for row in day_rows if row.visit == world.visit).form is None


def test_a_closed_study_shows_no_forms_and_refuses_changes(world):
    world.team.study.status = StudyStatus.CLOSED
    world.team.study.save()
    client = client_as(world.team.lead)

    page = client.get(page_url(world))
    assert "is closed" in page.content.decode()
    assert "Book the visit" not in page.content.decode()

    response = client.post(
        f"{page_url(world)}visits/{world.visit.pk}/skip/", {"round": world.current_round.pk}
    )
    assert response.status_code == 409
    assert Visit.objects.get(pk=world.visit.pk).status == VisitStatus.SCHEDULED


@pytest.mark.parametrize("persona", ["product", "researcher"])
def test_members_who_do_not_lead_change_nothing(world, persona):
    client = client_as(getattr(world.team, persona))

    skip = client.post(f"{page_url(world)}visits/{world.visit.pk}/skip/")
    hand = client.post(
        f"{page_url(world)}reassign/",
        handover(
            world,
            world.team.researcher2,
            world.current_round.window_start,
            world.current_round.window_end,
        ),
    )

    assert (skip.status_code, hand.status_code) == (403, 403)
    visit = Visit.objects.get(pk=world.visit.pk)
    assert (visit.status, visit.researcher) == (VisitStatus.SCHEDULED, world.team.researcher)


def test_a_visit_of_another_study_is_not_found_here(world):
    other_study = StudyFactory()
    MembershipFactory(study=other_study, user=world.team.lead, role="research_lead")
    response = client_as(world.team.lead).post(
        f"/studies/{other_study.pk}/staffing/visits/{world.visit.pk}/skip/"
    )
    assert response.status_code == 404


def test_the_page_costs_the_same_queries_however_many_visits(world):
    client = client_as(world.team.lead)
    with CaptureQueriesContext(connection) as two_visits:
        client.get(page_url(world))
    for index, household in enumerate(world.households[2:]):
        day = world.visit.scheduled_start.date() + dt.timedelta(days=3 + index)
        services.visit_create(
            round_=world.current_round,
            household=household,
            researcher=world.team.researcher2,
            start=local(day, 9, "Europe/London"),
            end=local(day, 10, "Europe/London"),
            actor=world.team.lead,
        )

    with CaptureQueriesContext(connection) as four_visits:
        client.get(page_url(world))

    assert len(four_visits) == len(two_visits)
