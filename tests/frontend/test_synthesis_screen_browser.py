"""The synthesis screen, the insights list and the tags page in Debian's Chromium: a lead
makes an insight from quotes of two households in two rounds; every page fits a phone and
a laptop and passes axe.

Same set-up as test_browser.py (its Chromium fixture and helpers): under CI a missing
Chromium fails, elsewhere it skips.
"""

import datetime as dt
import os
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, expect

from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    PhotoStatus,
)
from studies.fieldwork.services.photos import photo_ingest
from studies.scheduling.models import GuideQuestion
from studies.synthesis.models import Evidence, Insight
from studies.synthesis.services import insights
from tests.factories import ObservationFactory
from tests.frontend import test_browser
from tests.frontend.test_browser import SIZES, check_page, log_in, new_page
from tests.frontend.test_synthesis_browser import THUMBNAILS_IN_VIEW_LOADED, jpeg
from tests.synthesis import conftest as synthesis_fixtures
from tests.synthesis.conftest import Field

# The one Chromium per module, as test_browser.py launches it (and fails under CI without it).
browser = test_browser.browser
# The synthesis tests' study: three households, two rounds of notes and quotes, tags, boards.
field = synthesis_fixtures.field

pytestmark = pytest.mark.browser


@pytest.fixture
def earlier_quote(field: Field) -> Observation:
    """A quote from the second household in the first round, and the first household's
    latest quote tagged, so two households in two rounds can be picked."""
    ObservationTag.objects.create(observation=field.quotes[0], tag=field.pain)
    return ObservationFactory(
        visit=field.notes[1].visit,
        kind=ObservationKind.QUOTE,
        text="We throw out a bag of peas every month, still sealed.",
        speaker="father, 30s",
    )


def pages_with_content(field: Field) -> dict[str, str]:
    study = field.team.study.pk
    return {
        "synthesis": f"/studies/{study}/synthesis/",
        "insights": f"/studies/{study}/insights/",
        "tags": f"/studies/{study}/tags/",
    }


def test_a_lead_makes_an_insight_from_two_households_in_two_rounds(
    browser, live_server, field, earlier_quote
):
    page: Page = new_page(browser, "laptop")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, field.team.lead.username)
    page.goto(f"{live_server.url}/studies/{field.team.study.pk}/synthesis/")

    page.get_by_label("Kind").select_option(label="Verbatim quote")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("input[name=observations]")).to_have_count(4)

    page.locator(f"#pick-{field.quotes[0].pk}").check()
    page.locator(f"#pick-{earlier_quote.pk}").check()
    expect(page.locator(".synth-panel [data-selected-count]")).to_have_text(
        "2 observations and photos ticked"
    )
    # The ticked quote's tag is ticked in the new insight's form for the lead.
    panel = page.locator(".synth-panel")
    expect(panel.get_by_label("Freezer blindness")).to_be_checked()
    expect(panel.get_by_label("Say it like this")).not_to_be_checked()
    page.get_by_label("Statement").fill("Sealed food is forgotten until it is thrown away.")
    page.get_by_label("Answers the research question").select_option(label=field.question.text)
    page.get_by_role("button", name="Create insight").click()

    page.wait_for_url(f"{live_server.url}/studies/{field.team.study.pk}/insights/*")
    insight = Insight.objects.get()
    card = page.locator(f"#insight-{insight.pk}")
    expect(page.get_by_role("status")).to_contain_text("Insight created, backed by 2 households.")
    expect(card).to_contain_text("Sealed food is forgotten until it is thrown away.")
    expect(card).to_contain_text("2 households")
    expect(card.locator(".insight-facts .chip").first).to_have_text("2026-Q3")
    expect(card).to_contain_text("2026-Q4")
    expect(card).to_contain_text(field.question.text)
    expect(card).to_contain_text("Freezer blindness")
    assert (insight.household_count, insight.research_question_id) == (2, field.question.pk)
    assert set(insight.evidence.values_list("observation_id", flat=True)) == {
        field.quotes[0].pk,
        earlier_quote.pk,
    }
    assert list(insight.tags.all()) == [field.pain]
    assert not errors, f"script errors: {errors}"
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["synthesis", "insights", "tags"])
def test_each_synthesis_page_fits_and_is_accessible(
    browser, live_server, field, earlier_quote, name, size
):
    insights.insight_create(
        study=field.team.study,
        actor=field.team.lead,
        statement="Sealed food is forgotten until it is thrown away.",
        description="Seen in two homes, in two rounds: the freezer hides what is in it.",
        observation_ids=[field.quotes[0].pk, earlier_quote.pk, field.notes[2].pk],
        tag_ids=[field.pain.pk, field.quotable.pk],
        research_question_id=field.question.pk,
    )
    ObservationTag.objects.create(observation=field.notes[0], tag=field.delight)
    page = new_page(browser, size)
    log_in(page, live_server.url, field.team.lead.username)

    page.goto(live_server.url + pages_with_content(field)[name])

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page, name, size)
    page.context.close()


# --- The selection tray ---------------------------------------------------------------------

CAPTION = "The freezer drawer, packed to the lid"
EXTRA_NOTES = 55  # more than a page (50) of items


@dataclass
class Paged:
    field: Field
    first_page: Observation  # the newest note, tagged "Freezer blindness": on page 1
    second_page: Observation  # the oldest note: on page 2
    answer: Observation  # an answer to a guide question, on page 1
    photo: Photo  # a tagged photo with no note, the oldest item: on page 2

    @property
    def url(self) -> str:
        return f"/studies/{self.field.team.study.pk}/synthesis/"

    @property
    def key(self) -> str:
        return f"rh-tray-{self.field.team.lead.pk}-{self.field.team.study.pk}"


@pytest.fixture
def paged(field: Field, settings, tmp_path) -> Paged:
    """The synthesis study with two pages of items: many notes, an answer, a photo alone."""
    settings.MEDIA_ROOT = tmp_path / "media"
    household = field.households[1]
    visit = field.quotes[1].visit
    start = timezone.now()
    notes = [
        ObservationFactory(
            visit=visit,
            text=f"Checks the fridge door shelf every morning ({index}).",
            captured_at=start + dt.timedelta(minutes=index),
        )
        for index in range(EXTRA_NOTES)
    ]
    ObservationTag.objects.create(observation=notes[-1], tag=field.pain)
    question = GuideQuestion.objects.create(
        round=field.rounds[1], position=0, text="What did you throw away this week?"
    )
    answer = ObservationFactory(
        visit=visit,
        kind=ObservationKind.ANSWER,
        text="A whole bag of spinach.",
        guide_question=question,
        question_text=question.text,
        captured_at=start + dt.timedelta(minutes=EXTRA_NOTES, seconds=30),
    )
    photo = photo_ingest(
        visit=field.quotes[2].visit,
        author=field.team.researcher,
        content=jpeg(),
        caption=CAPTION,
        tag_names=[field.quotable.name],
        captured_at=start - dt.timedelta(days=30),
    )
    assert Photo.objects.get(pk=photo.pk).status == PhotoStatus.READY
    assert household.pk == visit.household_id
    return Paged(
        field=field,
        first_page=notes[-1],
        second_page=field.notes[0],
        answer=answer,
        photo=photo,
    )


def synthesis_page(browser: Browser, base_url: str, paged: Paged, size: str = "laptop") -> Page:
    page = new_page(browser, size)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Changing a filter loses nothing, so nothing may ask to confirm it.
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.errors = errors  # type: ignore[attr-defined]
    log_in(page, base_url, paged.field.team.lead.username)
    page.goto(base_url + paged.url)
    expect(page.locator("[data-tray-kept]")).to_be_visible()
    return page


def tray(page: Page):
    return page.locator("[data-tray-list] li")


def filter_by_kind(page: Page, kind: str) -> None:
    page.get_by_label("Kind").select_option(label=kind)
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()


def stored(page: Page, paged: Paged) -> str | None:
    return page.evaluate("(key) => localStorage.getItem(key)", paged.key)


def test_a_selection_survives_pages_and_filters_and_becomes_one_insight(
    browser, live_server, paged
):
    page = synthesis_page(browser, live_server.url, paged)
    panel = page.locator(".synth-panel")

    page.locator(f"#pick-{paged.first_page.pk}").check()
    expect(tray(page)).to_have_count(1)
    expect(tray(page).first).to_contain_text("Note · ")
    expect(tray(page).first).to_contain_text("Checks the fridge door shelf every morning (54).")
    expect(panel.get_by_label("Freezer blindness")).to_be_checked()

    page.get_by_role("link", name="Next page").first.click()
    expect(page.locator(f"#pick-{paged.second_page.pk}")).to_be_visible()
    expect(tray(page)).to_have_count(1)
    page.locator(f"#pick-{paged.second_page.pk}").check()
    expect(tray(page)).to_have_count(2)

    filter_by_kind(page, "Verbatim quote")
    expect(page.locator("input[name=observations][data-pick]")).to_have_count(3)
    expect(tray(page)).to_have_count(2)
    filter_by_kind(page, "Photo")
    expect(tray(page)).to_have_count(2)
    page.locator(f"#pick-{paged.photo.pk}").check()
    expect(page.locator("[data-selected-count]").first).to_have_text("3 ticked")
    expect(panel.locator(".synth-count")).to_have_text("3 observations and photos ticked")
    expect(tray(page).nth(2)).to_contain_text(f"Photo · {paged.photo.visit.household.code}")
    # The photo's tag joins the ticked tags.
    expect(panel.get_by_label("Say it like this")).to_be_checked()

    # Removing one from the tray leaves the others.
    page.get_by_role("button", name=re.compile(r"^Remove Note · .*\(0\)")).click()
    expect(tray(page)).to_have_count(2)
    expect(page.get_by_role("button", name=re.compile("^Remove Photo"))).to_be_focused()
    page.get_by_label("Statement").fill("Forgotten food hides at the back of the fridge.")
    check_page(page, "synthesis-tray", "laptop")
    page.get_by_role("button", name="Create insight").click()

    page.wait_for_url(re.compile(r"/insights/"))
    insight = Insight.objects.get()
    assert set(
        Evidence.objects.filter(insight=insight).values_list("observation_id", "photo_id")
    ) == {
        (paged.first_page.pk, None),
        (None, paged.photo.pk),
    }
    assert {tag.name for tag in insight.tags.all()} == {"Freezer blindness", "Say it like this"}

    # Made: the selection and what was typed are gone, here and in the browser's storage,
    # also on the page the browser's Back button returns to.
    page.go_back()
    expect(page.locator("[data-tray-kept]")).to_be_visible()
    expect(tray(page)).to_have_count(0)
    page.goto(live_server.url + paged.url)
    expect(page.locator("[data-tray-kept]")).to_be_visible()
    expect(tray(page)).to_have_count(0)
    expect(page.get_by_label("Statement")).to_have_value("")
    expect(page.locator(f"#pick-{paged.first_page.pk}")).not_to_be_checked()
    assert stored(page, paged) is None
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    page.context.close()


def test_clear_all_empties_the_selection(browser, live_server, paged):
    page = synthesis_page(browser, live_server.url, paged)
    page.locator(f"#pick-{paged.first_page.pk}").check()
    page.locator(f"#pick-{paged.answer.pk}").check()
    expect(tray(page)).to_have_count(2)
    assert stored(page, paged) is not None

    page.get_by_role("button", name="Clear all").click()

    expect(tray(page)).to_have_count(0)
    expect(page.get_by_role("button", name="Clear all")).to_be_hidden()
    expect(page.locator(".synth-panel .synth-count")).to_have_text("Nothing ticked yet")
    expect(page.locator(f"#pick-{paged.first_page.pk}")).not_to_be_checked()
    expect(page.locator("#tray-heading")).to_be_focused()
    assert stored(page, paged) is None
    page.reload()
    expect(tray(page)).to_have_count(0)
    page.context.close()


def test_an_answer_shows_its_question_and_the_question_filter_finds_it(browser, live_server, paged):
    page = synthesis_page(browser, live_server.url, paged)
    answer = page.locator(f"#obs-{paged.answer.pk}")
    expect(answer).to_contain_text("Asked: “What did you throw away this week?”")

    page.get_by_label("Question", exact=True).select_option(
        label="What did you throw away this week?"
    )
    page.get_by_role("button", name="Filter").click()

    expect(page.locator("input[data-pick]")).to_have_count(1)
    expect(page.locator(f"#pick-{paged.answer.pk}")).to_be_visible()
    page.context.close()


def test_a_refused_form_comes_back_with_everything_ticked(browser, live_server, paged):
    page = synthesis_page(browser, live_server.url, paged)
    page.locator(f"#pick-{paged.first_page.pk}").check()
    page.get_by_role("link", name="Next page").first.click()
    page.locator(f"#pick-{paged.photo.pk}").check()
    page.get_by_role("link", name="Previous page").first.click()
    expect(tray(page)).to_have_count(2)

    page.get_by_role("button", name="Create insight").click()

    expect(page.locator("#id_statement_error, .errorlist").first).to_contain_text(
        "Say in one sentence what was learned."
    )
    expect(tray(page)).to_have_count(2)
    expect(page.locator(f"#pick-{paged.first_page.pk}")).to_be_checked()
    page.get_by_label("Statement").fill("Fridge doors are checked; the back is not.")
    page.get_by_role("button", name="Create insight").click()

    page.wait_for_url(re.compile(r"/insights/"))
    insight = Insight.objects.get()
    assert set(
        Evidence.objects.filter(insight=insight).values_list("observation_id", "photo_id")
    ) == {
        (paged.first_page.pk, None),
        (None, paged.photo.pk),
    }
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    page.context.close()


def test_evidence_is_added_to_an_insight_from_its_page(browser, live_server, paged):
    field = paged.field
    insight = insights.insight_create(
        study=field.team.study,
        actor=field.team.lead,
        statement="The fridge door is where food is seen.",
        observation_ids=[field.quotes[0].pk],
    )
    page = new_page(browser, "laptop")
    log_in(page, live_server.url, field.team.lead.username)
    page.goto(f"{live_server.url}/insights/{insight.pk}/")

    page.get_by_role("link", name="Add evidence").click()

    page.wait_for_url(re.compile(rf"\?insight={insight.pk}"))
    expect(page.get_by_label("Insight", exact=True)).to_have_value(str(insight.pk))
    page.locator(f"#pick-{paged.first_page.pk}").check()
    filter_by_kind(page, "Photo")
    assert f"insight={insight.pk}" in page.url
    page.locator(f"#pick-{paged.photo.pk}").check()
    expect(page.get_by_label("Insight", exact=True)).to_have_value(str(insight.pk))
    page.get_by_role("button", name="Add as evidence").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Added 2 pieces of evidence to “The fridge door is where food is seen.”"
    )
    expect(tray(page)).to_have_count(0)
    assert stored(page, paged) is None
    assert set(insight.evidence.values_list("observation_id", "photo_id")) == {
        (field.quotes[0].pk, None),
        (paged.first_page.pk, None),
        (None, paged.photo.pk),
    }
    page.context.close()


def test_without_javascript_the_form_still_makes_an_insight_of_one_page(
    browser, live_server, paged
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, live_server.url, paged.field.team.lead.username)
    page.goto(live_server.url + paged.url)
    page.locator(f"#pick-{paged.first_page.pk}").check()
    page.locator(f"#pick-{paged.answer.pk}").check()

    page.get_by_role("button", name="Create insight").click()
    # Refused (no statement): the selection comes back with it.
    expect(page.locator(f"#pick-{paged.answer.pk}")).to_be_checked()
    expect(page.locator(".synth-panel .synth-count")).to_have_text(
        "2 observations and photos ticked"
    )
    page.get_by_label("Statement").fill("Spinach goes first.")
    page.get_by_role("button", name="Create insight").click()

    page.wait_for_url(re.compile(r"/insights/"))
    assert set(Insight.objects.get().evidence.values_list("observation_id", flat=True)) == {
        paged.first_page.pk,
        paged.answer.pk,
    }
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_screen_with_a_selection_fits_and_is_accessible(browser, live_server, paged, size):
    page = synthesis_page(browser, live_server.url, paged, size)
    page.locator(f"#pick-{paged.first_page.pk}").check()
    page.locator(f"#pick-{paged.answer.pk}").check()
    filter_by_kind(page, "Photo")
    page.locator(f"#pick-{paged.photo.pk}").check()
    expect(tray(page)).to_have_count(3)
    page.wait_for_function(THUMBNAILS_IN_VIEW_LOADED)

    check_page(page, "synthesis-photos", size)
    page.goto(live_server.url + paged.url)
    expect(tray(page)).to_have_count(3)
    check_page(page, "synthesis-selection", size)

    # Deep in the list, the count stays in sight: at the bottom on a phone, in the panel
    # beside the list on a laptop.
    page.get_by_role("link", name="Next page").first.scroll_into_view_if_needed()
    page.mouse.wheel(0, -1500)
    page.wait_for_timeout(200)
    page.screenshot(path=str(test_browser.SCREENSHOTS / f"synthesis-scrolled-{size}.png"))
    counter = page.locator(".synth-tray-bar" if size == "phone" else ".synth-panel .synth-count")
    expect(counter).to_be_in_viewport()
    expect(counter).to_contain_text("3")
    if size == "phone":
        page.locator(".synth-tray-bar").get_by_role("link", name="Your selection").click()
        expect(page.locator("#tray-heading")).to_be_in_viewport()
    page.context.close()


def test_a_selection_never_outlives_its_owner_in_this_browser(browser, live_server, paged):
    page = synthesis_page(browser, live_server.url, paged)
    page.locator(f"#pick-{paged.first_page.pk}").check()
    assert stored(page, paged) is not None
    kept = "() => Object.keys(localStorage).filter((key) => key.startsWith('rh-tray-'))"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile("/login/"))

    # Logging out clears every selection kept in this browser.
    assert page.evaluate(kept) == []
    # One left by someone whose logout never ran goes when another person opens the screen.
    page.evaluate("localStorage.setItem('rh-tray-0-left-behind', '{\"items\": []}')")
    log_in(page, live_server.url, paged.field.team.researcher.username)
    page.goto(live_server.url + paged.url)
    expect(page.locator("[data-tray-kept]")).to_be_visible()
    expect(tray(page)).to_have_count(0)
    assert page.evaluate(kept) == []
    page.context.close()
