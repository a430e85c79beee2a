"""The rules of capture, each in its one home (studies/fieldwork/policies.py), and the
consumers that ask them: the sync, the upload and the capture page agree because they call
the same function."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from studies.fieldwork import policies
from studies.fieldwork.models import Observation, TagGroup
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
