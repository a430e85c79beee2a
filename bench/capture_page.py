"""The capture screen on a slow phone: its first load, and what a photo costs to send.

- Bytes: the HTML, CSS and JavaScript the screen loads, as sent gzip-compressed (whitenoise
  serves static files pre-compressed; HTML compression is the proxy's job). Icons and
  photos are excluded. Target: 50 KB.
- Time to interactive: from navigation to the screen marking itself ready, in Chromium
  emulating a phone on WebPageTest's "3G Slow" profile (400 ms round trip, 400 kbit/s each
  way) with the CPU slowed 4×, no cache and no service worker: a first visit. Target: 3 s.
- Photo bytes: a 12-megapixel photo (4000×3000, about 3.5 MB: tests.fieldwork.photo_support.s
  realistic_photo, light, shapes, texture and grain, seeded) chosen on the capture screen
  and saved, as the upload received it after the phone scaled it: the bytes sent. Target:
  1 MB. The detail says how long the phone took to prepare it (scale and encode, CPU not
  slowed) and the size that reached the server.

BENCH_RUNS sets the loads measured (default 7; bench/run.py's smoke run makes it 1); the
photo is sent once (its bytes do not vary from run to run).
"""

import datetime as dt
import gzip
import time

from common import Figure, emit, env_int, median, percentile, setup_django, throwaway_database

RUNS = env_int("BENCH_RUNS", 7)
MEGABYTE = 1024 * 1024
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "bench-pass-2026"  # noqa: S105 - a throwaway account in a throwaway database
# Notes the moment the screen marks itself ready, from inside the page. Polling for the mark
# from here would add Playwright's polling interval (up to 0.5 s read here), and a string
# predicate needs the eval() that the page's CSP forbids; an init script is exempt from it.
# It observes the document: the script runs before <html> exists.
READY_PROBE = """
new MutationObserver((_records, observer) => {
  if (document.documentElement.dataset.captureReady === "true") {
    window.benchReadyAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-capture-ready"]});
"""


def main() -> None:
    import os

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    setup_django()
    with throwaway_database():
        visit = make_visit()
        server = start_server()
        try:
            base = f"http://127.0.0.1:{server.port}"
            emit([*measure(base, visit), measure_photo(base, visit)])
        finally:
            server.terminate()


def make_visit():
    from django.utils import timezone

    from studies.common.roles import Role
    from tests.factories import MembershipFactory, RoundFactory, UserFactory, VisitFactory

    researcher = UserFactory(username="bench-researcher", password=PASSWORD)
    membership = MembershipFactory(user=researcher, role=Role.RESEARCHER)
    today = timezone.localdate()
    round_ = RoundFactory(
        study=membership.study,
        window_start=today - dt.timedelta(days=7),
        window_end=today + dt.timedelta(days=30),
    )
    start = timezone.now() + dt.timedelta(hours=1)
    return VisitFactory(round=round_, researcher=researcher, scheduled_start=start)


def start_server():
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def measure(base: str, visit) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    url = f"{base}/visits/{visit.pk}/capture/"
    seconds, sizes = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for _ in range(RUNS):
            context = browser.new_context(
                viewport={"width": 360, "height": 640},
                is_mobile=True,
                has_touch=True,
                service_workers="block",
            )
            log_in(context, base)
            page = context.new_page()  # a clean page: nothing of the login page cached
            page.add_init_script(READY_PROBE)
            # Bodies are read after the load: the sync API cannot await inside a handler.
            loaded = []
            page.on("response", lambda response, loaded=loaded: loaded.append(response))
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": 400,
                    "downloadThroughput": 400_000 / 8,
                    "uploadThroughput": 400_000 / 8,
                },
            )
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            page.goto(url, wait_until="commit")
            page.wait_for_selector(
                "html[data-capture-ready='true']", state="attached", timeout=60_000
            )
            # performance.now() counts from the navigation's start.
            seconds.append(page.evaluate("window.benchReadyAt") / 1000)
            counted = [
                response.body()
                for response in loaded
                if response.url.startswith(base)
                and response.request.resource_type in {"document", "stylesheet", "script"}
            ]
            sizes.append(sum(len(gzip.compress(body, 6)) for body in counted))
            context.close()
        browser.close()
    loads = ", ".join(f"{s:.2f}" for s in seconds)
    return [
        Figure(
            name="capture screen: first load, HTML+CSS+JS gzipped",
            value=round(median(sizes) / 1024, 1),
            target=50.0,
            unit="KB",
            detail=f"{len(counted)} files; p95 {percentile(sizes, 0.95) / 1024:.1f} KB",
        ),
        Figure(
            name="capture screen: interactive on slow 3G, CPU 4× slower",
            value=round(median(seconds), 2),
            target=3.0,
            unit="s",
            detail=f"median of {RUNS} cold loads, p95 {percentile(seconds, 0.95):.2f} s: {loads}",
        ),
    ]


def log_in(context, base: str):
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "bench-researcher")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def measure_photo(base: str, visit) -> Figure:
    """A 12-megapixel photo saved on the capture screen, until the server has it."""
    from playwright.sync_api import sync_playwright

    from studies.fieldwork.models import PhotoUpload, UploadStatus
    from tests.fieldwork.photo_support import realistic_photo

    original = realistic_photo()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        # No service worker: it would fetch the offline copy beside the upload measured.
        context = browser.new_context(
            viewport={"width": 360, "height": 640},
            is_mobile=True,
            has_touch=True,
            service_workers="block",
        )
        page = log_in(context, base)
        page.goto(f"{base}/visits/{visit.pk}/capture/")
        page.wait_for_selector("html[data-capture-ready='true']", state="attached")
        page.locator("[data-photo-input]").set_input_files(
            [{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": original}]
        )
        started = page.evaluate("performance.now()")
        page.click("[data-photo-save]")
        # Kept in the outbox once scaled: the previews go when it is safely stored.
        page.wait_for_selector(".photo-previews li", state="detached", timeout=60_000)
        prepared = (page.evaluate("performance.now()") - started) / 1000
        deadline = time.monotonic() + 120
        while not PhotoUpload.objects.filter(visit=visit, status=UploadStatus.COMPLETE).exists():
            if time.monotonic() > deadline:
                raise SystemExit("the photo did not reach the server within 120 s")
            page.wait_for_timeout(250)
        context.close()
        browser.close()
    sent = PhotoUpload.objects.get(visit=visit).length
    return Figure(
        name="capture screen: bytes sent for a 12-megapixel photo",
        value=round(sent / MEGABYTE, 2),
        target=1.0,
        unit="MB",
        detail=(
            f"{len(original) / MEGABYTE:.1f} MB 4000×3000 JPEG chosen, {sent:,} bytes sent "
            f"after scaling to 2560 px; prepared on the phone in {prepared:.2f} s"
        ),
    )


if __name__ == "__main__":
    main()
