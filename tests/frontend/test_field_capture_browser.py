"""The field app on a phone, for what issue 13 asks of it, in Debian's Chromium: capture
offline and sync whole, refusals shown beside the item and moved to another visit, finishing
through a confirmation and reopening, photos edited offline, times on one clock.

Same set-up as test_capture_browser.py (its Chromium fixture and helpers).
"""

import datetime as dt
import os
import re
import uuid

import pytest
from django.utils import timezone

from studies.fieldwork.models import Observation, Photo, PhotoStatus, Tag, TagGroup
from studies.scheduling import services
from studies.scheduling.models import Visit, VisitStatus
from tests.frontend.conftest import SECRET_NAME, SECRET_PHONE, World, local

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in its own thread, so Django's async-safety guard would only get in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Page, expect

from tests.frontend import test_browser
from tests.frontend.test_browser import check_page
from tests.frontend.test_capture_browser import (
    LAPTOP,
    PHONE,
    SYNC_TIMEOUT_MS,
    capture_note,
    jpeg,
    log_in,
    open_capture,
    phone,
    wait_for_control,
    wait_until,
)

browser = test_browser.browser

pytestmark = pytest.mark.browser


@pytest.fixture
def field(world: World) -> World:
    """The world with tag suggestions and a second visit of the researcher's, the day after
    tomorrow, for items to move to."""
    study = world.team.study
    Tag.objects.create(study=study, name="storage", group=TagGroup.PAIN_POINT)
    Tag.objects.create(study=study, name="hack", group=TagGroup.WORKAROUND)
    day = services.study_today(study) + dt.timedelta(days=2)
    world.second_visit = services.visit_create(  # type: ignore[attr-defined]
        round_=world.current_round,
        household=world.households[2],
        researcher=world.team.researcher,
        start=local(day, 9, study.time_zone),
        end=local(day, 9, study.time_zone) + dt.timedelta(minutes=90),
        actor=world.team.lead,
    )
    return world


def status_line(page: Page):
    return page.locator("[data-sync-summary]")


def save_photo(page: Page, caption: str, colour=(200, 40, 40), tag: str = "") -> None:
    page.locator("[data-photo-input]").set_input_files(
        [{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": jpeg(colour)}]
    )
    page.get_by_label("Caption for photo 1").fill(caption)
    if tag:
        page.get_by_label("New tag for these photos").fill(tag)
        page.locator("[data-photo-form]").get_by_role("button", name="Add tag").click()
    page.get_by_role("button", name="Save photos").click()
    expect(page.locator(".photo-previews li")).to_have_count(0)


def outbox_entries(page: Page) -> list[dict]:
    return page.evaluate(
        """new Promise((resolve) => {
            indexedDB.open("researchhub").onsuccess = (event) => {
                const request = event.target.result.transaction("outbox")
                    .objectStore("outbox").getAll();
                request.onsuccess = () => resolve(request.result.map((item) => ({
                    kind: item.kind, state: item.state, visit: item.visit,
                    device_id: item.device_id, error: item.error,
                })));
            };
        })"""
    )


# --- Offline capture of everything, synced whole ---------------------------------------------


def test_a_note_quote_answer_and_tagged_photo_captured_offline_arrive_whole(
    browser, live_server, field
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    open_capture(page, live_server.url, field)
    expect(status_line(page)).to_have_text("Everything is synced.")
    context.set_offline(True)

    capture_note(page, "Milk lives in the door")
    # A new tag used since the page was rendered goes before the server's order.
    page.get_by_label("Quote", exact=True).check()
    page.get_by_label("What did they say, word for word?").fill("I never know what is in the back")
    page.get_by_label("Who said it").fill("mother, 40s")
    page.get_by_label("New tag", exact=True).fill("hidden food")
    page.locator("[data-capture-form]").get_by_role("button", name="Add tag").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".captured-item", has_text="I never know")).to_have_count(1)
    # The form stays on Quote, with the speaker, for the next quote.
    expect(page.get_by_label("Quote", exact=True)).to_be_checked()
    expect(page.get_by_label("Who said it")).to_have_value("mother, 40s")
    expect(page.locator("[data-capture-form] .tag-chip")).to_have_text(
        ["hidden food", "storage", "hack"]
    )

    guide = list(field.current_round.guide.asked())
    page.get_by_label("Answer", exact=True).check()
    page.get_by_label("Guide question").select_option(str(guide[0].pk))
    page.get_by_label("Their answer").fill("Big shop on Saturday, top-ups all week")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".captured-item", has_text="Big shop")).to_have_count(1)
    # On to the next question of the guide.
    expect(page.get_by_label("Guide question")).to_have_value(str(guide[1].pk))
    expect(page.get_by_label("Answer", exact=True)).to_be_checked()

    save_photo(page, "Door shelves", tag="fridge door")
    expect(status_line(page)).to_contain_text("3 items, 1 photo waiting to sync.")
    assert not Observation.objects.filter(visit=field.visit).exists()

    context.set_offline(False)
    expect(status_line(page)).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)

    observations = {o.kind: o for o in Observation.objects.filter(visit=field.visit)}
    assert sorted(observations) == ["answer", "note", "quote"]
    assert list(observations["quote"].tags.values_list("name", flat=True)) == ["hidden food"]
    answer = observations["answer"]
    assert (answer.guide_question, answer.question) == (guide[0], guide[0].text)
    photo = Photo.objects.get(visit=field.visit)
    assert (photo.caption, photo.observation) == ("Door shelves", None)
    assert list(photo.tags.values_list("name", flat=True)) == ["fridge door"]
    field.visit.refresh_from_db()
    # The first item captured started the visit, at the moment it was captured.
    assert field.visit.status == VisitStatus.IN_PROGRESS
    assert field.visit.started_at == min(o.captured_at for o in observations.values())
    expect(page.locator("img[data-thumbnail]")).to_have_count(1, timeout=SYNC_TIMEOUT_MS)
    context.close()


def test_times_are_shown_on_the_24_hour_clock_as_the_pages_show_them(browser, live_server, field):
    context = phone(browser, {**PHONE, "locale": "en-US"})  # a 12-hour locale by default
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    Observation.objects.create(
        visit=field.visit,
        author=field.team.researcher,
        kind="note",
        text="Captured in the afternoon",
        captured_at=local(field.visit.scheduled_start.date(), 14, field.team.study.time_zone)
        + dt.timedelta(minutes=50),
    )
    open_capture(page, live_server.url, field)

    meta = page.locator(".captured-item", has_text="Captured in the afternoon").locator(
        ".captured-meta"
    )
    expect(meta).to_contain_text(re.compile(r"captured \w{3} 14:50$"))
    assert "PM" not in meta.inner_text()
    page.get_by_text("Household, segment, address and phone").click()
    check_page(page, "field-capture-24h", "phone")
    context.close()


# --- Refused: shown beside the item, moved to another visit ----------------------------------


def test_items_refused_for_a_visit_handed_to_someone_else_are_moved_to_another_visit(
    browser, live_server, field
):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    open_capture(page, live_server.url, field)
    context.set_offline(True)
    capture_note(page, "Cereal boxes on the fridge")
    save_photo(page, "Boxes on top", colour=(40, 160, 60))
    # Meanwhile the lead hands the visit to researcher2.
    Visit.objects.filter(pk=field.visit.pk).update(researcher=field.team.researcher2)
    context.set_offline(False)

    note = page.locator(".captured-item", has_text="Cereal boxes")
    expect(note).to_have_attribute("data-state", "failed", timeout=SYNC_TIMEOUT_MS)
    expect(note.locator(".errorlist")).to_contain_text(
        "Only the visit's researcher or a research lead may capture on this visit."
    )
    photo = page.locator(".photo-cell", has_text="Boxes on top")
    expect(photo).to_have_attribute("data-state", "failed", timeout=SYNC_TIMEOUT_MS)
    expect(photo.locator(".errorlist")).to_contain_text("You do not have permission")
    expect(page.locator("[data-sync-failures]")).to_contain_text("2 items could not be sent:")
    assert [entry["state"] for entry in outbox_entries(page)] == ["failed", "failed"]
    check_page(page, "field-refused", "phone")

    # Moved, offline, to the other visit the phone holds (the bundle the worker keeps): the
    # same item, sent again for that visit.
    wait_for_control(page)
    wait_until(
        page,
        "caches.match('/api/v1/me/offline-bundle/?days=3').then((found) => Boolean(found))",
    )
    context.set_offline(True)
    note.get_by_role("button", name="Move: Cereal boxes on the fridge").click()
    dialog = page.get_by_role("dialog", name="Move to another of your visits")
    code = field.second_visit.household.code
    expect(dialog.get_by_role("radio")).to_have_count(1)
    expect(dialog.get_by_role("radio", name=re.compile(code))).to_be_checked()
    check_page(page, "field-move-dialog", "phone")
    dialog.get_by_role("button", name="Move it there").click()
    expect(page.locator("[data-items-message]")).to_contain_text(f"Moved to {code}.")
    photo.get_by_role("button", name="Move: Boxes on top").click()
    dialog.get_by_role("button", name="Move it there").click()
    expect(page.locator(".captured-item")).to_have_count(0)
    expect(page.locator(".photo-cell")).to_have_count(0)
    assert {entry["visit"] for entry in outbox_entries(page)} == {str(field.second_visit.pk)}

    context.set_offline(False)
    expect(status_line(page)).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    moved = Observation.objects.get(text="Cereal boxes on the fridge")
    assert moved.visit_id == field.second_visit.pk
    moved_photo = Photo.objects.get(caption="Boxes on top")
    assert moved_photo.visit_id == field.second_visit.pk
    assert not Observation.objects.filter(visit=field.visit).exists()
    assert outbox_entries(page) == []
    context.close()


def test_a_note_captured_after_the_visit_finished_is_refused_with_why_and_can_be_deleted(
    browser, live_server, field
):
    services.visit_transition(
        visit=field.visit, actor=field.team.researcher, to_status=VisitStatus.IN_PROGRESS
    )
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    open_capture(page, live_server.url, field)
    context.set_offline(True)
    capture_note(page, "Written after leaving")
    # Finished an hour ago on another device.
    services.visit_transition(
        visit=field.visit, actor=field.team.researcher, to_status=VisitStatus.COMPLETED
    )
    Visit.objects.filter(pk=field.visit.pk).update(
        finished_at=timezone.now() - dt.timedelta(hours=1)
    )
    context.set_offline(False)

    note = page.locator(".captured-item", has_text="Written after leaving")
    expect(note.locator(".errorlist")).to_contain_text(
        "This visit was finished before this was captured.", timeout=SYNC_TIMEOUT_MS
    )
    # Nothing dropped: after a reload it is still there, with the reason.
    page.reload()
    expect(note.locator(".errorlist")).to_contain_text("This visit was finished")
    page.once("dialog", lambda dialog: dialog.accept())
    note.get_by_role("button", name="Delete: Written after leaving").click()
    expect(page.locator(".captured-item")).to_have_count(0)
    assert outbox_entries(page) == []
    assert not Observation.objects.filter(text="Written after leaving").exists()
    context.close()


# --- Finishing asks first; reopening --------------------------------------------------------


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_finishing_asks_first_and_a_visit_finished_by_mistake_reopens(
    browser, live_server, field, size
):
    services.visit_transition(
        visit=field.visit, actor=field.team.researcher, to_status=VisitStatus.IN_PROGRESS
    )
    context = phone(browser, PHONE if size == "phone" else LAPTOP)
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    open_capture(page, live_server.url, field)
    context.route("**/api/v1/sync/", lambda route: route.abort())  # it stays on the phone
    capture_note(page, "Still on the phone")

    # Finish sits after the items, not where Start was.
    finish = page.get_by_role("link", name="Finish visit")
    items_bottom = page.locator("[data-items]").bounding_box()
    assert finish.bounding_box()["y"] > items_bottom["y"] + items_bottom["height"]
    finish.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Finish the visit to {field.visit.household.code}?"
    )
    expect(page.get_by_role("status")).to_have_text(
        "1 item from this visit is still waiting on this phone. It is kept and sent when "
        "there is a connection."
    )
    check_page(page, "field-finish-confirm", size)
    page.get_by_role("link", name="Keep capturing").click()
    expect(page.get_by_label("What did you see?")).to_be_visible()
    assert Visit.objects.get(pk=field.visit.pk).status == VisitStatus.IN_PROGRESS

    page.get_by_role("link", name="Finish visit").click()
    page.get_by_role("button", name="Finish visit").click()
    expect(page.get_by_text("This visit is closed")).to_be_visible()
    assert Visit.objects.get(pk=field.visit.pk).status == VisitStatus.COMPLETED
    expect(page.get_by_label("What did you see?")).to_have_count(0)
    check_page(page, "field-capture-closed", size)

    page.get_by_role("button", name="Reopen visit").click()
    expect(page.get_by_label("What did you see?")).to_be_visible()
    assert Visit.objects.get(pk=field.visit.pk).status == VisitStatus.IN_PROGRESS

    # The item captured before finishing was accepted whenever it arrived.
    context.unroute("**/api/v1/sync/")
    expect(status_line(page)).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    assert Observation.objects.filter(visit=field.visit, text="Still on the phone").exists()
    context.close()


# --- Photos edited offline ------------------------------------------------------------------


def test_photos_edited_and_deleted_offline_reach_the_server_as_left(browser, live_server, field):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    open_capture(page, live_server.url, field)
    capture_note(page, "Leftovers in jars")
    save_photo(page, "Jars", colour=(200, 40, 40))
    save_photo(page, "Blurry one", colour=(40, 60, 200))
    expect(status_line(page)).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("img[data-thumbnail]")).to_have_count(2, timeout=SYNC_TIMEOUT_MS)

    context.set_offline(True)
    page.get_by_role("button", name="Edit photo: Jars").click()
    dialog = page.get_by_role("dialog", name="Edit photo")
    dialog.get_by_label("Caption").fill("Jars on the top shelf")
    dialog.get_by_role("button", name="storage").click()
    dialog.get_by_label("Goes with").select_option(label="Note “Leftovers in jars”")
    check_page(page, "field-photo-edit", "phone")
    dialog.get_by_role("button", name="Save changes").click()
    expect(page.locator(".photo-cell", has_text="Jars on the top shelf")).to_contain_text(
        "Goes with Note “Leftovers in jars”"
    )
    page.locator(".photo-cell", has_text="Blurry one").get_by_role(
        "button", name="Edit photo: Blurry one"
    ).click()
    page.once("dialog", lambda confirm: confirm.accept())
    dialog.get_by_role("button", name="Delete photo").click()
    expect(page.locator(".photo-cell", has_text="Blurry one")).to_have_count(0)
    # A photo still on the phone is changed in place.
    save_photo(page, "Pantry", colour=(40, 160, 60))
    page.locator(".photo-cell", has_text="Pantry").get_by_role(
        "button", name="Edit photo: Pantry"
    ).click()
    dialog.get_by_label("Caption").fill("Pantry door")
    dialog.get_by_role("button", name="Save changes").click()
    expect(status_line(page)).to_contain_text("2 items, 1 photo waiting to sync.")
    assert Photo.objects.get(caption="Jars").tags.count() == 0

    context.set_offline(False)
    expect(status_line(page)).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)
    jars = Photo.objects.get(caption="Jars on the top shelf")
    assert list(jars.tags.values_list("name", flat=True)) == ["storage"]
    assert jars.observation.text == "Leftovers in jars"
    assert Photo.objects.get(caption="Blurry one").deleted_at is not None
    assert Photo.objects.filter(caption="Pantry door", deleted_at=None).count() == 1
    assert outbox_entries(page) == []
    context.close()


def test_an_edit_of_a_photo_deleted_elsewhere_is_refused_and_can_be_discarded(
    browser, live_server, field
):
    photo = Photo.objects.create(
        visit=field.visit,
        author=field.team.researcher,
        caption="Sink",
        captured_at=timezone.now() - dt.timedelta(minutes=5),
        status=PhotoStatus.READY,
        device_id=uuid.uuid4(),
    )
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    open_capture(page, live_server.url, field)
    context.set_offline(True)
    page.get_by_role("button", name="Edit photo: Sink").click()
    page.get_by_role("dialog", name="Edit photo").get_by_label("Caption").fill("Sink cupboard")
    page.get_by_role("dialog", name="Edit photo").get_by_role("button", name="Save changes").click()
    Photo.objects.filter(pk=photo.pk).update(deleted_at=timezone.now())
    context.set_offline(False)

    cell = page.locator(".photo-cell", has_text="Sink cupboard")
    expect(cell.locator(".errorlist")).to_contain_text(
        "This photo was deleted; it cannot be changed.", timeout=SYNC_TIMEOUT_MS
    )
    page.once("dialog", lambda confirm: confirm.accept())
    cell.get_by_role("button", name="Discard the change: Sink cupboard").click()
    expect(page.locator(".photo-cell", has_text="Sink cupboard")).to_have_count(0)
    assert outbox_entries(page) == []
    assert Photo.objects.get(pk=photo.pk).caption == "Sink"
    context.close()


# --- Visit details offline ------------------------------------------------------------------


def test_today_and_the_visit_details_with_the_phone_open_offline(browser, live_server, field):
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    page.goto(f"{live_server.url}/today/")
    wait_for_control(page)
    capture_path = f"/visits/{field.visit.pk}/capture/"
    # The worker keeps the bundle's capture pages and the bundle itself, ahead of need.
    wait_until(page, f"caches.match('{capture_path}').then((found) => Boolean(found))")
    wait_until(
        page,
        "caches.match('/api/v1/me/offline-bundle/?days=3').then((found) => Boolean(found))",
    )

    context.set_offline(True)
    page.goto(f"{live_server.url}/today/")
    card = page.locator(".field-visit", has_text=field.visit.household.code)
    expect(card.get_by_role("link", name=re.compile(re.escape(SECRET_PHONE)))).to_have_attribute(
        "href", f"tel:{SECRET_PHONE.replace(' ', '')}"
    )
    card.get_by_role("link", name="Visit details").click()
    # The visit page names the household's contact, so it is not kept on the phone: its
    # details open on the capture page instead, which has no name.
    page.wait_for_url(f"{live_server.url}{capture_path}#visit-details")
    details = page.locator("#visit-details")
    expect(details).to_have_attribute("open", "")
    expect(details.get_by_role("link", name=SECRET_PHONE)).to_be_visible()
    assert SECRET_NAME not in page.content()
    assert page.evaluate(f"caches.match('/visits/{field.visit.pk}/').then(Boolean)") is False
    context.close()


# --- The dialogs at both sizes ---------------------------------------------------------------


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_photo_move_and_logout_dialogs_fit_and_are_accessible(
    browser, live_server, field, size
):
    context = phone(browser, PHONE if size == "phone" else LAPTOP)
    page = context.new_page()
    log_in(page, live_server.url, field.team.researcher.username)
    open_capture(page, live_server.url, field)
    capture_note(page, "Bread bin by the kettle")
    save_photo(page, "Bread bin", colour=(160, 120, 40))
    expect(status_line(page)).to_have_text("Everything is synced.", timeout=SYNC_TIMEOUT_MS)

    page.get_by_role("button", name="Edit photo: Bread bin").click()
    photo_dialog = page.get_by_role("dialog", name="Edit photo")
    expect(photo_dialog.get_by_label("Caption")).to_be_focused()
    check_page(page, "field-photo-dialog", size)
    photo_dialog.get_by_role("button", name="Cancel").click()
    expect(photo_dialog).to_be_hidden()

    context.set_offline(True)
    capture_note(page, "Toast rack")
    Visit.objects.filter(pk=field.visit.pk).update(researcher=field.team.researcher2)
    context.set_offline(False)
    note = page.locator(".captured-item", has_text="Toast rack")
    expect(note).to_have_attribute("data-state", "failed", timeout=SYNC_TIMEOUT_MS)
    note.get_by_role("button", name="Move: Toast rack").click()
    move_dialog = page.get_by_role("dialog", name="Move to another of your visits")
    expect(move_dialog.get_by_role("radio")).to_have_count(1)
    check_page(page, "field-move", size)
    move_dialog.get_by_role("button", name="Cancel").click()

    page.get_by_role("button", name="Log out", exact=True).click()
    warning = page.get_by_role("dialog", name="Log out with items still waiting?")
    expect(warning).to_contain_text("1 item is still waiting to sync.")
    check_page(page, "field-logout", size)
    warning.get_by_role("button", name="Stay").click()
    expect(warning).to_be_hidden()
    context.close()
