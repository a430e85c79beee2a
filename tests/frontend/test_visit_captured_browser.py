"""The visit page's "Captured" section in Debian's Chromium: processed photos under their
note and on their own, an answer with its question, at phone and laptop sizes, checked with
axe; a link to one item (#obs-…) brings it into view.

Same set-up as test_browser.py (its Chromium fixture and helpers): under CI a missing
Chromium fails, elsewhere it skips. Tasks run inline, so photos are processed at once.
"""

import datetime as dt
import os

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import expect

from studies.fieldwork.models import ObservationKind, ObservationTag, Photo, PhotoStatus
from studies.fieldwork.services.photos import photo_ingest
from studies.scheduling.models import GuideQuestion
from tests.factories import ObservationFactory, TagFactory
from tests.frontend import test_browser
from tests.frontend.conftest import SECRET_PHONE, World
from tests.frontend.test_browser import SIZES, check_page, log_in, new_page
from tests.frontend.test_synthesis_browser import THUMBNAILS_IN_VIEW_LOADED, jpeg

# The one Chromium per module, as test_browser.py launches it (and fails under CI without it).
browser = test_browser.browser

pytestmark = pytest.mark.browser


@pytest.fixture
def captured(world: World, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    visit = world.visit
    at = visit.scheduled_start
    fridge = TagFactory(study=world.team.study, name="Fridge tetris", colour="#8a5300")
    note = ObservationFactory(
        visit=visit,
        text="Leftovers stacked in takeaway tubs, none of them labelled.",
        captured_at=at + dt.timedelta(minutes=5),
    )
    ObservationTag.objects.create(observation=note, tag=fridge)
    question = GuideQuestion.objects.get(round=world.current_round, text="Show me your fridge.")
    ObservationFactory(
        visit=visit,
        kind=ObservationKind.ANSWER,
        text="Everything at the back is forgotten until it smells.",
        guide_question=question,
        question_text=question.text,
        captured_at=at + dt.timedelta(minutes=20),
    )
    ObservationFactory(
        visit=visit,
        kind=ObservationKind.QUOTE,
        text="I buy peas twice a month because I never see the first bag.",
        speaker="mother, 40s",
        captured_at=at + dt.timedelta(minutes=30),
    )
    for caption, observation, minutes, tags in [
        ("The tubs on the middle shelf", note, 6, []),
        ("The freezer drawer, packed to the lid", None, 10, [fridge.name]),
        ("", None, 40, []),
    ]:
        photo_ingest(
            visit=visit,
            author=world.team.researcher,
            content=jpeg(),
            caption=caption,
            tag_names=tags,
            captured_at=at + dt.timedelta(minutes=minutes),
            observation=observation,
        )
    assert Photo.objects.filter(status=PhotoStatus.READY).count() == 3
    return world


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("persona", ["lead", "product"])
def test_the_visit_page_with_captures_fits_and_is_accessible(
    browser, live_server, captured, persona, size
):
    page = new_page(browser, size)
    log_in(page, live_server.url, getattr(captured.team, persona).username)

    page.goto(f"{live_server.url}/visits/{captured.visit.pk}/")

    section = page.locator("#captured")
    expect(section.locator(".captured-item")).to_have_count(5)
    expect(section).to_contain_text("Asked: “Show me your fridge.”")
    expect(section.locator(".captured-photos img")).to_have_count(1)
    expect(
        section.get_by_role("link", name=f"Photo taken at {captured.visit.household.code}")
    ).to_have_count(3)
    section.scroll_into_view_if_needed()
    page.wait_for_function(THUMBNAILS_IN_VIEW_LOADED)
    # The contact is for the research team only, as before.
    expect(page.get_by_text(SECRET_PHONE)).to_have_count(1 if persona == "lead" else 0)
    check_page(page, f"visit-captured-{persona}", size)
    page.context.close()


def test_a_link_to_one_item_brings_it_into_view(browser, live_server, captured):
    quote = captured.visit.observations.get(kind=ObservationKind.QUOTE)
    page = new_page(browser, "phone")
    log_in(page, live_server.url, captured.team.product.username)

    page.goto(f"{live_server.url}/visits/{captured.visit.pk}/#obs-{quote.pk}")

    item = page.locator(f"#obs-{quote.pk}")
    expect(item).to_be_in_viewport()
    expect(item).to_contain_text("said by mother, 40s")
    page.context.close()
