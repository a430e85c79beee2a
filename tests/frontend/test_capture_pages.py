"""The field app's pages through Django's client: Today, the capture screen, the manifest
and the service worker. What these pages hold ends up on the phone, so no names."""

import gzip
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frontend.field import SHELL_FILES
from studies.common.models import AuditAction, AuditEvent
from studies.fieldwork.models import Observation, Photo, Tag, TagGroup
from studies.scheduling import services
from studies.scheduling.models import VisitStatus
from tests.frontend.conftest import SECRET_ADDRESS, SECRET_NAME, SECRET_PHONE, World

pytestmark = pytest.mark.django_db

SECRET_EMAIL = "prudence@example.org"
# The budget for the capture screen's first load (HTML, CSS, JS; gzip).
FIRST_LOAD_BUDGET_BYTES = 50 * 1024


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def capture_url(visit) -> str:
    return reverse("frontend:visit-capture", args=[visit.pk])


def island(response) -> dict:
    match = re.search(
        r'<script id="capture-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the capture page carries its data island"
    return json.loads(match.group(1))


@pytest.fixture
def secret_email(world: World) -> str:
    contact = world.households[0].contact
    contact.email = SECRET_EMAIL
    contact.save()
    return SECRET_EMAIL


# --- Today ---------------------------------------------------------------------------------


def test_today_lists_my_visits_with_code_segment_address_phone_and_no_name(world, secret_email):
    response = client_for(world.team.researcher).get(reverse("frontend:today"))

    assert response.status_code == 200
    html = response.content.decode()
    assert world.visit.household.code in html
    assert SECRET_ADDRESS in html
    # The number to ring at the door, as a link that dials it.
    assert f'href="tel:{SECRET_PHONE.replace(" ", "")}"' in html
    assert capture_url(world.visit) in html
    # researcher2's visit is not mine
    assert world.other_visit.household.code not in html
    for secret in (SECRET_NAME, secret_email):
        assert secret not in html


def test_today_lists_exactly_the_visits_of_the_offline_bundle(world):
    client = client_for(world.team.researcher)

    html = client.get(reverse("frontend:today")).content.decode()
    bundle = client.get("/api/v1/me/offline-bundle/?days=3").json()

    listed = re.findall(r'href="/visits/([0-9a-f-]{36})/capture/"', html)
    assert listed == [visit["id"] for visit in bundle["visits"]] == [str(world.visit.pk)]


def test_today_shows_no_contact_once_the_household_left_the_panel(world):
    world.households[0].enrolments.update(left_at=timezone.now())

    html = client_for(world.team.researcher).get(reverse("frontend:today")).content.decode()

    assert world.visit.household.code in html
    for secret in (SECRET_ADDRESS, SECRET_PHONE):
        assert secret not in html


def test_today_asks_anonymous_people_to_sign_in(client):
    response = client.get(reverse("frontend:today"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_today_is_empty_for_a_marketer(world):
    response = client_for(world.team.marketing).get(reverse("frontend:today"))

    assert response.status_code == 200
    assert world.visit.household.code not in response.content.decode()


def test_the_navigation_links_to_today(world):
    response = client_for(world.team.researcher).get(reverse("frontend:home"))

    assert f'href="{reverse("frontend:today")}"' in response.content.decode()


def test_the_visit_page_links_its_researcher_to_the_capture_screen(world):
    own = client_for(world.team.researcher).get(reverse("frontend:visit", args=[world.visit.pk]))
    product = client_for(world.team.product).get(reverse("frontend:visit", args=[world.visit.pk]))

    assert capture_url(world.visit) in own.content.decode()
    assert capture_url(world.visit) not in product.content.decode()


# --- The capture screen: who may open it ---------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 200), ("lead", 200), ("researcher2", 403), ("product", 403), ("outsider", 404)],
)
def test_the_capture_screen_is_for_the_visits_researcher_and_leads(world, persona, status):
    response = client_for(getattr(world.team, persona)).get(capture_url(world.visit))

    assert response.status_code == status


def test_the_capture_screen_asks_anonymous_people_to_sign_in(client, world):
    response = client.get(capture_url(world.visit))

    assert response.status_code == 302


def test_a_capture_screen_for_a_missing_visit_is_not_found(world):
    response = client_for(world.team.researcher).get(
        "/visits/00000000-0000-0000-0000-000000000000/capture/"
    )

    assert response.status_code == 404


# --- The capture screen: what it holds ------------------------------------------------------


def test_the_capture_screen_shows_code_segment_address_and_never_the_name(world, secret_email):
    household = world.visit.household
    household.segment = {"household size": "4"}
    household.save()

    response = client_for(world.team.researcher).get(capture_url(world.visit))

    html = response.content.decode()
    assert household.code in html
    assert "household size: 4" in html
    assert SECRET_ADDRESS in html
    assert f'<a href="tel:{SECRET_PHONE.replace(" ", "")}">{SECRET_PHONE}</a>' in html
    for secret in (SECRET_NAME, secret_email):
        assert secret not in html


def test_showing_the_address_and_phone_is_audited(world):
    client_for(world.team.researcher).get(capture_url(world.visit))

    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert event.actor == world.team.researcher
    assert event.detail == {"households": [world.visit.household.code], "where": "capture page"}


def test_the_capture_screen_carries_the_guide_tags_and_received_items(world):
    study = world.team.study
    Tag.objects.create(study=study, name="zzz-plain")
    Tag.objects.create(study=study, name="storage", group=TagGroup.PAIN_POINT)
    used = Tag.objects.create(study=study, name="yyy-used")
    observation = Observation.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        kind="quote",
        text="We keep the milk in the door.",
        speaker="mother, 40s",
        captured_at=world.visit.scheduled_start,
    )
    observation.tags.add(used)

    data = island(client_for(world.team.researcher).get(capture_url(world.visit)))

    assert data["visit"] == str(world.visit.pk)
    assert data["user"] == str(world.team.researcher.pk)
    assert data["closed"] is False
    assert [question["text"] for question in data["guide"]] == [
        "Walk me through a week.",
        "Show me your fridge.",
    ]
    # Recently used by me first, then the suggested (grouped) ones, then the rest.
    assert [tag["name"] for tag in data["tags"]] == ["yyy-used", "storage", "zzz-plain"]
    assert data["observations"] == [
        {
            "device_id": str(observation.device_id),
            "kind": "quote",
            "text": "We keep the milk in the door.",
            "speaker": "mother, 40s",
            "guide_question": None,
            "tags": ["yyy-used"],
            "captured_at": observation.captured_at.isoformat(),
            "edited_at": observation.captured_at.isoformat(),
            "mine": True,
        }
    ]


def test_deleted_observations_are_not_on_the_capture_screen(world):
    Observation.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        kind="note",
        text="Gone",
        captured_at=world.visit.scheduled_start,
        deleted_at=world.visit.scheduled_start,
    )

    data = island(client_for(world.team.researcher).get(capture_url(world.visit)))

    assert data["observations"] == []


def test_a_leads_view_marks_the_researchers_items_as_not_mine(world):
    Observation.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        kind="note",
        text="Fridge door",
        captured_at=world.visit.scheduled_start,
    )
    Photo.objects.create(
        visit=world.visit, author=world.team.researcher, captured_at=world.visit.scheduled_start
    )

    data = island(client_for(world.team.lead).get(capture_url(world.visit)))

    assert [item["mine"] for item in data["observations"]] == [False]
    assert [photo["mine"] for photo in data["photos"]] == [False]


def finish_url(visit) -> str:
    return reverse("frontend:visit-finish", args=[visit.pk]) + "?return_to=capture"


def test_a_scheduled_visit_offers_start_at_the_top_and_finish_at_the_end(world):
    client = client_for(world.team.researcher)
    html = client.get(capture_url(world.visit)).content.decode()

    assert 'value="in_progress"' in html
    # Finishing is a step of its own (a confirmation), below the items: never a button
    # where "Start visit" just was.
    assert 'value="completed"' not in html
    assert (
        html.index('value="in_progress"')
        < html.index("data-items")
        < html.index(finish_url(world.visit))
    )


def test_an_in_progress_visit_offers_finish_through_its_confirmation(world):
    services.visit_transition(
        visit=world.visit, actor=world.team.researcher, to_status=VisitStatus.IN_PROGRESS
    )

    html = client_for(world.team.researcher).get(capture_url(world.visit)).content.decode()

    assert 'value="in_progress"' not in html
    assert 'value="completed"' not in html
    assert f'href="{finish_url(world.visit)}"' in html
    assert "data-capture-form" in html


def test_a_closed_visit_shows_its_items_but_no_capture_form(world):
    services.visit_transition(
        visit=world.visit, actor=world.team.researcher, to_status=VisitStatus.IN_PROGRESS
    )
    services.visit_transition(
        visit=world.visit, actor=world.team.researcher, to_status=VisitStatus.COMPLETED
    )

    response = client_for(world.team.researcher).get(capture_url(world.visit))

    html = response.content.decode()
    assert island(response)["closed"] is True
    assert "data-capture-form" not in html
    assert "data-photo-input" not in html
    assert "This visit is closed" in html


def test_starting_from_the_capture_screen_comes_back_to_it(world):
    response = client_for(world.team.researcher).post(
        reverse("frontend:visit-transition", args=[world.visit.pk]),
        {"to_status": VisitStatus.IN_PROGRESS, "return_to": "capture"},
    )

    assert response.status_code == 302
    assert response["Location"] == capture_url(world.visit)
    world.visit.refresh_from_db()
    assert world.visit.status == VisitStatus.IN_PROGRESS


def test_an_unknown_return_target_goes_to_the_visit_page(world):
    response = client_for(world.team.researcher).post(
        reverse("frontend:visit-transition", args=[world.visit.pk]),
        {"to_status": VisitStatus.IN_PROGRESS, "return_to": "https://evil.example/"},
    )

    assert response["Location"] == reverse("frontend:visit", args=[world.visit.pk])


def test_the_camera_input_takes_several_photos_from_the_back_camera(world):
    html = client_for(world.team.researcher).get(capture_url(world.visit)).content.decode()

    camera = re.search(r"<input[^>]*data-photo-input[^>]*>", html).group(0)
    assert 'type="file"' in camera
    assert 'accept="image/*"' in camera
    assert 'capture="environment"' in camera
    assert "multiple" in camera


# --- The offline bundle the service worker uses ----------------------------------------------


def test_the_offline_bundle_has_my_visit_with_its_address_phone_and_no_name(world, secret_email):
    response = client_for(world.team.researcher).get("/api/v1/me/offline-bundle/?days=3")

    assert response.status_code == 200
    body = response.content.decode()
    assert [visit["id"] for visit in response.json()["visits"]] == [str(world.visit.pk)]
    assert SECRET_ADDRESS in body
    assert SECRET_PHONE in body
    for secret in (SECRET_NAME, secret_email):
        assert secret not in body


# --- Installable: manifest, icons, service worker -------------------------------------------


def test_the_manifest_makes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/today/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_every_icon_in_the_manifest_exists_at_its_size(client):
    from PIL import Image

    for icon in client.get("/manifest.webmanifest").json()["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            width, height = (int(n) for n in icon["sizes"].split("x"))
            with Image.open(path) as image:
                assert image.size == (width, height)


def test_pages_link_the_manifest_and_register_the_worker(world):
    html = client_for(world.team.researcher).get(reverse("frontend:today")).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-service-worker="/sw.js"' in html
    assert "frontend/js/register.js" in html
    assert "frontend/js/logout.js" in html


def test_the_service_worker_is_served_at_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    script = response.content.decode()
    assert "__VERSION__" not in script
    for path in SHELL_FILES:
        assert f"/static/{path}" in script
    assert "/api/v1/me/offline-bundle/?days=3" in script


def test_the_service_worker_never_caches_the_api(client):
    script = client.get("/sw.js").content.decode()

    # API requests are left to the network before any cache is consulted.
    assert 'url.pathname.startsWith("/api/")' in script
    assert 'request.method !== "GET"' in script


def test_the_service_worker_changes_when_a_shell_file_changes(client, settings, tmp_path):
    before = client.get("/sw.js").content.decode()
    shadow = tmp_path / "frontend"
    shadow.mkdir()
    (shadow / "app.css").write_text("body { color: red; }")
    settings.STATICFILES_DIRS = [str(tmp_path)]
    finders.get_finder.cache_clear()
    try:
        after = client.get("/sw.js").content.decode()
    finally:
        finders.get_finder.cache_clear()

    version = re.compile(r'"rh-shell-([0-9a-f]+)"')
    assert version.search(before).group(1) != version.search(after).group(1)


# --- Weight --------------------------------------------------------------------------------


def first_load_files(html: str) -> list[Path]:
    """The CSS and scripts the capture page loads, following module imports."""
    pending = re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    seen: list[Path] = []
    while pending:
        name = pending.pop()
        path = Path(finders.find(name))
        if path in seen:
            continue
        seen.append(path)
        if name.endswith(".js"):
            folder = name.rsplit("/", 1)[0]
            for imported in re.findall(r'from "\./([^"]+)"', path.read_text()):
                pending.append(f"{folder}/{imported}")
    return seen


def test_the_capture_screens_first_load_stays_under_50_kb_compressed(world):
    html = client_for(world.team.researcher).get(capture_url(world.visit)).content

    files = first_load_files(html.decode())
    names = {path.name for path in files}
    assert {"app.css", "capture.js", "outbox.js", "camera.js", "chips.js"} <= names
    total = len(gzip.compress(html, 9)) + sum(
        len(gzip.compress(path.read_bytes(), 9)) for path in files
    )
    assert total <= FIRST_LOAD_BUDGET_BYTES, f"{total} bytes gzipped"


def test_the_capture_screen_reads_the_guide_by_section_numbered_through(world):
    services.guide_replace(
        round_=world.visit.round,
        questions=[
            services.GuideItem(text="Walk me through a week.", section="Warm-up"),
            services.GuideItem(text="Show me your fridge.", section="Kitchen"),
            services.GuideItem(text="What went in the bin?", section="Kitchen"),
        ],
    )

    page = client_for(world.team.researcher).get(capture_url(world.visit)).content.decode()

    headings = re.findall(r'<h3 class="guide-section-heading">(.*?)</h3>', page)
    assert headings == ["Warm-up", "Kitchen"]
    assert re.findall(r'<optgroup label="(.*?)">', page) == ["Warm-up", "Kitchen"]
    # Numbered through the whole guide: the kitchen's list starts at 2.
    assert '<ol class="guide guide-capture" start="2">' in page
    assert 'aria-label="Answer question 3"' in page
