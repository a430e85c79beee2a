"""The search page: results with marked matches, filters, pages, and its look in a browser."""

import io
import os
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from studies.fieldwork.models import Observation, ObservationKind, Photo, PhotoStatus
from studies.fieldwork.services.photos import photo_ingest
from studies.scheduling.models import ConsentKind, GuideQuestion
from studies.synthesis.models import Insight
from studies.synthesis.services import insights
from tests.factories import ConsentFactory, ObservationFactory
from tests.frontend.conftest import World

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, expect, sync_playwright

from tests.environment import unavailable
from tests.frontend.test_browser import CHROMIUM, SIZES, check_page, log_in, new_page

SEARCH = reverse("frontend:search")


@dataclass
class Found:
    world: World
    note: Observation
    quote: Observation
    insight: Insight


@pytest.fixture
def found(world: World) -> Found:
    visit = world.visit
    # Marketing members find a household's quotes only while it consents to marketing use.
    ConsentFactory(household=visit.household, kind=ConsentKind.MARKETING)
    note = ObservationFactory(
        visit=visit,
        text="Leftovers go in stacked tubs at the back of the fridge, <script>alert(1)</script>.",
    )
    quote = ObservationFactory(
        visit=visit,
        kind=ObservationKind.QUOTE,
        text=(
            "By Wednesday nobody wants the leftovers any more, so they sit behind the milk "
            "until someone throws them away."
        ),
        speaker="mother, 40s",
    )
    insight = insights.insight_create(
        study=world.team.study,
        actor=world.team.lead,
        statement="Leftovers are forgotten once they are out of sight.",
        description="Households stack tubs two deep; what is behind is not eaten.",
        observation_ids=[note.pk, quote.pk],
    )
    return Found(world=world, note=note, quote=quote, insight=insight)


@dataclass
class Evidence:
    """What else a search for "leftovers" finds beside `found`: a photo found by a tag, an
    answer with its question, and a quote its household has not cleared for marketing."""

    photo: Photo
    answer: Observation
    unconsented: Observation


def jpeg() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (640, 480), (40, 110, 170))
    image.paste((235, 235, 240), (0, 300, 640, 480))
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@pytest.fixture
def evidence(found, settings, tmp_path, django_capture_on_commit_callbacks) -> Evidence:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = found.world
    # Processed as the pipeline does once the upload commits, so it has a thumbnail.
    with django_capture_on_commit_callbacks(execute=True):
        photo = photo_ingest(
            visit=world.visit,
            author=world.team.researcher,
            content=jpeg(),
            caption="Tubs stacked two deep behind the milk",
            tag_names=["Leftovers", "Stacking"],
            captured_at=timezone.now(),
        )
    question = GuideQuestion.objects.get(round=world.current_round, text="Show me your fridge.")
    answer = ObservationFactory(
        visit=world.visit,
        kind=ObservationKind.ANSWER,
        text="The leftovers shelf is the top one, behind the yoghurt.",
        guide_question=question,
        question_text=question.text,
    )
    unconsented = ObservationFactory(
        visit=world.other_visit,
        kind=ObservationKind.QUOTE,
        text="We eat leftovers on Thursdays, or they go to the dog.",
        speaker="father, 50s",
    )
    return Evidence(photo=Photo.objects.get(pk=photo.pk), answer=answer, unconsented=unconsented)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(SEARCH, {"q": "leftovers"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={SEARCH}%3Fq%3Dleftovers"


def test_before_a_search_it_says_what_it_does(client, world):
    client.force_login(world.team.researcher)

    response = client.get(SEARCH)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Type a few words above to search" in page
    assert "search-results" not in page
    # Searching everything unless told otherwise, so every kind starts ticked.
    assert all(
        f'value="{kind}" id="id_kind_{n}" checked' in page
        for n, kind in enumerate(["observation", "quote", "insight", "photo"])
    )


def test_it_lists_hits_with_their_matches_marked(client, found):
    client.force_login(found.world.team.product)

    response = client.get(SEARCH, {"q": "leftovers"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "3 results" in page
    assert (
        f'<a href="/insights/{found.insight.pk}/"><span><mark>Leftovers</mark> are forgotten '
        "once they are out of sight.</span></a>"
    ) in page
    assert (
        "<mark>Leftovers</mark> go in stacked tubs at the back of the fridge, "
        "&lt;script&gt;alert(1)&lt;/script&gt;."
    ) in page
    assert "<script>alert(1)</script>" not in page
    assert "nobody wants the <mark>leftovers</mark> any more" in page
    assert "— mother, 40s" in page
    code = found.world.visit.household.code
    assert page.count(f'href="/visits/{found.world.visit.pk}/#obs-') == 2
    assert page.count(f">Visit to {code}</a>") == 2
    assert page.count('<span class="badge badge-quote">Quote</span>') == 1
    assert page.count('<span class="badge badge-observation">Observation</span>') == 1
    assert page.count('<span class="badge badge-insight">Insight</span>') == 1
    assert page.count(f'<span class="code">{code}</span>') == 2


def test_a_photo_hit_shows_its_thumbnail_caption_and_tags(client, found, evidence):
    client.force_login(found.world.team.sales)

    response = client.get(SEARCH, {"q": "stacking", "kind": "photo"})

    page = response.content.decode()
    photo = evidence.photo
    code = found.world.visit.household.code
    assert photo.status == PhotoStatus.READY
    assert "1 result<" in page
    assert '<span class="badge badge-photo">Photo</span>' in page
    assert f'<source srcset="/photos/{photo.pk}/thumb.webp" type="image/webp">' in page
    assert f'<img src="/photos/{photo.pk}/thumb.jpg" alt="Photo taken at {code}"' in page
    assert '<p class="hit-snippet">Tubs <mark>stacked</mark> two deep behind the milk</p>' in page
    assert (
        '<span class="chip">Leftovers</span> <span class="chip"><mark>Stacking</mark></span>'
    ) in page
    assert (
        f'<a class="hit-link" href="/visits/{found.world.visit.pk}/#photo-{photo.pk}">'
        f"See it on the visit to {code}</a>"
    ) in page
    assert f'<span class="code">{code}</span>' in page
    assert "Round NOW-1" in page


def test_an_answer_shows_its_question_and_a_quote_its_consent(client, found, evidence):
    client.force_login(found.world.team.product)

    page = client.get(SEARCH, {"q": "leftovers"}).content.decode()

    assert "6 results" in page
    assert "Asked: “Show me your fridge.”</p>" in page
    assert "The <mark>leftovers</mark> shelf is the top one" in page
    # The quote of the household without marketing consent, and only it, is labelled.
    labelled = [hit for hit in hits_in(page) if "Not for marketing use" in hit]
    assert len(labelled) == 1
    assert "We eat <mark>leftovers</mark> on Thursdays" in labelled[0]
    assert "Copy" not in page


def hits_in(page: str) -> list[str]:
    return page.split('<li class="card search-hit">')[1:]


def test_marketing_does_not_find_quotes_it_may_not_use(client, found, evidence):
    client.force_login(found.world.team.marketing)

    page = client.get(SEARCH, {"q": "leftovers"}).content.decode()

    assert "5 results" in page
    assert "Thursdays" not in page
    assert "Not for marketing use" not in page
    assert "nobody wants the <mark>leftovers</mark> any more" in page


def test_kind_and_study_filters_narrow_the_hits(client, found):
    client.force_login(found.world.team.lead)
    study = str(found.world.team.study.pk)

    quotes = client.get(SEARCH, {"q": "leftovers", "kind": "quote", "study": study})
    not_quotes = client.get(SEARCH + "?q=leftovers&kind=observation&kind=insight")

    assert "1 result<" in quotes.content.decode()
    assert "badge-quote" in quotes.content.decode()
    assert "badge-insight" not in quotes.content.decode()
    assert "2 results" in not_quotes.content.decode()
    assert "badge-quote" not in not_quotes.content.decode()
    assert 'value="quote" id="id_kind_1" checked' in quotes.content.decode()


def test_an_outsider_finds_nothing_of_the_study(client, found):
    client.force_login(found.world.team.outsider)

    response = client.get(SEARCH, {"q": "leftovers"})

    page = response.content.decode()
    assert "0 results" in page
    assert "Nothing matches “leftovers”." in page
    assert found.world.team.study.title not in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"kind": "video"}, "kind", "Select a valid choice. video is not one of the"),
        ({"study": "not-a-uuid"}, "study", "Select a valid choice. not-a-uuid is not one of"),
        ({"page": "0"}, "page", "Ensure this value is greater than or equal to 1."),
        ({"page": "9" * 30}, "page", "Ensure this value is less than or equal to 1000."),
        ({"q": "x" * 201}, "q", "Ensure this value has at most 200 characters"),
    ],
)
def test_filters_that_cannot_be_read_are_refused_by_name(client, world, params, field, message):
    client.force_login(world.team.lead)

    response = client.get(SEARCH, {"q": "leftovers", **params})

    assert response.status_code == 400
    assert response.context["form"].errors[field][0].startswith(message)
    assert "The search could not be run; correct it below." in response.content.decode()


def test_a_study_the_user_is_not_on_cannot_be_chosen(client, found):
    client.force_login(found.world.team.outsider)

    response = client.get(SEARCH, {"q": "leftovers", "study": str(found.world.team.study.pk)})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["study"]


def test_it_pages_through_many_results(client, found):
    for index in range(25):
        ObservationFactory(visit=found.world.visit, text=f"More leftovers, number {index}.")
    client.force_login(found.world.team.lead)

    first = client.get(SEARCH, {"q": "leftovers"}).content.decode()
    second = client.get(SEARCH, {"q": "leftovers", "page": "2"}).content.decode()
    beyond = client.get(SEARCH, {"q": "leftovers", "page": "9"}).content.decode()

    assert "28 results" in first
    assert "Page 1 of 2" in first
    assert 'href="?q=leftovers&amp;page=2">Next page</a>' in first
    assert '<ol class="search-results" start="21">' in second
    assert 'href="?q=leftovers&amp;page=1">Previous page</a>' in second
    assert second.count('class="card search-hit"') == 8
    assert "There are fewer pages of results than that." in beyond


def test_the_page_takes_seven_queries(client, found, django_assert_num_queries):
    for _ in range(10):
        ObservationFactory(visit=found.world.visit, text="Leftovers again.")
    client.force_login(found.world.team.lead)

    # session, user, the user's studies for the filter, then the search: the ranked page
    # with highlights, the page's observations, the page's insights; the menu's role check
    with django_assert_num_queries(7):
        response = client.get(SEARCH, {"q": "leftovers"})

    assert response.status_code == 200


def test_a_page_with_photos_takes_one_query_more(
    client, found, evidence, django_assert_num_queries
):
    client.force_login(found.world.team.lead)

    # session, user, the user's studies for the filter, then the search: the ranked page
    # with highlights, the page's observations, its insights, its photos; the menu's role
    # check
    with django_assert_num_queries(8):
        response = client.get(SEARCH, {"q": "leftovers"})

    assert response.status_code == 200
    assert response.context["results"].total == 6


# --- In a browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Browser:
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_the_results_fit_and_are_accessible(browser, live_server, found, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, found.world.team.marketing.username)
    page.goto(f"{live_server.url}{SEARCH}")
    check_page(page, "search-empty", size)

    page.get_by_label("Search for").fill("leftovers")
    page.get_by_label("Search for").press("Enter")

    expect(page.get_by_role("heading", level=2)).to_have_text("3 results")
    expect(page.locator("mark")).to_have_count(3)
    expect(
        page.get_by_role("link", name="Leftovers are forgotten once they are out of sight.")
    ).to_have_attribute("href", f"/insights/{found.insight.pk}/")
    check_page(page, "search", size)
    page.context.close()


@pytest.mark.browser
def test_a_filter_narrows_the_results_without_javascript(browser, live_server, found):
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, found.world.team.lead.username)
    page.goto(f"{live_server.url}{SEARCH}?q=leftovers")

    page.get_by_label("Observation").uncheck()
    page.get_by_label("Insight").uncheck()
    page.get_by_label("Photo").uncheck()
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("1 result")
    expect(page.locator(".badge-quote")).to_have_count(1)
    assert page.url.endswith("?q=leftovers&kind=quote&study=")
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_a_photo_hit_and_a_labelled_quote_fit_and_are_accessible(
    browser, live_server, found, evidence, size
):
    page = new_page(browser, size)
    log_in(page, live_server.url, found.world.team.product.username)
    page.goto(f"{live_server.url}{SEARCH}?q=leftovers")

    expect(page.get_by_role("heading", level=2)).to_have_text("6 results")
    code = found.world.visit.household.code
    thumbnail = page.get_by_role("img", name=f"Photo taken at {code}")
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("(image) => image.naturalWidth") > 0
    expect(page.get_by_role("link", name=f"See it on the visit to {code}")).to_have_attribute(
        "href", f"/visits/{found.world.visit.pk}/#photo-{evidence.photo.pk}"
    )
    expect(page.get_by_text("Not for marketing use", exact=True)).to_have_count(1)
    expect(page.get_by_text("Asked: “Show me your fridge.”")).to_be_visible()
    check_page(page, "search-photo", size)
    page.context.close()
