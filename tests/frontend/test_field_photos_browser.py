"""Photos from the capture screen, in Debian's Chromium: scaled on the phone before they
are kept and sent (a 12-megapixel photo goes under 1 MB), sent as taken when the study asks
for originals or the browser cannot decode them, and sent with their progress shown and a
Cancel that takes them back.

Same set-up as test_capture_browser.py (its Chromium fixture and helpers).
"""

import os
import re

import pytest

from studies.fieldwork.models import Photo, PhotoStatus, PhotoUpload
from tests.fieldwork.photo_support import TWELVE_MEGAPIXELS, heic_bytes, realistic_photo
from tests.frontend.conftest import World

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Page, expect

from tests.frontend import test_browser
from tests.frontend.test_browser import check_page
from tests.frontend.test_capture_browser import SYNC_TIMEOUT_MS, log_in, open_capture, phone

browser = test_browser.browser

pytestmark = pytest.mark.browser

MEGABYTE = 1024 * 1024


@pytest.fixture(scope="module")
def twelve_megapixels() -> bytes:
    return realistic_photo()


def choose(page: Page, files: list[tuple[str, str, bytes]]) -> None:
    page.locator("[data-photo-input]").set_input_files(
        [{"name": name, "mimeType": kind, "buffer": data} for name, kind, data in files]
    )


def save_and_sync(page: Page) -> None:
    page.get_by_role("button", name="Save photos").click()
    expect(page.locator(".photo-previews li")).to_have_count(0, timeout=SYNC_TIMEOUT_MS)
    # Sent, processed by the server, and its thumbnail back on the screen.
    expect(page.locator("img[data-thumbnail]")).to_have_count(1, timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("[data-sync-summary]")).to_have_text("Everything is synced.")


# --- Scaled on the phone --------------------------------------------------------------------


def test_a_12_megapixel_photo_is_scaled_to_2560_px_and_sent_under_1_mb(
    browser, live_server, world: World, twelve_megapixels
):
    assert len(twelve_megapixels) > 3 * MEGABYTE  # what a phone's camera hands over
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)

    choose(page, [("IMG_0001.jpg", "image/jpeg", twelve_megapixels)])
    save_and_sync(page)

    upload = PhotoUpload.objects.get()
    assert upload.length < MEGABYTE
    photo = Photo.objects.get()
    assert photo.status == PhotoStatus.READY
    assert (photo.width, photo.height) == (2560, 1920)
    context.close()


def test_a_study_that_wants_originals_gets_the_photo_as_taken(
    browser, live_server, world: World, twelve_megapixels
):
    world.team.study.send_original_photos = True
    world.team.study.save()
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)

    choose(page, [("IMG_0002.jpg", "image/jpeg", twelve_megapixels)])
    save_and_sync(page)

    assert PhotoUpload.objects.get().length == len(twelve_megapixels)
    assert (Photo.objects.get().width, Photo.objects.get().height) == TWELVE_MEGAPIXELS
    context.close()


def test_a_photo_the_browser_cannot_decode_is_sent_as_it_is(browser, live_server, world: World):
    heic = heic_bytes((3200, 2400))
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)

    choose(page, [("IMG_0003.HEIC", "image/heic", heic)])
    save_and_sync(page)

    assert PhotoUpload.objects.get().length == len(heic)
    assert Photo.objects.get().status == PhotoStatus.READY  # the server converts it
    context.close()


# --- Progress and cancel --------------------------------------------------------------------


def test_a_photo_being_sent_shows_its_progress_and_can_be_cancelled(
    browser, live_server, world: World
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, world.team.researcher.username)
    open_capture(page, live_server.url, world)
    # A slow phone connection: 64 KB/s up, so each photo takes a good ten seconds.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 40, "downloadThroughput": -1, "uploadThroughput": 64 * 1024},
    )
    first, second = realistic_photo(seed=1), realistic_photo(seed=2)
    choose(page, [("first.jpg", "image/jpeg", first), ("second.jpg", "image/jpeg", second)])
    page.get_by_label("Caption for photo 1").fill("Not this one")
    page.get_by_label("Caption for photo 2").fill("Keep this one")
    page.evaluate(
        """window.progressSeen = [];
        new MutationObserver(() => window.progressSeen.push(
            document.querySelector("[data-upload-text]").textContent
        )).observe(document.querySelector("[data-upload-text]"), {childList: true});"""
    )
    page.get_by_role("button", name="Save photos").click()

    progress = page.locator("[data-upload-text]")
    expect(progress).to_have_text(
        re.compile(r"^Sending photo 1 of 2 — ([1-9]|[1-9]\d) %, [\d.]+ (MB|KB) left$"),
        timeout=SYNC_TIMEOUT_MS,
    )
    # Bytes, not chunks: the percent moves within the first 256 KB chunk (under 30 % of a
    # photo of about 0.8 MB), where a count of chunks would show 0 only.
    expect(progress).to_have_text(
        re.compile(r"^Sending photo 1 of 2 — [3-9]\d %"), timeout=SYNC_TIMEOUT_MS
    )
    seen = page.evaluate("window.progressSeen")
    within_first_chunk = {
        int(match.group(1))
        for text in seen
        if (match := re.search(r"^Sending photo 1 of \d — (\d+) %", text))
    }
    assert len({percent for percent in within_first_chunk if 0 < percent < 25}) >= 3, seen
    bar = page.locator("[data-upload-progress] progress")
    expect(bar).to_have_attribute("aria-label", "Photo 1 of 2 sent")
    check_page(page, "field-upload-progress", "phone")

    page.once("dialog", lambda confirm: confirm.accept())
    page.get_by_role("button", name="Cancel sending photo 1").click()
    expect(page.locator(".photo-cell", has_text="Not this one")).to_have_count(0)
    expect(progress).to_have_text(re.compile(r"^Sending photo 2 of 2"), timeout=SYNC_TIMEOUT_MS)

    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(page.locator("[data-sync-summary]")).to_have_text(
        "Everything is synced.", timeout=SYNC_TIMEOUT_MS
    )
    expect(page.locator("[data-upload-progress]")).to_be_hidden()
    assert list(Photo.objects.values_list("caption", flat=True)) == ["Keep this one"]
    # The upload that was opened for the cancelled photo was dropped by the server too.
    assert PhotoUpload.objects.count() == 1
    assert PhotoUpload.objects.get().photo == Photo.objects.get()
    assert (
        page.evaluate(
            """new Promise((resolve) => {
            indexedDB.open("researchhub").onsuccess = (event) => {
                const request = event.target.result.transaction("outbox")
                    .objectStore("outbox").count();
                request.onsuccess = () => resolve(request.result);
            };
        })"""
        )
        == 0
    )
    context.close()
