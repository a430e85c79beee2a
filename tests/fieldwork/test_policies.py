"""The rules of capture, each in its one home (studies/fieldwork/policies.py), and the
consumers that ask them: the sync, the upload and the capture page agree because they call
the same function."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from studies.fieldwork import policies
from studies.fieldwork.models import Observation, TagGroup
from studies.fieldwork.selectors import OFFLINE_BUNDLE_MAX_DAYS
from studies.scheduling.models import GuideQuestion, VisitChange, VisitStatus
from tests.factories import TagFactory
from tests.fieldwork import sync_support
from tests.fieldwork.sync_support import signed_in, sync, upsert

capture = sync_support.capture

FINISHED_AT = dt.datetime(2027, 3, 4, 11, 0, tzinfo=dt.UTC)


def visit(status: str, finished_at: dt.datetime | None = None, erased: bool = False):
    household = SimpleNamespace(erased_at=FINISHED_AT if erased else None)
    model_visit = SimpleNamespace(status=status, finished_at=finished_at, household=household)
    return model_visit


@pytest.mark.parametrize(
    ("status", "finished_at", "captured", "takes"),
    [
        (VisitStatus.SCHEDULED, None, FINISHED_AT, True),
        (VisitStatus.IN_PROGRESS, None, FINISHED_AT + dt.timedelta(days=3), True),
        (VisitStatus.COMPLETED, FINISHED_AT, FINISHED_AT - dt.timedelta(hours=2), True),
        (VisitStatus.COMPLETED, FINISHED_AT, FINISHED_AT + dt.timedelta(minutes=10), True),
        (VisitStatus.COMPLETED, FINISHED_AT, FINISHED_AT + dt.timedelta(minutes=11), False),
        (VisitStatus.CANCELLED, FINISHED_AT, FINISHED_AT - dt.timedelta(hours=2), False),
        (VisitStatus.NO_SHOW, FINISHED_AT, FINISHED_AT - dt.timedelta(hours=2), False),
    ],
)
def test_a_visit_takes_what_was_captured_while_it_was_open(status, finished_at, captured, takes):
    refusal = policies.capture_refusal(visit(status, finished_at), captured)

    assert (refusal is None) is takes


def test_an_erased_households_visit_takes_nothing_even_from_before_the_erasure():
    erased = visit(VisitStatus.IN_PROGRESS, erased=True)

    assert policies.capture_refusal(erased, FINISHED_AT - dt.timedelta(days=1)) == (
        "This household's data was erased: nothing more can be captured for it."
    )


def test_the_capture_screen_closes_at_the_finish_without_the_clocks_grace():
    finished = visit(VisitStatus.COMPLETED, FINISHED_AT)

    assert policies.takes_captures_now(finished, FINISHED_AT + dt.timedelta(minutes=1)) is False
    assert policies.takes_captures_now(visit(VisitStatus.IN_PROGRESS), FINISHED_AT) is True
    assert policies.takes_captures_now(visit(VisitStatus.SCHEDULED), FINISHED_AT) is True


# --- When an item can have been captured, and the time an edit is recorded at ------------

NEW_YORK = "America/New_York"


def dated_visit(
    status: str,
    start: dt.datetime,
    *,
    started_at: dt.datetime | None = None,
    finished_at: dt.datetime | None = None,
):
    """A visit of a study in New York, booked for 90 minutes from `start`."""
    return SimpleNamespace(
        status=status,
        scheduled_start=start,
        scheduled_end=start + dt.timedelta(minutes=90),
        started_at=started_at,
        finished_at=finished_at,
        household=SimpleNamespace(erased_at=None),
        round=SimpleNamespace(study=SimpleNamespace(time_zone=NEW_YORK)),
    )


def new_york(day: str, time: str) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(NEW_YORK)
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=zone)


# Booked for the morning of 14 March 2027; the days are New York's, not UTC's.
BOOKED = new_york("2027-03-14", "09:00")
LATER = new_york("2027-06-01", "12:00")  # the server's clock, long after


def test_a_capture_may_be_dated_up_to_a_week_either_side_of_its_visits_day_in_its_zone():
    booked = dated_visit(VisitStatus.SCHEDULED, BOOKED)

    def refusal(moment: dt.datetime) -> str | None:
        return policies.captured_at_refusal(booked, moment, now=LATER)

    assert refusal(new_york("2027-03-07", "00:00")) is None
    assert refusal(new_york("2027-03-21", "23:59")) is None
    assert refusal(new_york("2027-03-06", "23:59")) == (
        "This was captured on 2027-03-06, more than 7 days before this visit (2027-03-14): "
        "check the device's date, or move the item to its own visit."
    )
    assert refusal(new_york("2027-03-22", "00:00")) == (
        "This was captured on 2027-03-22, more than 7 days after this visit (2027-03-14): "
        "check the device's date, or move the item to its own visit."
    )
    assert refusal(dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) is not None


def test_a_visits_days_run_from_its_start_to_its_finish_and_to_now_while_under_way():
    started_early = new_york("2027-03-10", "18:00")
    finished_late = new_york("2027-03-16", "08:00")
    completed = dated_visit(
        VisitStatus.COMPLETED, BOOKED, started_at=started_early, finished_at=finished_late
    )
    under_way = dated_visit(VisitStatus.IN_PROGRESS, BOOKED, started_at=started_early)

    assert (
        policies.captured_at_refusal(completed, new_york("2027-03-03", "08:00"), now=LATER) is None
    )
    assert (
        policies.captured_at_refusal(completed, new_york("2027-03-23", "20:00"), now=LATER) is None
    )
    assert policies.captured_at_refusal(completed, new_york("2027-03-24", "00:01"), now=LATER)
    assert policies.captured_at_refusal(under_way, LATER - dt.timedelta(hours=1), now=LATER) is None
    assert policies.captured_at_refusal(under_way, new_york("2027-03-02", "23:00"), now=LATER)


def test_a_capture_dated_past_the_clocks_grace_ahead_of_the_server_is_refused():
    now = BOOKED + dt.timedelta(minutes=30)
    under_way = dated_visit(VisitStatus.IN_PROGRESS, BOOKED, started_at=BOOKED)

    assert policies.captured_at_refusal(under_way, now + policies.CLOCK_GRACE, now=now) is None
    assert policies.captured_at_refusal(
        under_way, now + policies.CLOCK_GRACE + dt.timedelta(seconds=1), now=now
    ) == ("This is ahead of the server's clock; check the device's date and time.")


def test_an_item_may_be_moved_to_any_visit_the_phone_holds():
    # The offline bundle holds visits up to OFFLINE_BUNDLE_MAX_DAYS - 1 days ahead, late in
    # the day; an item refused today keeps its capture time when moved to one of them.
    now = new_york("2027-03-01", "08:00")
    last_held = dated_visit(
        VisitStatus.SCHEDULED,
        new_york("2027-03-01", "22:00") + dt.timedelta(days=OFFLINE_BUNDLE_MAX_DAYS - 1),
    )

    assert policies.captured_at_refusal(last_held, now - dt.timedelta(hours=8), now=now) is None


def test_an_edit_stamped_ahead_of_the_server_is_recorded_at_the_servers_time():
    now = BOOKED

    kept = {
        ahead: policies.edit_time_kept(now + ahead, now=now)
        for ahead in (dt.timedelta(0), policies.CLOCK_GRACE, dt.timedelta(hours=23))
    }

    assert kept == {
        dt.timedelta(0): now,
        policies.CLOCK_GRACE: now + policies.CLOCK_GRACE,
        dt.timedelta(hours=23): now,
    }
    assert policies.edit_time_refusal(now + dt.timedelta(hours=23), now=now) is None
    assert policies.edit_time_refusal(now + dt.timedelta(hours=25), now=now) == (
        "This is more than a day ahead of the server's clock; check the device's date."
    )


def test_only_a_scheduled_visit_is_started_by_a_capture():
    assert policies.capture_starts_visit(visit(VisitStatus.SCHEDULED)) is True
    assert policies.capture_starts_visit(visit(VisitStatus.IN_PROGRESS)) is False
    assert policies.capture_starts_visit(visit(VisitStatus.COMPLETED, FINISHED_AT)) is False


def test_tag_chips_put_my_recent_tags_first_then_the_groups_in_order_then_the_rest():
    def tag(name, group="", used=None):
        return SimpleNamespace(name=name, group=group, last_used_at=used)

    tags = [
        tag("zebra"),
        tag("Apple"),
        tag("Delight", TagGroup.DELIGHT),
        tag("Pain point", TagGroup.PAIN_POINT),
        tag("old favourite", used=FINISHED_AT - dt.timedelta(days=2)),
        tag("just now", TagGroup.DELIGHT, used=FINISHED_AT),
    ]

    ordered = [chip.name for chip in policies.tag_chip_order(tags)]

    assert ordered == ["just now", "old favourite", "Pain point", "Delight", "Apple", "zebra"]


# --- The consumers ask the same rule -------------------------------------------------------


def test_the_api_tag_list_and_the_offline_bundle_and_capture_page_share_the_chip_order(
    team, capture
):
    TagFactory(study=team.study, name="zebra")
    TagFactory(study=team.study, name="Workaround", group=TagGroup.WORKAROUND)
    TagFactory(study=team.study, name="Pain point", group=TagGroup.PAIN_POINT)
    sync(signed_in(team.researcher), upsert(capture.visit, tags=["zebra"]))
    expected = ["zebra", "Pain point", "Workaround"]
    client = signed_in(team.researcher)

    listed = client.get(f"/api/v1/studies/{team.study.pk}/tags/").json()["results"]
    bundle = client.get("/api/v1/me/offline-bundle/").json()["studies"][0]["tags"]
    browser = Client()
    browser.force_login(team.researcher)
    page = browser.get(f"/visits/{capture.visit.pk}/capture/")

    assert [tag["name"] for tag in listed] == expected
    assert [tag["name"] for tag in bundle] == expected
    assert [tag["name"] for tag in page.context["island"]["tags"]] == expected


def test_the_first_item_captured_on_a_scheduled_visit_starts_it_at_the_capture_time(team, capture):
    visit = capture.other_visit
    visit.researcher = team.researcher
    visit.save()
    first = timezone.now() - dt.timedelta(hours=3)
    second = timezone.now() - dt.timedelta(hours=2)

    sync(
        signed_in(team.researcher),
        upsert(visit, captured_at=second, text="Second."),
        upsert(visit, captured_at=first, text="First, captured offline."),
    )

    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS
    assert visit.started_at == first.replace(microsecond=first.microsecond)
    changes = VisitChange.objects.filter(visit=visit, kind=VisitChange.Kind.STATUS)
    assert [(c.from_status, c.to_status, c.note) for c in changes] == [
        (VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS, "Started by the first item captured.")
    ]


def test_a_refused_capture_starts_nothing(team, capture):
    visit = capture.other_visit  # researcher2's: the researcher may not capture on it

    body = sync(signed_in(team.researcher), upsert(visit))

    assert body["results"][0]["status"] == "rejected"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED


def test_an_answer_keeps_the_words_it_was_given_to_when_the_question_is_reworded(team, capture):
    question = capture.guide[0]
    answer = upsert(capture.visit, kind="answer", guide_question=str(question.pk), text="Tubs.")
    sync(signed_in(team.researcher), answer)
    question.text = "Where do the leftovers end up?"
    question.save()

    later = upsert(capture.visit, kind="answer", guide_question=str(question.pk), text="Bin.")
    sync(signed_in(team.researcher), later)

    first, second = Observation.objects.order_by("captured_at", "text")
    wordings = {obs.text: obs.question for obs in (first, second)}
    assert wordings == {"Tubs.": "Where do leftovers go?", "Bin.": "Where do the leftovers end up?"}
    body = signed_in(team.lead).get(f"/api/v1/visits/{capture.visit.pk}/observations/").json()
    questions = {row["text"]: row["question"] for row in body["results"]}
    assert questions["Tubs."] == {
        "id": str(question.pk),
        "key": str(question.key),
        "text": "Where do leftovers go?",
    }


def test_moving_an_answer_to_another_question_takes_that_questions_words(team, capture):
    client = signed_in(team.researcher)
    answer = upsert(
        capture.visit, kind="answer", guide_question=str(capture.guide[0].pk), text="Mum."
    )
    sync(client, answer)
    moved = sync_support.edit(
        answer, timezone.now() - dt.timedelta(minutes=1), guide_question=str(capture.guide[1].pk)
    )

    sync(client, moved)

    assert Observation.objects.get().question == "Who shops?"


def test_a_question_taken_off_the_guide_keeps_its_answers(team, capture):
    from studies.scheduling.services import guide_replace

    question = capture.guide[0]
    sync(
        signed_in(team.researcher),
        upsert(capture.visit, kind="answer", guide_question=str(question.pk), text="Tubs."),
    )

    guide_replace(round_=capture.round, questions=["Who shops?", "What do you throw away?"])

    question.refresh_from_db()
    assert question.position is None
    assert Observation.objects.get().guide_question == question
    assert [q.text for q in GuideQuestion.objects.filter(round=capture.round).asked()] == [
        "Who shops?",
        "What do you throw away?",
    ]
    assert GuideQuestion.objects.get(text="Who shops?").pk == capture.guide[1].pk
