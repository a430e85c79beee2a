"""Who sees which page, and what is on it. Writes are in test_forms.py."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from studies.common.roles import Role
from studies.scheduling import services
from studies.scheduling.models import StudyMembership
from tests.factories import UserFactory
from tests.frontend.conftest import SECRET_ADDRESS, SECRET_NAME, SECRET_PHONE, World


def page_urls(world: World) -> dict[str, str]:
    return {
        "home": reverse("frontend:home"),
        "study": reverse("frontend:study", args=[world.team.study.pk]),
        "round": reverse("frontend:round", args=[world.current_round.pk]),
        "visit": reverse("frontend:visit", args=[world.visit.pk]),
        "visit-edit": reverse("frontend:visit-edit", args=[world.visit.pk]),
        "calendar": reverse("frontend:calendar"),
    }


STUDY_PAGES = ["study", "round", "visit", "visit-edit"]


@pytest.mark.parametrize("name", ["home", "study", "round", "visit", "visit-edit", "calendar"])
def test_it_sends_anonymous_visitors_to_the_login_page(client, world, name):
    url = page_urls(world)[name]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", STUDY_PAGES)
def test_it_answers_404_to_someone_outside_the_study(client, world, name):
    client.force_login(world.team.outsider)

    response = client.get(page_urls(world)[name])

    assert response.status_code == 404
    assert world.team.study.title not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/studies/00000000-0000-0000-0000-000000000000/",
        "/rounds/00000000-0000-0000-0000-000000000000/",
        "/visits/00000000-0000-0000-0000-000000000000/",
        "/visits/not-a-uuid/",
    ],
)
def test_it_answers_404_for_objects_that_do_not_exist(client, world, url):
    client.force_login(world.team.lead)

    assert client.get(url).status_code == 404


def test_the_login_page_signs_people_in_and_out(client, world):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'autocomplete="username"' in response.content.decode()

    response = client.post(
        reverse("login"),
        {"username": "researcher", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:home")

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("frontend:home")).status_code == 302


def test_a_wrong_password_is_refused_on_the_form(client, world):
    response = client.post(reverse("login"), {"username": "researcher", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_lists_my_studies_with_role_and_next_round(client, world):
    client.force_login(world.team.researcher)

    response = client.get(reverse("frontend:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert world.team.study.title in html
    assert "Researcher" in html
    assert "Current round" in html
    assert world.current_round.label in html
    assert world.past_round.label not in html
    assert "Another study" not in html


def test_home_lists_my_visits_of_the_next_two_weeks_only(client, world):
    client.force_login(world.team.researcher)

    html = client.get(reverse("frontend:home")).content.decode()

    assert f"Visit to {world.visit.household.code}" in html
    # researcher2's visit and the researcher's own past visits are not theirs to do now.
    assert f"Visit to {world.other_visit.household.code}" not in html
    assert html.count("Visit to ") == 1


def test_home_shows_times_in_the_viewers_time_zone(client, world):
    viewer = world.team.researcher
    viewer.time_zone = "America/New_York"
    viewer.save(update_fields=["time_zone"])
    client.force_login(viewer)
    # The visit is at 10:00 in London; the offset to New York depends on the date.
    new_york = zoneinfo.ZoneInfo("America/New_York")
    start = world.visit.scheduled_start.astimezone(new_york)
    end = world.visit.scheduled_end.astimezone(new_york)

    html = client.get(reverse("frontend:home")).content.decode()

    assert "Times in America/New_York" in html
    assert f"{start:%H:%M}–{end:%H:%M}" in html
    assert start.hour != 10


def test_the_study_page_states_its_why_questions_team_and_rounds(client, world):
    client.force_login(world.team.product)

    html = client.get(page_urls(world)["study"]).content.decode()

    assert "Why this study exists" in html
    assert world.team.study.why in html
    assert html.index("Where does food go first?") < html.index("What gets thrown away?")
    for member in [world.team.lead, world.team.researcher, world.team.marketing]:
        assert str(member) in html
    assert "Research lead" in html
    # Rounds newest first, with visits done out of booked.
    assert html.index(world.current_round.label) < html.index(world.past_round.label)
    assert "0 of 2" in html
    assert "2 of 2" in html


@pytest.mark.parametrize("persona", ["product", "marketing"])
@pytest.mark.parametrize("name", ["study", "visit"])
def test_product_and_marketing_see_pseudonyms_but_no_personal_data(client, world, persona, name):
    client.force_login(getattr(world.team, persona))

    response = client.get(page_urls(world)[name])

    html = response.content.decode()
    assert response.status_code == 200
    assert world.households[0].code in html
    assert "region: north" in html
    for secret in [SECRET_NAME, SECRET_PHONE, SECRET_ADDRESS]:
        assert secret not in html


@pytest.mark.parametrize("persona", ["researcher", "lead"])
@pytest.mark.parametrize("name", ["study", "visit"])
def test_the_research_team_sees_names_addresses_and_phones(client, world, persona, name):
    client.force_login(getattr(world.team, persona))

    html = client.get(page_urls(world)[name]).content.decode()

    for secret in [SECRET_NAME, SECRET_PHONE, SECRET_ADDRESS]:
        assert secret in html


@pytest.mark.parametrize(("persona", "sees_button"), [("lead", True), ("researcher", False)])
def test_only_leads_get_the_plan_next_round_button(client, world, persona, sees_button):
    client.force_login(getattr(world.team, persona))

    html = client.get(page_urls(world)["study"]).content.decode()

    assert ("Plan next round now" in html) is sees_button


def test_once_the_next_round_is_planned_the_lead_is_told_instead(client, world):
    outcome = services.round_plan_next(study=world.team.study)
    client.force_login(world.team.lead)

    html = client.get(page_urls(world)["study"]).content.decode()

    assert "Plan next round now" not in html
    assert f"The next round, {outcome.round.label}, is planned." in html


def test_the_round_page_shows_the_ordered_guide_and_the_visits(client, world):
    world.team.marketing.time_zone = "Asia/Tokyo"
    world.team.marketing.save(update_fields=["time_zone"])
    client.force_login(world.team.marketing)

    html = client.get(page_urls(world)["round"]).content.decode()

    assert html.index("Walk me through a week.") < html.index("Show me your fridge.")
    assert world.visit.household.code in html
    assert world.other_visit.household.code in html
    assert str(world.team.researcher2) in html
    # Times are the study's, whoever looks: the visit was booked for 10:00 in London.
    assert "Times in Europe/London" in html
    assert "10:00</time>–11:30" in html
    assert "Move or reassign" not in html


def test_leads_can_move_visits_from_the_round_page(client, world):
    client.force_login(world.team.lead)

    html = client.get(page_urls(world)["round"]).content.decode()

    assert reverse("frontend:visit-edit", args=[world.visit.pk]) in html


def test_the_visit_page_shows_guide_history_and_the_researchers_buttons(client, world):
    client.force_login(world.team.researcher)

    html = client.get(page_urls(world)["visit"]).content.decode()

    assert "Walk me through a week." in html
    assert "Booked for" in html
    assert f"by {world.team.lead}" in html
    for label in ["Start visit", "Mark as no-show", "Cancel visit"]:
        assert label in html
    assert "Finish visit" not in html
    assert "Move or reassign" not in html


@pytest.mark.parametrize("persona", ["researcher2", "product"])
def test_people_who_do_not_run_the_visit_get_no_buttons(client, world, persona):
    client.force_login(getattr(world.team, persona))

    html = client.get(page_urls(world)["visit"]).content.decode()

    assert "Start visit" not in html
    assert reverse("frontend:visit-transition", args=[world.visit.pk]) not in html


@pytest.mark.parametrize("persona", ["researcher", "product"])
def test_the_visit_edit_page_is_for_leads_only(client, world, persona):
    client.force_login(getattr(world.team, persona))

    assert client.get(page_urls(world)["visit-edit"]).status_code == 403


def test_the_visit_edit_page_starts_from_the_current_booking(client, world):
    client.force_login(world.team.lead)

    response = client.get(page_urls(world)["visit-edit"])

    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial["start_time"] == dt.time(10, 0)
    assert form.initial["researcher"] == world.team.researcher.pk
    # Only people who may conduct visits are offered.
    offered = {user.username for user in form.fields["researcher"].queryset}
    assert offered == {"lead", "researcher", "researcher2"}


def test_the_calendar_page_shows_my_private_feed_link(client, world):
    client.force_login(world.team.researcher)

    response = client.get(page_urls(world)["calendar"])

    feed = world.team.researcher.calendar_feeds.get(revoked_at__isnull=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/calendar/{feed.token}.ics" in html
    assert "Copy link" in html
    assert "No hours set" in html


def test_the_navigation_offers_admin_to_staff_only(client, world):
    client.force_login(world.team.lead)
    assert "/admin/" not in client.get(reverse("frontend:home")).content.decode()

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert "/admin/" in client.get(reverse("frontend:home")).content.decode()


def test_a_member_who_left_the_study_loses_its_pages(client, world):
    StudyMembership.objects.filter(study=world.team.study, user=world.team.researcher).delete()
    client.force_login(world.team.researcher)

    assert client.get(page_urls(world)["visit"]).status_code == 404
    assert f"Visit to {world.visit.household.code}" not in client.get("/").content.decode()


def test_roles_reach_the_page_through_the_capability_table(client, world):
    StudyMembership.objects.filter(study=world.team.study, user=world.team.product).update(
        role=Role.RESEARCHER
    )
    client.force_login(world.team.product)

    assert SECRET_NAME in client.get(page_urls(world)["study"]).content.decode()
