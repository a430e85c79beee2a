"""The loop played end to end in Debian's Chromium, as its people would play it.

Rita, on her phone with no signal, captures a note, a quote, an answer and a photo with a tag
and no note; back online, it all syncs. Laura, the lead, picks the photo and the answer (and
the quote) into one insight across filter changes. Paula sees it on the product board with
the photo, and the question the answer was given to on its page. Mark finds the quote in the
quote bank, and on the round report sees a quote whose household withdrew marketing consent
labelled "Not for marketing use". Every page visited passes axe-core at phone (360×640) and
laptop sizes.
"""

import datetime as dt
import os
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from studies.common.roles import Role
from studies.fieldwork.models import Observation, ObservationKind, Photo, PhotoStatus, TagGroup
from studies.scheduling import services
from studies.scheduling.models import ConsentKind, GuideQuestion, VisitStatus
from studies.synthesis.models import BoardCard, Insight
from studies.synthesis.services.insights import insight_create
from tests.conftest import enrol_consenting
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    ObservationFactory,
    RoundFactory,
    StudyFactory,
    TagFactory,
    UserFactory,
)
from tests.frontend.conftest import local

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Page, expect

from tests.frontend import test_browser
from tests.frontend.test_browser import SIZES, check_page
from tests.frontend.test_capture_browser import (
    LAPTOP,
    PHONE,
    SYNC_TIMEOUT_MS,
    capture_note,
    jpeg,
    log_in,
    phone,
    wait_for_offline_copy,
)

browser = test_browser.browser

pytestmark = pytest.mark.browser

QUESTION = "Walk us through last night's leftovers."
NOTE = "Leftovers go behind the milk and are found a week later."
QUOTE = "If I can't see it, it doesn't exist."
ANSWER = "Two tubs, one labelled, the other a mystery by Thursday."
WITHDRAWN_QUOTE = "The freezer eats things and gives them back in March."


@pytest.fixture
def loop(db):
    """A study with Laura (lead), Rita (researcher), Paula (product) and Mark (marketing);
    Rita's visit to H-…-000 is due tomorrow. Another household, visited in the same round,
    withdrew its marketing consent after a quote of it was made an insight."""
    study = StudyFactory(title="Food at home", status="active")
    people = {
        name: MembershipFactory(study=study, role=role, user=UserFactory(username=name)).user
        for name, role in [
            ("laura", Role.RESEARCH_LEAD),
            ("rita", Role.RESEARCHER),
            ("paula", Role.PRODUCT),
            ("mark", Role.MARKETING),
        ]
    }
    households = enrol_consenting(study, 2)
    for household in households:
        ConsentFactory(household=household, kind=ConsentKind.MARKETING)
    today = services.study_today(study)
    round_ = RoundFactory(
        study=study,
        label="NOW",
        window_start=today - dt.timedelta(days=7),
        window_end=today + dt.timedelta(days=30),
    )
    GuideQuestion.objects.create(round=round_, position=0, text=QUESTION)
    GuideQuestion.objects.create(round=round_, position=1, text="Who shops, and when?")
    pain = TagFactory(study=study, name="Forgotten food", group=TagGroup.PAIN_POINT)
    quotable = TagFactory(study=study, name="Say it like this", group=TagGroup.QUOTE_WORTHY)
    tomorrow = today + dt.timedelta(days=1)
    visit = services.visit_create(
        round_=round_,
        household=households[0],
        researcher=people["rita"],
        start=local(tomorrow, 10, study.time_zone),
        end=local(tomorrow, 10, study.time_zone) + dt.timedelta(minutes=90),
        actor=people["laura"],
    )
    earlier = services.visit_create(
        round_=round_,
        household=households[1],
        researcher=people["rita"],
        start=local(today - dt.timedelta(days=2), 14, study.time_zone),
        end=local(today - dt.timedelta(days=2), 14, study.time_zone) + dt.timedelta(minutes=90),
        actor=people["laura"],
    )
    for status in (VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED):
        services.visit_transition(visit=earlier, actor=people["rita"], to_status=status)
    withdrawn = ObservationFactory(
        visit=earlier, kind=ObservationKind.QUOTE, text=WITHDRAWN_QUOTE, speaker="father, 50s"
    )
    insight_create(
        study=study,
        actor=people["laura"],
        statement="The freezer swallows food.",
        observation_ids=[withdrawn.pk],
        tag_ids=[quotable.pk],
    )
    households[1].consents.filter(kind=ConsentKind.MARKETING).update(withdrawn_at=timezone.now())
    return {
        "study": study,
        "round": round_,
        "visit": visit,
        "pain": pain,
        "quotable": quotable,
        "question": round_.guide.get(position=0),
        **people,
    }


def accessible_at_both_sizes(page: Page, name: str) -> None:
    """axe-core, layout and tap targets at phone and laptop sizes, whichever size the page
    is shown at; it is left as it was found."""
    before = page.viewport_size
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        check_page(page, f"loop-{name}", size)
    page.set_viewport_size(before)


def test_the_loop_from_a_phone_with_no_signal_to_both_boards(browser, live_server, loop):
    base = live_server.url

    # --- Rita, on her phone, in a kitchen with no signal ------------------------------------
    rita = phone(browser, PHONE)
    page = rita.new_page()
    log_in(page, base, "rita")
    page.goto(f"{base}/today/")
    accessible_at_both_sizes(page, "today")
    code = loop["visit"].household.code
    page.get_by_role("link", name=f"Capture at {code}").click()
    page.wait_for_url(f"{base}/visits/{loop['visit'].pk}/capture/")
    wait_for_offline_copy(page)
    accessible_at_both_sizes(page, "capture")
    status = page.locator("[data-sync-summary]")
    expect(status).to_have_text("Everything is synced.")
    rita.set_offline(True)

    capture_note(page, NOTE)
    page.get_by_label("Quote", exact=True).check()
    page.get_by_label("What did they say, word for word?").fill(QUOTE)
    page.get_by_label("Who said it").fill("mother, 40s")
    page.locator("[data-capture-form]").get_by_role("button", name="Say it like this").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".captured-item", has_text=QUOTE)).to_have_count(1)
    page.get_by_label("Answer", exact=True).check()
    page.get_by_label("Guide question").select_option(str(loop["question"].pk))
    page.get_by_label("Their answer").fill(ANSWER)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".captured-item", has_text=ANSWER)).to_have_count(1)
    page.locator("[data-photo-input]").set_input_files(
        [{"name": "tubs.jpg", "mimeType": "image/jpeg", "buffer": jpeg((200, 120, 40))}]
    )
    page.get_by_label("Caption for photo 1").fill("Tubs stacked behind the milk")
    page.locator("[data-photo-form]").get_by_role("button", name="Forgotten food").click()
    page.get_by_role("button", name="Save photos").click()
    expect(status).to_contain_text("3 items, 1 photo waiting to sync.")
    assert not Observation.objects.filter(visit=loop["visit"]).exists()

    rita.set_offline(False)
    expect(status).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("img[data-thumbnail]")).to_have_count(1, timeout=SYNC_TIMEOUT_MS)
    captured = {o.kind: o for o in Observation.objects.filter(visit=loop["visit"])}
    assert sorted(captured) == ["answer", "note", "quote"]
    assert captured["answer"].question == QUESTION
    photo = Photo.objects.get(visit=loop["visit"])
    assert (photo.observation, photo.status) == (None, PhotoStatus.READY)
    assert list(photo.tags.all()) == [loop["pain"]]
    loop["visit"].refresh_from_db()
    assert loop["visit"].status == VisitStatus.IN_PROGRESS  # started by the first item
    rita.close()

    # --- Laura, the lead, at her laptop: one insight across filter changes ------------------
    laura = phone(browser, LAPTOP)
    page = laura.new_page()
    log_in(page, base, "laura")
    page.goto(f"{base}/studies/{loop['study'].pk}/synthesis/")
    expect(page.locator("[data-tray-kept]")).to_be_visible()
    accessible_at_both_sizes(page, "synthesis")
    for kind, item in (
        ("Answer to a guide question", captured["answer"]),
        ("Photo", photo),
        ("Verbatim quote", captured["quote"]),
    ):
        page.get_by_label("Kind").select_option(label=kind)
        with page.expect_navigation():
            page.get_by_role("button", name="Filter").click()
        page.locator(f"#pick-{item.pk}").check()
    expect(page.locator("[data-tray-list] li")).to_have_count(3)
    expect(page.locator(".synth-panel .synth-count")).to_have_text(
        "3 observations and photos ticked"
    )
    page.get_by_label("Statement").fill("Leftovers are out of sight, so out of mind.")
    accessible_at_both_sizes(page, "synthesis-tray")
    page.get_by_role("button", name="Create insight").click()
    page.wait_for_url(re.compile(r"/insights/"))
    insight = Insight.objects.get(statement="Leftovers are out of sight, so out of mind.")
    assert set(insight.evidence.values_list("observation_id", "photo_id")) == {
        (captured["answer"].pk, None),
        (None, photo.pk),
        (captured["quote"].pk, None),
    }
    assert set(BoardCard.objects.filter(insight=insight).values_list("board__slug", flat=True)) == {
        "product",
        "marketing",
    }
    laura.close()

    # --- Paula, product: the card with its photo, and the question on its page -------------
    paula = phone(browser, LAPTOP)
    page = paula.new_page()
    log_in(page, base, "paula")
    page.goto(f"{base}{reverse('frontend:board', args=['product'])}")
    card = page.locator(".board-card", has_text="Leftovers are out of sight")
    expect(card.locator("img")).to_have_count(1)
    expect(card.locator("img")).to_have_attribute("src", re.compile(f"/photos/{photo.pk}/"))
    accessible_at_both_sizes(page, "product-board")
    card.get_by_role("link", name=re.compile("Leftovers are out of sight")).click()
    page.wait_for_url(f"{base}/insights/{insight.pk}/")
    expect(page.get_by_text(f"Asked: “{QUESTION}”")).to_be_visible()
    expect(page.locator(f"img[src*='/photos/{photo.pk}/']")).to_have_count(1)
    accessible_at_both_sizes(page, "insight")
    paula.close()

    # --- Mark, marketing: the quote in the bank; the withdrawn one labelled -----------------
    mark = phone(browser, LAPTOP)
    page = mark.new_page()
    log_in(page, base, "mark")
    page.goto(f"{base}{reverse('frontend:quotes')}")
    expect(page.locator(".quote-item", has_text=QUOTE)).to_have_count(1)
    expect(page.locator(".quote-item", has_text=WITHDRAWN_QUOTE)).to_have_count(0)
    accessible_at_both_sizes(page, "quote-bank")
    page.goto(f"{base}{reverse('frontend:round-report', args=[loop['round'].pk])}")
    withdrawn = page.locator("figure.quote", has_text=WITHDRAWN_QUOTE)
    cleared = page.locator("figure.quote", has_text=QUOTE)
    expect(withdrawn.get_by_text("Not for marketing use", exact=True)).to_be_visible()
    expect(cleared.get_by_text("Not for marketing use", exact=True)).to_have_count(0)
    accessible_at_both_sizes(page, "round-report")
    mark.close()
