"""Issue 4's Done-when in Debian's Chromium: a researcher's tagged quote becomes an insight,
the insight is on the product board and in the quote bank, a product designer moves it to
Planned and a marketer marks the quote used, and each sees the other's change on the one
insight, never a copy. Then the three pages at phone and laptop sizes, checked with axe.

Same set-up as test_browser.py (its Chromium fixture and helpers): under CI a missing
Chromium fails, elsewhere it skips. Tasks run inline, so the photo is processed at once.
"""

import datetime as dt
import io
import os
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from PIL import Image

from studies.fieldwork.models import Observation, Photo, PhotoStatus, Tag, TagGroup
from studies.fieldwork.services.photos import photo_ingest
from studies.scheduling.models import ConsentKind, Household, Visit
from studies.synthesis.models import BoardCard, Column, Insight, QuoteUse
from studies.synthesis.services import boards, insights, quotes
from tests.conftest import Team, enrol_consenting
from tests.factories import ConsentFactory, RoundFactory, TagFactory, VisitFactory
from tests.fieldwork.sync_support import signed_in, sync, upsert

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, expect

from tests.frontend import test_browser
from tests.frontend.test_browser import SIZES, check_page, log_in

# The one Chromium per module, as test_browser.py launches it (and fails under CI without it).
browser = test_browser.browser

pytestmark = pytest.mark.browser

QUOTE = "I never know what is in the freezer until it is too late."
STATEMENT = "People lose track of what is in their freezer."
CAPTION = "The freezer drawer, packed"
CAMPAIGN = "Spring freezer campaign"
# Thumbnails load lazily: the screenshot waits for those in view, not those scrolled away.
THUMBNAILS_IN_VIEW_LOADED = """() => [...document.images]
    .filter((image) => {
        const box = image.getBoundingClientRect();
        return box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth;
    })
    .every((image) => image.complete && image.naturalWidth > 0)"""


@dataclass
class Loop:
    team: Team
    households: list[Household]  # both consent to marketing; [0] is "parent of three"
    visit: Visit  # the researcher's visit to households[0], under way
    pain: Tag  # routed to the product board
    quotable: Tag  # routed to the marketing quote bank

    @property
    def attribution(self) -> str:
        return f"{self.households[0].code}, parent of three, suburban"


@pytest.fixture
def loop(team: Team, settings, tmp_path) -> Loop:
    settings.MEDIA_ROOT = tmp_path / "media"
    households = enrol_consenting(team.study, 2)
    households[0].segment_phrase = "parent of three, suburban"
    households[0].save(update_fields=["segment_phrase"])
    for household in households:
        ConsentFactory(household=household, kind=ConsentKind.MARKETING)
    today = timezone.localdate()
    round_ = RoundFactory(
        study=team.study,
        label="2027-Q1",
        window_start=today - dt.timedelta(days=20),
        window_end=today + dt.timedelta(days=60),
    )
    start = timezone.now() - dt.timedelta(hours=1)
    visit = VisitFactory(
        round=round_,
        household=households[0],
        researcher=team.researcher,
        scheduled_start=start,
        scheduled_end=start + dt.timedelta(minutes=90),
        status="in_progress",
        started_at=start,
    )
    return Loop(
        team=team,
        households=households,
        visit=visit,
        pain=TagFactory(study=team.study, name="Freezer blindness", group=TagGroup.PAIN_POINT),
        quotable=TagFactory(
            study=team.study,
            name="Say it like this",
            group=TagGroup.QUOTE_WORTHY,
            colour="#b3261e",
        ),
    )


def jpeg() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (640, 480), (40, 110, 170))
    image.paste((235, 235, 240), (0, 300, 640, 480))
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def capture_tagged_quote(loop: Loop) -> Observation:
    """As the researcher's phone sends it: the quote, tagged, through the sync API, and a
    photo with it (processed inline)."""
    operation = upsert(
        loop.visit,
        kind="quote",
        text=QUOTE,
        speaker="mother, 40s",
        tags=[loop.pain.name, loop.quotable.name],
    )
    sync(signed_in(loop.team.researcher), operation)
    quote = Observation.objects.get(device_id=operation["device_id"])
    photo = photo_ingest(
        visit=loop.visit,
        author=loop.team.researcher,
        content=jpeg(),
        caption=CAPTION,
        captured_at=quote.captured_at,
        observation=quote,
    )
    assert Photo.objects.get(pk=photo.pk).status == PhotoStatus.READY
    return quote


def laptop(browser: Browser) -> Page:
    return test_browser.new_page(browser, "laptop")


def make_insight_on_the_synthesis_screen(browser: Browser, base_url: str, loop: Loop) -> Insight:
    page = laptop(browser)
    log_in(page, base_url, loop.team.researcher.username)
    page.goto(f"{base_url}/studies/{loop.team.study.pk}/synthesis/")
    page.get_by_label(f"“{QUOTE}”").check()
    page.get_by_label(f"Photo: {CAPTION}").check()
    page.get_by_label("Statement").fill(STATEMENT)
    for tag in (loop.pain, loop.quotable):
        page.get_by_role("checkbox", name=tag.name, exact=True).check()
    page.get_by_role("button", name="Create insight").click()
    page.wait_for_url(re.compile(r"/insights/"))
    page.context.close()
    return Insight.objects.get()


def board_column(page: Page, column: str):
    return page.locator(f'[data-column="{column}"] [data-card]')


def open_board(page: Page, base_url: str, slug: str = "product") -> None:
    page.goto(f"{base_url}/boards/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def mark_the_quote_used(browser: Browser, base_url: str, loop: Loop) -> None:
    """The marketer copies the quote with its attribution and records the campaign."""
    page = laptop(browser)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    log_in(page, base_url, loop.team.marketing.username)
    page.goto(f"{base_url}/quotes/")
    row = page.locator(".quote-item", has_text=QUOTE)
    expect(row.locator("figcaption")).to_have_text(f"— {loop.attribution}")

    row.get_by_role("button", name=re.compile("^Copy quote")).click()

    expect(row.locator(".quote-actions [aria-live]")).to_have_text(
        "Quote copied with its attribution."
    )
    assert page.evaluate("navigator.clipboard.readText()") == f"{QUOTE} — {loop.attribution}"

    row.get_by_text("Record where it was used").click()
    row.get_by_label("Campaign or piece of copy").fill(CAMPAIGN)
    row.get_by_label("Link (optional)").fill("https://example.org/spring")
    row.get_by_label("Used on").fill(timezone.localdate().isoformat())
    row.get_by_role("button", name="Record use").click()

    expect(page.locator(".messages")).to_have_text(f"Recorded: the quote was used in “{CAMPAIGN}”.")
    expect(page.locator(".quote-item", has_text=QUOTE).locator(".quote-uses")).to_contain_text(
        CAMPAIGN
    )
    page.context.close()


def each_sees_the_others_change(browser: Browser, base_url: str, loop: Loop) -> None:
    product = laptop(browser)
    log_in(product, base_url, loop.team.product.username)
    insight = Insight.objects.get()
    product.goto(f"{base_url}/insights/{insight.pk}/")
    expect(product.locator(".use-campaign")).to_have_text(f"{CAMPAIGN} · Open link ({CAMPAIGN})")
    expect(product.locator("figcaption", has_text=loop.attribution)).to_have_count(1)
    product.context.close()

    marketer = laptop(browser)
    log_in(marketer, base_url, loop.team.marketing.username)
    open_board(marketer, base_url)
    expect(board_column(marketer, "planned")).to_have_text(re.compile(re.escape(STATEMENT)))
    expect(marketer.locator("[data-move-form]")).to_have_count(0)
    marketer.context.close()

    # One insight, placed on two boards, holding the one quote and its use: recording the
    # use decided the marketing card, so it moved into Used in copy.
    assert Insight.objects.count() == 1
    placements = BoardCard.objects.filter(insight=insight, removed_at__isnull=True)
    assert {(card.board.slug, card.column) for card in placements} == {
        ("product", Column.PLANNED),
        ("marketing", Column.USED),
    }
    assert QuoteUse.objects.get().observation.text == QUOTE


def test_a_quote_becomes_an_insight_that_product_plans_by_dragging_and_marketing_uses(
    browser, live_server, loop
):
    capture_tagged_quote(loop)
    insight = make_insight_on_the_synthesis_screen(browser, live_server.url, loop)
    assert (insight.evidence_count, insight.household_count) == (2, 1)

    page = laptop(browser)
    log_in(page, live_server.url, loop.team.product.username)
    open_board(page, live_server.url)
    expect(page.locator("[data-board][data-ready]")).to_have_count(1)
    card = page.locator("[data-card]", has_text=STATEMENT)
    expect(board_column(page, "new")).to_have_count(1)
    expect(card.locator("img")).to_have_attribute(
        "src", f"/photos/{insight.cover_photo_id}/thumb.jpg"
    )

    card.locator(".board-card-facts").drag_to(page.locator('[data-column="planned"]'))

    expect(page.locator("[data-board-status]")).to_have_text(f"Moved “{STATEMENT}” to Planned.")
    expect(board_column(page, "planned")).to_have_count(1)
    expect(board_column(page, "new")).to_have_count(0)
    expect(page.locator('[data-column="planned"] [data-count]')).to_have_text("1")
    expect(card.get_by_role("combobox")).to_have_value("planned")
    assert BoardCard.objects.get(insight=insight, board__slug="product").column == Column.PLANNED
    page.reload()
    expect(board_column(page, "planned")).to_have_count(1)
    page.context.close()

    mark_the_quote_used(browser, live_server.url, loop)
    each_sees_the_others_change(browser, live_server.url, loop)


def test_a_product_designer_moves_the_card_with_the_keyboard(browser, live_server, loop):
    capture_tagged_quote(loop)
    make_insight_on_the_synthesis_screen(browser, live_server.url, loop)

    page = laptop(browser)
    log_in(page, live_server.url, loop.team.product.username)
    open_board(page, live_server.url)
    page.get_by_label(f"Move to ({STATEMENT})").focus()
    page.keyboard.type("Planned")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=f"Move ({STATEMENT})")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_have_text(f"Moved “{STATEMENT}” to Planned.")
    expect(board_column(page, "planned")).to_have_count(1)
    page.context.close()

    mark_the_quote_used(browser, live_server.url, loop)
    each_sees_the_others_change(browser, live_server.url, loop)


def test_a_refused_drag_puts_the_card_back_and_says_why(browser, live_server, loop):
    quote = capture_tagged_quote(loop)
    insight = insights.insight_create(
        study=loop.team.study,
        actor=loop.team.researcher,
        statement=STATEMENT,
        observation_ids=[quote.pk],
        tag_ids=[loop.pain.pk],
    )
    page = laptop(browser)
    log_in(page, live_server.url, loop.team.product.username)
    open_board(page, live_server.url)
    expect(page.locator("[data-board][data-ready]")).to_have_count(1)
    # Meanwhile a researcher takes the tag off: the rules take the card off the board.
    insights.insight_update(insight=insight, actor=loop.team.researcher, tag_ids=[])

    page.locator("[data-card] .board-card-facts").drag_to(page.locator('[data-column="shipped"]'))

    expect(page.locator("[data-board-status]")).to_have_text(
        f"Could not move “{STATEMENT}”: This insight is no longer on Product board. "
        "It is back in New."
    )
    expect(board_column(page, "new")).to_have_count(1)
    expect(board_column(page, "shipped")).to_have_count(0)
    assert BoardCard.objects.get(insight=insight).column == Column.NEW
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_board_insight_and_quote_bank_pages_fit_and_are_accessible(
    browser, live_server, loop, size
):
    quote = capture_tagged_quote(loop)
    team = loop.team
    insight = insights.insight_create(
        study=team.study,
        actor=team.researcher,
        statement=STATEMENT,
        description="Seen in most homes this round: food is bought twice or thrown away.",
        observation_ids=[quote.pk],
        photo_ids=list(Photo.objects.values_list("pk", flat=True)),
        tag_ids=[loop.pain.pk, loop.quotable.pk],
    )
    other = insights.insight_create(
        study=team.study,
        actor=team.researcher,
        statement="Leftovers are stacked in takeaway tubs nobody labels.",
        observation_ids=[quote.pk],
        tag_ids=[loop.pain.pk],
    )
    boards.card_move(
        card=BoardCard.objects.get(insight=other, board__slug="product"),
        column=Column.EXPLORING,
        actor=team.product,
    )
    boards.card_move(
        card=BoardCard.objects.get(insight=insight, board__slug="product"),
        column=Column.PLANNED,
        actor=team.product,
    )
    insights.comment_create(insight=insight, author=team.marketing, text="Great for spring.")
    quotes.quote_use_record(
        quote=quote, actor=team.marketing, campaign=CAMPAIGN, link="https://example.org/spring"
    )

    for persona, name, path in [
        (team.product, "product-board", "/boards/product/"),
        (team.marketing, "marketing-board", "/boards/marketing/"),
        (team.product, "insight", f"/insights/{insight.pk}/"),
        (team.researcher, "insight-researcher", f"/insights/{insight.pk}/"),
        (team.marketing, "quote-bank", "/quotes/"),
    ]:
        page = test_browser.new_page(browser, size)
        log_in(page, live_server.url, persona.username)
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # The folded forms are checked open: the insight's edit form, a quote's use form.
        for summary in page.locator("main summary").all()[:1]:
            summary.click()
        page.wait_for_function(THUMBNAILS_IN_VIEW_LOADED)
        check_page(page, name, size)
        page.context.close()
