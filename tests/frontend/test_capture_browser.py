"""The field app in Debian's Chromium, emulating a phone: offline capture through the
outbox and the service worker, a flaky network, accessibility and layout.

Same set-up as test_browser.py (its Chromium fixture and helpers): under CI a missing
Chromium fails, elsewhere it skips. Photos are processed inline (tasks run eagerly), so
thumbnails appear within the test.
"""

import io
import os
import time

import pytest
from PIL import Image

from studies.fieldwork.models import Observation, Photo, PhotoStatus, Tag, TagGroup
from studies.scheduling import services
from tests.frontend.conftest import SECRET_NAME, SECRET_PHONE, World

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.frontend import test_browser
from tests.frontend.test_browser import PASSWORD, SIZES, TAP_TARGET_PX, check_page

# The one Chromium per module, as test_browser.py launches it (and fails under CI without it).
browser = test_browser.browser

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
SYNC_TIMEOUT_MS = 60_000


def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def phone(browser: Browser, options: dict | None = None) -> BrowserContext:
    """A browser context that fails the test on any uncaught script error when closed."""
    context = browser.new_context(**(options or PHONE))
    errors: list[str] = []
    context.on("weberror", lambda web_error: errors.append(str(web_error.error)))
    close = context.close

    def close_and_check() -> None:
        close()
        assert not errors, f"script errors: {errors}"

    context.close = close_and_check
    return context


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def wait_until(page: Page, script: str, timeout_s: float = 15) -> None:
    """Poll an async expression in the page until it is truthy."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for: {script}"
        page.wait_for_timeout(100)


def wait_for_control(page: Page) -> None:
    """Wait until the service worker controls the page.

    A navigation that began before the worker activated makes a document that
    clients.claim() can miss; such a page stays uncontrolled until it is loaded again,
    as it would be on a phone at the next tap.
    """
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    wait_until(page, "navigator.serviceWorker.controller !== null")


def wait_for_offline_copy(page: Page) -> None:
    """The worker controls the page and holds this page in its cache."""
    wait_for_control(page)
    wait_until(page, "caches.match(location.pathname).then((found) => Boolean(found))")


def open_capture(page: Page, base_url: str, world: World) -> None:
    page.goto(f"{base_url}/today/")
    page.get_by_role("link", name=f"Capture at {world.visit.household.code}").click()
    page.wait_for_url(f"{base_url}/visits/{world.visit.pk}/capture/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Capture at {world.visit.household.code}"
    )


def capture_note(page: Page, text: str) -> None:
    page.get_by_label("Note", exact=True).check()
    page.get_by_label("What did you see?").fill(text)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".captured-item", has_text=text)).to_have_count(1)


def capture_quote(page: Page, text: str, speaker: str, tag: str) -> None:
    page.get_by_label("Quote", exact=True).check()
    page.get_by_label("What did they say, word for word?").fill(text)
    page.get_by_label("Who said it").fill(speaker)
    page.get_by_label("New tag", exact=True).fill(tag)
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_role("button", name=tag)).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".captured-item", has_text=text)).to_have_count(1)


def capture_photos(page: Page, captions: list[str]) -> None:
    colours = [(200, 40, 40), (40, 160, 60), (40, 60, 200)]
    page.locator("[data-photo-input]").set_input_files(
        [
            {"name": f"photo-{index}.jpg", "mimeType": "image/jpeg", "buffer": jpeg(colours[index])}
            for index in range(len(captions))
        ]
    )
    for index, caption in enumerate(captions):
        page.get_by_label(f"Caption for photo {index + 1}").fill(caption)
    page.get_by_role("button", name="Save photos").click()
    expect(page.locator(".photo-previews li")).to_have_count(0)


def capture_everything(page: Page) -> None:
    for text in ("Milk lives in the door", "Two fridges, one in the garage", "Labels on lids"):
        capture_note(page, text)
    capture_quote(page, "I never know what is in the back", "mother, 40s", "hidden food")
    capture_photos(page, ["Fridge door", "Garage fridge"])


def assert_everything_arrived_once(world: World) -> None:
    observations = Observation.objects.filter(visit=world.visit)
    assert sorted(observations.values_list("text", flat=True)) == [
        "I never know what is in the back",
        "Labels on lids",
        "Milk lives in the door",
        "Two fridges, one in the garage",
    ]
    quote = observations.get(kind="quote")
    assert quote.speaker == "mother, 40s"
    assert list(quote.tags.values_list("name", flat=True)) == ["hidden food"]
    assert all(observation.author == world.team.researcher for observation in observations)
    photos = Photo.objects.filter(visit=world.visit)
    assert sorted(photos.values_list("caption", flat=True)) == ["Fridge door", "Garage fridge"]
    assert set(photos.values_list("status", flat=True)) == {PhotoStatus.READY}


def test_items_captured_offline_survive_a_reload_and_arrive_exactly_once(
    browser, live_server, world
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)
    wait_for_offline_copy(page)
    status = page.locator("[data-sync-summary]")
    expect(status).to_have_text("Everything is synced.")

    context.set_offline(True)
    capture_everything(page)
    expect(status).to_contain_text("4 items, 2 photos waiting to sync.")
    expect(status).to_contain_text("You are offline")

    page.reload()  # offline: the service worker serves the page, the outbox still has all
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(status).to_contain_text("4 items, 2 photos waiting to sync.")
    expect(page.locator(".captured-item[data-state=waiting]")).to_have_count(4)
    expect(page.locator(".photo-cell[data-state=waiting]")).to_have_count(2)
    assert not Observation.objects.filter(visit=world.visit).exists()
    assert not Photo.objects.filter(visit=world.visit).exists()

    context.set_offline(False)
    expect(status).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    expect(page.locator(".captured-item[data-state=synced]")).to_have_count(4)
    thumbnails = page.locator("img[data-thumbnail]")
    expect(thumbnails).to_have_count(2, timeout=SYNC_TIMEOUT_MS)
    for index in range(2):
        thumbnail = thumbnails.nth(index)
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("(image) => image.naturalWidth") > 0
    assert_everything_arrived_once(world)

    # Captured on the device: the device's clock, kept beside the server's receipt time.
    for observation in Observation.objects.filter(visit=world.visit):
        assert observation.captured_at <= observation.received_at
    context.close()


def test_a_network_that_drops_every_other_request_still_delivers_everything_once(
    browser, live_server, world
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)
    calls = {"count": 0, "dropped": 0}

    def flaky(route):
        calls["count"] += 1
        if calls["count"] % 2:
            return route.continue_()
        calls["dropped"] += 1
        if calls["dropped"] % 2:
            return route.abort("connectionreset")  # lost on the way to the server
        route.fetch()  # the server did the work; the answer is lost on the way back
        return route.abort("connectionreset")

    context.route("**/api/v1/**", flaky)
    capture_everything(page)

    status = page.locator("[data-sync-summary]")
    expect(status).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    assert calls["dropped"] >= 3, calls
    assert_everything_arrived_once(world)
    context.close()


def test_a_server_busy_for_a_moment_is_waited_out_like_a_lost_connection(
    browser, live_server, world
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)
    busy = {"answered": 0}

    def restarting(route):
        # The first two batches meet a database restart: 503, as ResearchHub answers it.
        if busy["answered"] >= 2:
            return route.continue_()
        busy["answered"] += 1
        return route.fulfill(
            status=503,
            headers={"Retry-After": "5", "Content-Type": "application/json"},
            body='{"errors": {"service": ["ResearchHub is busy for a moment."]}}',
        )

    context.route("**/api/v1/sync/", restarting)
    capture_note(page, "Milk decanted into a jug")

    status = page.locator("[data-sync-summary]")
    expect(page.locator("[data-sync-status]")).to_contain_text(
        "Could not reach ResearchHub (it is busy for a moment).", timeout=SYNC_TIMEOUT_MS
    )
    expect(status).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    assert busy["answered"] == 2
    assert list(Observation.objects.filter(visit=world.visit).values_list("text", flat=True)) == [
        "Milk decanted into a jug"
    ]
    # Waited out, not refused: nothing is left for the researcher to deal with.
    expect(page.locator(".captured-item .errorlist")).to_have_count(0)
    context.close()


def test_an_item_edited_and_one_deleted_offline_reach_the_server_as_left(
    browser, live_server, world
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)
    capture_note(page, "Bread in the oven")
    capture_note(page, "A typo note")
    status = page.locator("[data-sync-summary]")
    expect(status).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)

    context.set_offline(True)
    item = page.locator(".captured-item", has_text="Bread in the oven")
    item.get_by_role("button", name="Edit").click()
    page.get_by_label("What did you see?").fill("Bread kept in the cold oven")
    page.get_by_role("button", name="Save changes").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".captured-item", has_text="A typo note").get_by_role(
        "button", name="Delete"
    ).click()
    expect(status).to_contain_text("2 items waiting to sync.")
    context.set_offline(False)

    expect(status).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    live = Observation.objects.filter(visit=world.visit, deleted_at__isnull=True)
    assert list(live.values_list("text", flat=True)) == ["Bread kept in the cold oven"]
    assert Observation.objects.filter(visit=world.visit).count() == 2
    context.close()


def test_the_service_worker_serves_the_app_offline_and_logout_clears_the_copy(
    browser, live_server, world
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    page.goto(f"{live_server.url}/today/")
    wait_for_control(page)
    registration = page.evaluate(
        """navigator.serviceWorker.getRegistration().then((r) =>
            ({scope: r.scope, script: r.active.scriptURL}))"""
    )
    assert registration == {"scope": f"{live_server.url}/", "script": f"{live_server.url}/sw.js"}
    # The worker fetched the next days' capture pages ahead, without them being opened.
    capture_path = f"/visits/{world.visit.pk}/capture/"
    wait_until(page, f"caches.match('{capture_path}').then((found) => Boolean(found))")
    cached = page.evaluate(f"caches.match('{capture_path}').then((response) => response.text())")
    assert world.visit.household.code in cached
    assert SECRET_PHONE in cached  # the number to ring at the door
    assert SECRET_NAME not in cached

    context.set_offline(True)
    page.goto(f"{live_server.url}{capture_path}")  # never opened online in this tab
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Capture at {world.visit.household.code}"
    )
    page.goto(f"{live_server.url}/calendar/")  # not kept offline
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")

    # An item still waiting must survive the logout; the offline pages must not.
    page.goto(f"{live_server.url}{capture_path}")
    capture_note(page, "Waiting through a logout")
    context.set_offline(False)
    page.goto(f"{live_server.url}/today/")
    expect(page.locator("[data-sync-summary]")).to_have_text(
        "Everything is synced.", timeout=SYNC_TIMEOUT_MS
    )
    context.set_offline(True)
    page.goto(f"{live_server.url}{capture_path}")
    capture_note(page, "Still waiting")
    context.route("**/api/v1/sync/", lambda route: route.abort())  # keep it waiting
    context.set_offline(False)
    page.goto(f"{live_server.url}/today/")
    page.get_by_role("button", name="Log out").click()
    warning = page.get_by_role("dialog", name="Log out with items still waiting?")
    expect(warning).to_contain_text("1 item is still waiting to sync.")
    warning.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")

    assert page.evaluate("caches.has('rh-pages')") is False
    stores = page.evaluate(
        """new Promise((resolve) => {
            const request = indexedDB.open("researchhub");
            request.onsuccess = () => {
                const tx = request.result.transaction(["outbox", "confirmed"]);
                const outbox = tx.objectStore("outbox").getAll();
                const confirmed = tx.objectStore("confirmed").count();
                tx.oncomplete = () => resolve({
                    outbox: outbox.result.map((item) => item.op.text),
                    confirmed: confirmed.result,
                });
            };
        })"""
    )
    assert stores == {"outbox": ["Still waiting"], "confirmed": 0}
    context.close()


def test_photos_are_kept_as_bytes_where_the_browser_cannot_store_blobs(browser, live_server, world):
    context = phone(browser)
    # Browsers without Blob support in IndexedDB refuse them with a DataCloneError.
    context.add_init_script(
        """const put = IDBObjectStore.prototype.put;
        IDBObjectStore.prototype.put = function (value, ...rest) {
            if (value && value.blob instanceof Blob) {
                throw new DOMException("no Blobs here", "DataCloneError");
            }
            return put.call(this, value, ...rest);
        };"""
    )
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)
    context.set_offline(True)
    capture_photos(page, ["Pantry"])
    stored = page.evaluate(
        """new Promise((resolve) => {
            indexedDB.open("researchhub").onsuccess = (event) => {
                const request = event.target.result.transaction("outbox")
                    .objectStore("outbox").getAll();
                request.onsuccess = () => resolve(request.result.map((item) => ({
                    blob: item.blob, bytes: item.buffer.byteLength, size: item.size,
                })));
            };
        })"""
    )
    assert len(stored) == 1
    assert stored[0]["blob"] is None
    assert stored[0]["bytes"] == stored[0]["size"] > 0
    expect(page.locator(".photo-cell[data-state=waiting] img")).to_have_count(1)

    context.set_offline(False)
    expect(page.locator("img[data-thumbnail]")).to_have_count(1, timeout=SYNC_TIMEOUT_MS)
    photo = Photo.objects.get(visit=world.visit)
    assert (photo.caption, photo.status) == ("Pantry", PhotoStatus.READY)
    context.close()


# --- Layout and accessibility -----------------------------------------------------------------


@pytest.fixture
def busy_visit(world: World) -> World:
    """A visit with something of everything on it, so the screenshots show real layouts."""
    study = world.team.study
    for name, group in [("storage", TagGroup.PAIN_POINT), ("hack", TagGroup.WORKAROUND)]:
        Tag.objects.create(study=study, name=name, group=group)
    note = Observation.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        kind="note",
        text="Keeps leftovers in labelled jars on the top shelf.",
        captured_at=world.visit.scheduled_start,
    )
    note.tags.add(Tag.objects.get(name="storage"))
    Observation.objects.create(
        visit=world.visit,
        author=world.team.researcher,
        kind="quote",
        text="If I can't see it, it doesn't exist.",
        speaker="father, 50s",
        captured_at=world.visit.scheduled_start,
    )
    household = world.visit.household
    household.segment = {"household size": "4", "region": "north"}
    household.save()
    services.guide_replace(
        round_=world.visit.round,
        questions=[
            services.GuideItem(text=question.text, question_id=question.pk, section=section)
            for question, section in zip(
                world.visit.round.guide.asked(), ("Warm-up", "Kitchen", "Kitchen"), strict=False
            )
        ],
    )
    return world


def check_form_targets(page: Page) -> None:
    too_small = page.evaluate(
        """(minimum) => [...document.querySelectorAll(
                'main input:not([type=hidden]):not([type=radio]), main select, main textarea,' +
                ' main summary, .kind-switch label, .tag-chip')]
            .filter((element) => element.getClientRects().length > 0)
            .map((element) => ({
                what: element.outerHTML.slice(0, 60),
                height: element.getBoundingClientRect().height,
            }))
            .filter((target) => target.height < minimum)""",
        TAP_TARGET_PX,
    )
    assert not too_small, too_small


@pytest.mark.parametrize("size", SIZES)
def test_today_fits_and_is_accessible(browser, live_server, busy_visit, size):
    context = phone(browser, PHONE if size == "phone" else LAPTOP)
    page = context.new_page()
    log_in(page, live_server.url, busy_visit.team.researcher.username)
    page.goto(f"{live_server.url}/today/")
    expect(page.locator("[data-sync-summary]")).to_have_text("Everything is synced.")
    check_page(page, "today", size)
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_capture_screen_fits_and_is_accessible(browser, live_server, busy_visit, size):
    context = phone(browser, PHONE if size == "phone" else LAPTOP)
    page = context.new_page()
    log_in(page, live_server.url, busy_visit.team.researcher.username)
    page.goto(f"{live_server.url}/visits/{busy_visit.visit.pk}/capture/")
    expect(page.locator(".captured-item")).to_have_count(2)
    page.get_by_text("Household, segment, address and phone").click()
    check_page(page, "capture", size)
    check_form_targets(page)

    # With items waiting offline, a quote being written, photos chosen and a tag on.
    context.set_offline(True)
    capture_note(page, "A note waiting for the network")
    page.get_by_label("Quote", exact=True).check()
    page.get_by_label("What did they say, word for word?").fill("We buy too much every week.")
    page.get_by_label("Who said it").fill("mother, 40s")
    page.get_by_role("button", name="storage").click()
    page.locator("[data-photo-input]").set_input_files(
        [{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": jpeg((200, 120, 40))}]
    )
    check_page(page, "capture-offline", size)
    check_form_targets(page)
    context.close()
