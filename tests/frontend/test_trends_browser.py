"""The Trends page and its evidence in Chromium at phone and laptop sizes, checked with
axe-core; and a round with one visited round, which explains itself instead of charting."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from studies.fieldwork.services.photos import photo_ingest
from studies.scheduling.models import VisitStatus
from tests.frontend.test_browser import (
    SCREENSHOTS,
    SIZES,
    browser,
    check_page,
    log_in,
    new_page,
)
from tests.loop.trend_support import Panel, trend_study

pytestmark = pytest.mark.browser
__all__ = ["browser"]


def trends_path(team) -> str:
    return f"/studies/{team.study.pk}/trends/"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("persona", ["lead", "marketing"])
def test_the_trends_page_fits_and_is_accessible(browser, live_server, team, persona, size):
    study = trend_study(team)
    page = new_page(browser, size)
    log_in(page, live_server.url, persona)
    page.goto(live_server.url + trends_path(team))

    expect(page.get_by_role("heading", level=1)).to_have_text("Trends across rounds")
    expect(page.get_by_role("heading", name="What changed in 2026-Q2")).to_be_visible()
    tags = page.get_by_role("table", name="Share of households visited that showed each tag")
    expect(tags.get_by_role("row")).to_have_count(4)  # the heading row and three tags
    expect(page.get_by_role("img", name="most seen tags")).to_be_visible()
    check_page(page, f"trends-{persona}", size)

    # The evidence is one click away, from what changed.
    page.get_by_role("link", name="Leftovers in tubs").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("“Leftovers in tubs” in 2026-Q2")
    quote_shown = page.get_by_text(study.quote.text)
    if persona == "marketing":
        expect(quote_shown).to_have_count(0)
    else:
        expect(quote_shown).to_be_visible()
    check_page(page, f"trends-evidence-{persona}", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_segment_is_chosen_from_the_menu(browser, live_server, team, size):
    trend_study(team)
    page = new_page(browser, size)
    log_in(page, live_server.url, "product")
    page.goto(live_server.url + trends_path(team))

    page.get_by_label("Segment").select_option("region=north")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_text("Households visited:")).to_be_visible()
    expect(page.get_by_text("2026-Q1: 4 households")).to_be_visible()
    expect(
        page.get_by_role("link", name="Evidence of Leftovers in tubs in 2026-Q2: 75% · 3 of 4")
    ).to_be_visible()
    check_page(page, "trends-segment", size)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_study_with_one_visited_round_explains_itself(browser, live_server, team, size):
    panel = Panel.of(team, 3)
    spring, summer = panel.round("2026-Q1", 1), panel.round("2026-Q2", 2)
    panel.visit_all(spring)
    panel.visit(summer, panel.households[0], VisitStatus.SCHEDULED)
    panel.show(spring, panel.households[:2], panel.tag("Leftovers in tubs"))
    page = new_page(browser, size)
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + trends_path(team))

    expect(page.get_by_role("status")).to_contain_text(
        "Trends compare rounds: this study has 1 round with visits so far."
    )
    expect(page.locator("main svg")).to_have_count(0)  # no chart of a single round
    expect(
        page.get_by_role("link", name="Evidence of Leftovers in tubs in 2026-Q1: 67% · 2 of 3")
    ).to_be_visible()
    check_page(page, "trends-one-round", size)
    page.context.close()


def test_the_page_prints_without_navigation(browser, live_server, team):
    trend_study(team)
    page = new_page(browser, "laptop")
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + trends_path(team))

    page.emulate_media(media="print")

    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".trends-filter")).to_be_hidden()
    expect(page.get_by_role("table").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "trends-print-laptop.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_evidence_lists_tagged_photos_and_labels_quotes(
    browser, live_server, team, settings, tmp_path, size
):
    settings.MEDIA_ROOT = tmp_path / "media"
    study = trend_study(team)
    latest = study.rounds[1]
    household = study.panel.households[7]
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 110, 170)).save(buffer, "JPEG")
    photo = photo_ingest(
        visit=study.panel.visit(latest, household),
        author=team.researcher,
        content=buffer.getvalue(),
        caption="Tubs stacked two deep behind the milk",
        tag_names=[study.leftovers.name],
        captured_at=timezone.now() - dt.timedelta(days=2),
    )
    page = new_page(browser, size)
    log_in(page, live_server.url, "product")
    page.goto(
        f"{live_server.url}/studies/{team.study.pk}/trends/evidence/"
        f"?tag={study.leftovers.pk}&round={latest.pk}"
    )

    expect(page.get_by_role("heading", name="Photos carrying this tag")).to_be_visible()
    thumbnail = page.locator(f"#photo-{photo.pk} img")
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("(image) => image.naturalWidth") > 0
    quote = page.locator(".evidence-item").filter(has_text=study.quote.text)
    expect(quote.get_by_text("Not for marketing use", exact=True)).to_be_visible()
    check_page(page, "trends-evidence-photos", size)
    page.context.close()
