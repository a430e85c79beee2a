"""The field app's pages through Django's client, for what issue 13 added: the capture
screen's data for photos, tags and moving items, finishing through a confirmation,
reopening, one time format, and menus that follow roles."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from frontend.context_processors import hour_cycle, menu_for
from frontend.field import SHELL_FILES
from studies.fieldwork.models import Observation, Photo, PhotoStatus, PhotoTag, Tag
from studies.scheduling import services
from studies.scheduling.models import VisitStatus
from tests.factories import UserFactory
from tests.frontend.conftest import World
from tests.frontend.test_capture_pages import capture_url, client_for, island

pytestmark = pytest.mark.django_db


def finish_url(visit) -> str:
    return reverse("frontend:visit-finish", args=[visit.pk])


def start(world: World) -> None:
    services.visit_transition(
        visit=world.visit, actor=world.team.researcher, to_status=VisitStatus.IN_PROGRESS
    )


def finish(world: World) -> None:
    services.visit_transition(
        visit=world.visit, actor=world.team.researcher, to_status=VisitStatus.COMPLETED
    )
    world.visit.refresh_from_db()


# --- The capture screen's data --------------------------------------------------------------


def test_the_island_carries_what_scaling_moving_and_times_need(world):
    study = world.team.study
    study.send_original_photos = True
    study.save()

    data = island(client_for(world.team.researcher).get(capture_url(world.visit)))

    assert data["time_zone"] == study.time_zone
    assert data["send_original_photos"] is True
    assert data["bundle"] == "/api/v1/me/offline-bundle/?days=3"
    assert dt.datetime.fromisoformat(data["rendered_at"]) <= timezone.now()
    guide = list(world.current_round.guide.asked())
    assert data["guide"] == [
        {"id": str(question.pk), "key": str(question.key), "text": question.text}
        for question in guide
    ]


def test_the_island_carries_each_photos_tags_caption_item_and_thumbnail(world):
    note = Observation.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        kind="note",
        text="Jars on the top shelf",
        captured_at=world.visit.scheduled_start,
    )
    photo = Photo.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        observation=note,
        caption="Top shelf",
        captured_at=world.visit.scheduled_start,
        status=PhotoStatus.READY,
    )
    jars = Tag.objects.create(study=world.team.study, name="jars")
    PhotoTag.objects.create(photo=photo, tag=jars)
    Photo.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        captured_at=world.visit.scheduled_start + dt.timedelta(minutes=1),
    )

    data = island(client_for(world.team.researcher).get(capture_url(world.visit)))

    ready, pending = data["photos"]
    assert ready == {
        "id": str(photo.pk),
        "device_id": str(photo.device_id),
        "caption": "Top shelf",
        "tags": ["jars"],
        "observation": str(note.device_id),
        "status": "ready",
        "failure_reason": "",
        "thumb": reverse(
            "photo-file", kwargs={"photo_id": photo.pk, "rendition": "thumb", "extension": "webp"}
        ),
        "captured_at": photo.captured_at.isoformat(),
        "edited_at": photo.captured_at.isoformat(),
        "mine": True,
    }
    assert (pending["observation"], pending["thumb"], pending["tags"]) == (None, "", [])


def test_a_deleted_photo_is_not_on_the_capture_screen(world):
    Photo.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        captured_at=world.visit.scheduled_start,
        deleted_at=timezone.now(),
    )

    data = island(client_for(world.team.researcher).get(capture_url(world.visit)))

    assert data["photos"] == []


def test_the_capture_screen_has_the_photo_tags_the_item_picker_and_the_move_dialog(world):
    html = client_for(world.team.researcher).get(capture_url(world.visit)).content.decode()

    assert html.count("data-tag-picker") == 3  # notes, new photos, the photo edit dialog
    assert 'id="photo-goes-with"' in html
    assert "data-photo-dialog" in html
    assert "data-move-dialog" in html
    assert "data-upload-progress" in html


# --- Finishing: a confirmation first ---------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 200), ("lead", 200), ("researcher2", 403), ("sales", 403), ("outsider", 404)],
)
def test_the_finish_confirmation_is_for_who_may_conduct_the_visit(world, persona, status):
    start(world)

    response = client_for(getattr(world.team, persona)).get(finish_url(world.visit))

    assert response.status_code == status


def test_the_finish_confirmation_says_what_finishing_means_and_offers_to_keep_capturing(world):
    start(world)

    response = client_for(world.team.researcher).get(finish_url(world.visit) + "?return_to=capture")

    html = response.content.decode()
    assert "nothing more can be captured, changed or deleted" in html
    assert "You can reopen it within 24 hours" in html
    assert 'name="to_status" value="completed"' in html
    assert '<input type="hidden" name="return_to" value="capture">' in html
    assert f'href="{capture_url(world.visit)}">Keep capturing</a>' in html
    # The phone fills in how many of this visit's items wait on it.
    assert f'data-waiting data-visit="{world.visit.pk}"' in html
    world.visit.refresh_from_db()
    assert world.visit.status == VisitStatus.IN_PROGRESS


def test_a_lead_is_told_she_can_reopen_at_any_time(world):
    start(world)

    html = client_for(world.team.lead).get(finish_url(world.visit)).content.decode()

    assert "As a research lead you can reopen it at any time." in html


def test_a_visit_that_has_not_started_has_nothing_to_finish(world):
    html = client_for(world.team.researcher).get(finish_url(world.visit)).content.decode()

    assert "This visit has not started yet" in html
    assert 'value="completed"' not in html


def test_an_unknown_return_target_on_the_confirmation_goes_to_the_visit_page(world):
    start(world)

    html = (
        client_for(world.team.researcher)
        .get(finish_url(world.visit) + "?return_to=https://evil.example/")
        .content.decode()
    )

    assert '<input type="hidden" name="return_to" value="visit">' in html


def test_confirming_finishes_the_visit_and_comes_back_to_the_closed_capture_screen(world):
    start(world)
    client = client_for(world.team.researcher)

    response = client.post(
        reverse("frontend:visit-transition", args=[world.visit.pk]),
        {"to_status": "completed", "return_to": "capture"},
    )

    assert response["Location"] == capture_url(world.visit)
    world.visit.refresh_from_db()
    assert world.visit.status == VisitStatus.COMPLETED
    data = island(client.get(capture_url(world.visit)))
    assert data["closed"] is True


# --- Reopening a visit finished by mistake ---------------------------------------------------


def test_the_researcher_may_reopen_her_visit_within_a_day_of_finishing(world):
    start(world)
    finish(world)
    client = client_for(world.team.researcher)
    finished_at = timezone.localtime(world.visit.finished_at.replace(microsecond=0))

    with time_machine.travel(finished_at + dt.timedelta(hours=23), tick=False):
        within = client.get(capture_url(world.visit)).content.decode()
    with time_machine.travel(finished_at + dt.timedelta(hours=25), tick=False):
        after = client.get(capture_url(world.visit)).content.decode()

    assert "Reopen visit" in within
    assert "You can reopen it until" in within
    assert "Reopen visit" not in after
    assert "This visit is closed" in after


def test_a_lead_may_reopen_any_time(world):
    start(world)
    finish(world)

    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        html = client_for(world.team.lead).get(capture_url(world.visit)).content.decode()

    assert "Reopen visit" in html
    assert "As a research lead you can reopen it at any time." in html


def test_reopening_from_the_capture_screen_opens_it_again(world):
    start(world)
    finish(world)
    client = client_for(world.team.researcher)

    response = client.post(
        reverse("frontend:visit-transition", args=[world.visit.pk]),
        {"to_status": "in_progress", "return_to": "capture"},
    )

    assert response["Location"] == capture_url(world.visit)
    world.visit.refresh_from_db()
    assert (world.visit.status, world.visit.finished_at) == (VisitStatus.IN_PROGRESS, None)
    assert island(client.get(capture_url(world.visit)))["closed"] is False


def test_a_cancelled_visit_offers_no_reopening(world):
    services.visit_transition(
        visit=world.visit, actor=world.team.lead, to_status=VisitStatus.CANCELLED
    )

    html = client_for(world.team.researcher).get(capture_url(world.visit)).content.decode()

    assert "This visit is closed" in html
    assert "Reopen visit" not in html


# --- One time format ------------------------------------------------------------------------


def test_times_are_on_the_24_hour_clock_and_pages_tell_scripts_so(world):
    html = client_for(world.team.researcher).get(capture_url(world.visit)).content.decode()

    assert formats.time_format(dt.time(14, 50)) == "14:50"
    assert formats.date_format(
        dt.datetime(2027, 3, 4, 14, 50, tzinfo=dt.UTC), "DATETIME_FORMAT"
    ).endswith("14:50")
    assert hour_cycle() == "h23"
    assert '<html lang="en" data-hour-cycle="h23"' in html


@pytest.fixture
def django_own_formats(settings):
    # Django's formats are cached; FORMAT_MODULE_PATH is not among those a setting change
    # clears by itself. Cleared again before the setting comes back, so it reloads then.
    settings.FORMAT_MODULE_PATH = None
    formats.reset_format_cache()
    yield
    formats.reset_format_cache()


def test_a_12_hour_time_format_gives_scripts_the_12_hour_cycle(django_own_formats):
    # Django's own English formats say "2:50 p.m.".
    assert formats.time_format(dt.time(14, 50)) == "2:50 p.m."
    assert hour_cycle() == "h12"


# --- Menus by role ---------------------------------------------------------------------------


def menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize(
    ("persona", "field"),
    [
        ("lead", True),
        ("researcher", True),
        ("product", False),
        ("marketing", False),
        ("sales", False),
    ],
)
def test_today_and_calendar_are_in_the_menu_of_who_conducts_visits_only(world, persona, field):
    html = client_for(getattr(world.team, persona)).get(reverse("frontend:home")).content.decode()

    links = menu_links(html)
    assert ("Today" in links, "Calendar" in links) == (field, field)
    assert {"Home", "Product board", "Quote bank", "Search", "API tokens"} <= set(links)
    # Log out sits outside the menu, which scrolls sideways on a phone.
    assert "Log out" not in re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    assert 'class="site-account" data-logout' in html
    # The home page lists one's own visits only for who conducts them.
    assert ("My visits in the next 14 days" in html) is field


def test_a_superuser_acts_as_a_lead_in_the_menu(world):
    admin = UserFactory(is_superuser=True, is_staff=True)

    html = client_for(admin).get(reverse("frontend:home")).content.decode()

    assert {"Today", "Calendar", "Admin"} <= set(menu_links(html))


def test_the_menu_costs_one_query_per_request_at_most(world):
    request = RequestFactory().get("/")
    request.user = world.team.sales

    with CaptureQueriesContext(connection) as queries:
        # The studies where the user conducts visits: one EXISTS, asked once per request.
        first = menu_for(request)
        second = menu_for(request)

    assert len(queries) == 1
    assert first is second
    assert first.field is False


def test_the_logout_warning_is_on_every_signed_in_page(world):
    html = client_for(world.team.product).get(reverse("frontend:home")).content.decode()

    assert "data-logout-warning" in html
    assert (
        "{n} items are still waiting to sync. They stay on this phone and are sent when you "
        "sign in again." in html
    )
    assert f'data-user="{world.team.product.pk}"' in html


# --- Offline: every module the field pages load is in the worker's shell --------------------


def imported_modules(name: str, seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    if name in seen:
        return seen
    seen.add(name)
    source = Path(finders.find(name)).read_text()
    # Static imports and the ones loaded on first use (import("./…")).
    for imported in re.findall(r'(?:from |import\()"\./([^"]+)"', source):
        imported_modules(f"frontend/js/{imported}", seen)
    return seen


@pytest.mark.parametrize("page", ["capture.js", "today.js", "logout.js", "register.js"])
def test_every_module_a_field_page_loads_is_kept_offline(page):
    assert imported_modules(f"frontend/js/{page}") <= set(SHELL_FILES)
