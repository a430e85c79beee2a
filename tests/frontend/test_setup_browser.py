"""A new research lead starts a study and writes its guide in Chromium, at phone and laptop
sizes: three research questions reordered with the keyboard buttons and by dragging, a
guide with sections, an empty question refused; axe-core on every page on the way."""

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Page, expect

from studies.scheduling.models import Study, StudyStatus
from tests.factories import UserFactory
from tests.frontend.test_browser import (
    SCREENSHOTS,
    SIZES,
    browser,
    check_page,
    log_in,
    new_page,
)

pytestmark = pytest.mark.browser
__all__ = ["browser"]


@pytest.fixture
def new_lead(transactional_db):
    """An administrator put her in the "Research leads" group; she has no study yet. (The
    group is made again here: a live server's test empties every table, seeded ones too.)"""
    group, _created = Group.objects.get_or_create(name="Research leads")
    group.permissions.add(Permission.objects.get(codename="add_study"))
    user = UserFactory(username="nadia", first_name="Nadia")
    user.groups.add(group)
    return user


def rows_text(page: Page, label: str) -> list[str]:
    return [
        page.get_by_label(f"{label} {n}", exact=True).input_value()
        for n in range(1, page.locator("[data-list-items] > [data-list-row]").count() + 1)
    ]


def start_a_study(page: Page, base: str, size: str) -> None:
    page.goto(base + "/")
    expect(page.get_by_text("You have no study yet. Start one?")).to_be_visible()
    page.get_by_role("link", name="Start a study").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a study")
    expect(page.locator("[data-list-editor]")).to_have_attribute("data-ready", "true")

    page.get_by_label("Title").fill("Food at home")
    page.get_by_label("Why this study exists").fill("How do families keep and waste food?")
    for text in ("Where does food go first?", "Who decides?", "What gets thrown away?"):
        page.get_by_role("button", name="Add a research question").click()
        # The new row's box has the focus.
        page.keyboard.type(text)
    page.get_by_label("Time zone").fill("Europe/Lisbon")
    page.get_by_label("Visit length (minutes)").fill("75")

    # With the keyboard: the first question down one place, announced.
    page.get_by_role("button", name="Move down research question 1").focus()
    page.keyboard.press("Enter")
    status = page.locator("[data-list-status]").first
    expect(status).to_have_text("Research question moved to position 2 of 3.")
    assert rows_text(page, "Research question") == [
        "Who decides?",
        "Where does food go first?",
        "What gets thrown away?",
    ]
    # The focus stays on the button pressed, now the second row's.
    expect(page.get_by_role("button", name="Move down research question 2")).to_be_focused()

    # By dragging: the third question's handle onto the top half of the second row. (Both
    # in sight first: a page scrolled in the middle of a drag drops nothing.)
    rows = page.locator("[data-list-items] > [data-list-row]")
    rows.nth(2).scroll_into_view_if_needed()
    rows.nth(2).locator("[data-list-handle]").drag_to(
        rows.nth(1), target_position={"x": 20, "y": 5}
    )
    expect(status).to_have_text("Research question moved to position 2 of 3.")
    assert rows_text(page, "Research question") == [
        "Who decides?",
        "What gets thrown away?",
        "Where does food go first?",
    ]
    check_page(page, "setup-study-new", size)

    page.get_by_role("button", name="Start the study").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Food at home")


def write_the_guide(page: Page, size: str) -> None:
    page.get_by_role("link", name="Write the discussion guide").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discussion guide for the next round")
    expect(page.locator("[data-list-editor]")).to_have_attribute("data-ready", "true")
    for section, text in [
        ("Warm-up", "Walk me through a normal week."),
        ("Kitchen", "Show me where the food goes."),
        ("Kitchen", "What did you throw away last?"),
        ("", ""),
    ]:
        page.get_by_role("button", name="Add a question").click()
        page.keyboard.type(text)
        number = page.locator("[data-list-items] > [data-list-row]").count()
        page.get_by_label(f"Section of question {number}").fill(section)
    page.get_by_role("button", name="Save the guide").click()

    # The empty fourth question is refused by its number, and nothing is saved.
    expect(page.get_by_text("Question 4 is empty: write it or remove it.")).to_be_visible()
    check_page(page, "setup-guide-refused", size)
    page.get_by_role("button", name="Remove question 4").click()
    page.get_by_role("button", name="Save the guide").click()

    expect(page.get_by_role("status").first).to_contain_text("Guide saved.")
    check_page(page, "setup-guide", size)


@pytest.mark.parametrize("size", SIZES)
def test_a_new_lead_starts_a_study_and_writes_its_guide(browser, live_server, new_lead, size):
    page = new_page(browser, size)
    log_in(page, live_server.url, new_lead.username)
    check_page(page, "setup-home-empty", size)

    start_a_study(page, live_server.url, size)

    study = Study.objects.get(title="Food at home")
    assert list(study.questions.values_list("text", flat=True)) == [
        "Who decides?",
        "What gets thrown away?",
        "Where does food go first?",
    ]
    assert (study.time_zone, study.visit_minutes, study.status) == (
        "Europe/Lisbon",
        75,
        StudyStatus.DRAFT,
    )
    check_page(page, "setup-study", size)

    write_the_guide(page, size)

    assert list(study.next_guide.order_by("position").values_list("section", "text")) == [
        ("Warm-up", "Walk me through a normal week."),
        ("Kitchen", "Show me where the food goes."),
        ("Kitchen", "What did you throw away last?"),
    ]
    page.context.close()


def test_a_lead_changes_settings_and_closes_the_study(browser, live_server, new_lead):
    page = new_page(browser, "phone")
    log_in(page, live_server.url, new_lead.username)
    start_a_study(page, live_server.url, "phone")

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Visit length (minutes)").fill("5")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 15.")).to_be_visible()
    check_page(page, "setup-settings-refused", "phone")

    page.get_by_role("link", name="Close the study…").click()
    check_page(page, "setup-close", "phone")
    page.get_by_role("button", name="Close the study").click()

    expect(page.get_by_text("This study is closed.")).to_be_visible()
    assert Study.objects.get().status == StudyStatus.CLOSED
    check_page(page, "setup-study-closed", "phone")
    page.context.close()


def test_the_guide_is_written_without_javascript_too(browser, live_server, new_lead):
    study = Study.objects.create(title="Plain", why="Without scripts.")
    study.memberships.create(user=new_lead, role="research_lead")
    width, height = SIZES["phone"]
    context = browser.new_context(
        viewport={"width": width, "height": height}, java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, live_server.url, new_lead.username)
    page.goto(f"{live_server.url}/studies/{study.pk}/guide/")

    # Spare rows with position boxes: the second typed goes first.
    page.get_by_label("Question 1", exact=True).fill("Asked second")
    page.get_by_label("Question 2", exact=True).fill("Asked first")
    page.get_by_label("Section of question 2").fill("Start")
    page.get_by_label("Position of Question 1").fill("2")
    page.get_by_label("Position of Question 2").fill("1")
    # Only a picture here: axe-core runs as a script, and scripts are off.
    page.screenshot(path=str(SCREENSHOTS / "setup-guide-no-js-phone.png"), full_page=True)
    page.get_by_role("button", name="Save the guide").click()

    expect(page.get_by_role("status").first).to_contain_text("Guide saved.")
    assert list(study.next_guide.order_by("position").values_list("section", "text")) == [
        ("Start", "Asked first"),
        ("", "Asked second"),
    ]
    context.close()
