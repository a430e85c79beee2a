"""The synthesis screen's read (studies/synthesis/selectors/browse.py): a study's live
observations and its photos as one list, newest first, with the same filters for both, a
question's answers across rounds, and a fixed number of queries per page."""

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    PhotoStatus,
    PhotoTag,
    Tag,
)
from studies.scheduling.models import Consent, ConsentKind, GuideQuestion
from studies.synthesis.selectors import (
    PHOTO_KIND,
    BrowsedItem,
    ObservationFilters,
    evidence_browse,
    evidence_picked,
    guide_question_keys,
)
from tests.conftest import enrol_consenting
from tests.factories import ObservationFactory, RoundFactory, VisitFactory
from tests.synthesis.conftest import Field

NOW = timezone.now()


def photo(observation_or_visit, *, caption="", tags=(), minutes=0, **fields) -> Photo:
    """A processed photo, attached to an observation or taken on a visit on its own."""
    attached = isinstance(observation_or_visit, Observation)
    visit = observation_or_visit.visit if attached else observation_or_visit
    made = Photo.objects.create(
        visit=visit,
        observation=observation_or_visit if attached else None,
        author=visit.researcher,
        caption=caption,
        captured_at=NOW - dt.timedelta(days=5) + dt.timedelta(minutes=minutes),
        status=fields.pop("status", PhotoStatus.READY),
        **fields,
    )
    PhotoTag.objects.bulk_create(PhotoTag(photo=made, tag=tag) for tag in tags)
    return made


@dataclass
class Photos:
    field: Field
    alone: Photo  # household 2, latest round, no note, tagged pain, "Freezer drawer packed"
    on_note: Photo  # under household 0's first-round note, untagged, "Shelf of tubs"
    tagged_on_note: Photo  # under household 1's first-round note, tagged delight


@pytest.fixture
def photos(field: Field) -> Photos:
    latest_visit = field.quotes[2].visit
    return Photos(
        field=field,
        alone=photo(latest_visit, caption="Freezer drawer packed", tags=[field.pain], minutes=1),
        on_note=photo(field.notes[0], caption="Shelf of tubs", minutes=2),
        tagged_on_note=photo(field.notes[1], caption="Labels", tags=[field.delight], minutes=3),
    )


def browse(field: Field, **filters) -> list[BrowsedItem]:
    items = evidence_browse(study=field.team.study, filters=ObservationFilters(**filters))
    return items[0 : items.count()]


def keys(items: list[BrowsedItem]) -> list[tuple[str, uuid.UUID]]:
    return [(item.kind, item.pk) for item in items]


def observations_of(items: list[BrowsedItem]) -> set[uuid.UUID]:
    return {item.pk for item in items if item.kind == "observation"}


def photos_of(items: list[BrowsedItem]) -> set[uuid.UUID]:
    return {item.pk for item in items if item.kind == "photo"}


# --- Kinds ----------------------------------------------------------------------------------


def test_it_lists_observations_and_photos_of_their_own_newest_first(photos):
    field = photos.field

    items = browse(field)

    # The field's observations were captured just now; the photos five days ago.
    assert observations_of(items) == {o.pk for o in field.notes + field.quotes}
    assert photos_of(items) == {photos.alone.pk}
    assert items[-1].kind == "photo"
    captured = [(item.observation or item.photo).captured_at for item in items]
    assert captured == sorted(captured, reverse=True)


def test_a_photo_attached_to_a_listed_note_is_shown_under_it(photos):
    field = photos.field

    items = {item.pk: item for item in browse(field)}

    assert items[field.notes[0].pk].observation.shown_photos == [photos.on_note]
    assert items[field.notes[1].pk].observation.shown_photos == [photos.tagged_on_note]
    assert items[field.notes[2].pk].observation.shown_photos == []
    assert list(items[photos.alone.pk].photo.tags.all()) == [field.pain]


def test_the_photo_kind_lists_every_photo_on_its_own(photos):
    items = browse(photos.field, kind=PHOTO_KIND)

    assert keys(items) == [
        ("photo", photos.tagged_on_note.pk),
        ("photo", photos.on_note.pk),
        ("photo", photos.alone.pk),
    ]


def test_an_observation_kind_lists_those_observations_only(photos):
    field = photos.field

    assert keys(browse(field, kind=ObservationKind.QUOTE)) == [
        ("observation", o.pk) for o in sorted(field.quotes, key=lambda o: o.captured_at)[::-1]
    ]
    items = browse(field, kind=ObservationKind.NOTE)
    assert observations_of(items) == {o.pk for o in field.notes}
    assert photos_of(items) == set()


def test_photos_no_one_may_see_are_never_listed(photos):
    field = photos.field
    visit = field.notes[2].visit
    deleted = photo(visit, caption="deleted", deleted_at=NOW)
    failed = photo(visit, caption="failed", status=PhotoStatus.FAILED, failure_reason="Unreadable")
    pending = photo(visit, caption="pending", status=PhotoStatus.PENDING)
    withdrawn_household = enrol_consenting(field.team.study, 1, prefix="W")[0]
    withdrawn = photo(VisitFactory(round=field.rounds[1], household=withdrawn_household))
    Consent.objects.filter(household=withdrawn_household, kind=ConsentKind.PHOTOS).update(
        withdrawn_at=NOW - dt.timedelta(minutes=1)
    )
    elsewhere = photo(VisitFactory(), caption="another study")

    listed = photos_of(browse(field, kind=PHOTO_KIND))

    assert pending.pk in listed
    assert listed.isdisjoint({deleted.pk, failed.pk, withdrawn.pk, elsewhere.pk})


def test_a_photo_whose_note_was_deleted_is_listed_on_its_own(photos):
    field = photos.field
    field.notes[0].deleted_at = NOW
    field.notes[0].save(update_fields=["deleted_at"])

    items = browse(field)

    assert field.notes[0].pk not in observations_of(items)
    assert photos.on_note.pk in photos_of(items)


# --- Filters on photos ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (lambda p: {"round_id": p.field.rounds[1].pk}, lambda p: {p.alone}),
        (lambda p: {"round_id": p.field.rounds[0].pk}, lambda p: {p.on_note, p.tagged_on_note}),
        (lambda p: {"household_id": p.field.households[0].pk}, lambda p: {p.on_note}),
        (lambda p: {"segment": "suburban"}, lambda p: {p.on_note}),
        (lambda p: {"segment": "region=north"}, lambda p: {p.on_note, p.tagged_on_note, p.alone}),
        (lambda p: {"tag_id": p.field.pain.pk}, lambda p: {p.alone}),
        (lambda p: {"tag_id": p.field.delight.pk}, lambda p: {p.tagged_on_note}),
        (lambda p: {"text": "TUBS"}, lambda p: {p.on_note}),
        (lambda p: {"text": "drawer", "tag_id": p.field.pain.pk}, lambda p: {p.alone}),
        (lambda p: {"text": "drawer", "tag_id": p.field.delight.pk}, lambda p: set()),
    ],
)
def test_each_filter_narrows_the_photos_by_their_own_tags_and_caption(photos, filters, expected):
    found = photos_of(browse(photos.field, kind=PHOTO_KIND, **filters(photos)))

    assert found == {p.pk for p in expected(photos)}


def test_an_attached_photo_that_matches_when_its_note_does_not_is_listed_on_its_own(photos):
    field = photos.field

    by_tag = browse(field, tag_id=field.delight.pk)
    by_caption = browse(field, text="shelf of")

    # The note is not tagged delight, its photo is: the photo is found, on its own.
    assert keys(by_tag) == [("photo", photos.tagged_on_note.pk)]
    assert keys(by_caption) == [("photo", photos.on_note.pk)]


def test_a_photo_under_a_note_that_matches_is_shown_there_not_twice(photos):
    field = photos.field
    ObservationTag.objects.create(observation=field.notes[1], tag=field.delight)

    items = browse(field, tag_id=field.delight.pk)

    assert keys(items) == [("observation", field.notes[1].pk)]
    assert items[0].observation.shown_photos == [photos.tagged_on_note]


# --- A question's answers across rounds --------------------------------------------------


@dataclass
class Asked:
    key: uuid.UUID
    answers: list[Observation]  # one per round, oldest first
    other: Observation  # an answer to another question


@pytest.fixture
def asked(field: Field) -> Asked:
    first = GuideQuestion.objects.create(
        round=field.rounds[0], position=0, text="What did you throw away?"
    )
    carried = GuideQuestion.objects.create(
        round=field.rounds[1], key=first.key, position=1, text="What did you throw away this week?"
    )
    other = GuideQuestion.objects.create(round=field.rounds[1], position=0, text="Who shops?")
    GuideQuestion.objects.create(round=field.rounds[0], text="Taken off the guide.")

    def answer(question: GuideQuestion, visit, text: str) -> Observation:
        return ObservationFactory(
            visit=visit,
            kind=ObservationKind.ANSWER,
            text=text,
            guide_question=question,
            question_text=question.text,
        )

    return Asked(
        key=first.key,
        answers=[
            answer(first, field.notes[0].visit, "Half a bag of spinach."),
            answer(carried, field.quotes[1].visit, "Bread, again."),
        ],
        other=answer(other, field.quotes[1].visit, "Me, on Saturdays."),
    )


def test_a_question_filter_finds_its_answers_in_every_round(asked, field):
    items = browse(field, question_key=asked.key)

    assert observations_of(items) == {answer.pk for answer in asked.answers}
    # Each answer keeps the words it was asked in.
    assert {item.observation.question for item in items} == {
        "What did you throw away?",
        "What did you throw away this week?",
    }


def test_a_question_filter_lists_photos_only_under_its_answers(asked, field):
    under_answer = photo(asked.answers[0], caption="The spinach")
    photo(field.notes[2].visit, caption="Not an answer")

    items = browse(field, question_key=asked.key)
    photo_items = browse(field, question_key=asked.key, kind=PHOTO_KIND)

    assert photos_of(items) == set()
    assert [p.pk for item in items for p in item.observation.shown_photos] == [under_answer.pk]
    assert keys(photo_items) == [("photo", under_answer.pk)]


def test_the_guide_questions_are_listed_once_a_key_in_their_latest_words(asked, field):
    listed = guide_question_keys(study=field.team.study)

    assert [(q.key, q.text) for q in listed][:2] == [
        (asked.other.guide_question.key, "Who shops?"),
        (asked.key, "What did you throw away this week?"),
    ]
    assert [q.text for q in listed][2:] == ["Taken off the guide."]


def test_a_question_of_another_study_matches_nothing(asked, field):
    foreign = GuideQuestion.objects.create(round=RoundFactory(), position=0, text="Elsewhere")

    assert browse(field, question_key=foreign.key) == []


# --- Pages and queries ----------------------------------------------------------------------


def grow(field: Field, households: int) -> None:
    """More households with notes, quotes and photos (tagged, under notes and alone)."""
    for household in enrol_consenting(field.team.study, households, prefix="G"):
        visit = VisitFactory(round=field.rounds[1], household=household)
        notes = [ObservationFactory(visit=visit) for _ in range(3)]
        ObservationTag.objects.bulk_create(
            ObservationTag(observation=o, tag=field.pain) for o in notes
        )
        photo(notes[0], tags=[field.pain, field.delight])
        photo(visit, caption="alone", tags=[field.quotable])


def page_queries(field: Field, **filters) -> tuple[int, list[BrowsedItem]]:
    items = evidence_browse(study=field.team.study, filters=ObservationFilters(**filters))
    with CaptureQueriesContext(connection) as queries:
        items.count()
        page = items[0:10]
        for item in page:
            source = item.observation or item.photo
            list(source.tags.all())
            for attached in getattr(source, "shown_photos", []):
                list(attached.tags.all())
            assert source.visit.household.code
            assert source.visit.round.label
    return len(queries), page


@pytest.mark.parametrize("kind", ["", PHOTO_KIND, ObservationKind.NOTE])
def test_a_page_takes_the_same_queries_however_large_the_study(photos, kind):
    field = photos.field
    small, _page = page_queries(field, kind=kind)
    grow(field, households=6)

    grown, page = page_queries(field, kind=kind)

    # count, the page's ids, then for what the page holds: observations with visit,
    # household, round and question; their tags; the photos (alone and under the notes);
    # their tags. A kind that leaves observations out skips their two.
    assert small == grown == (4 if kind == PHOTO_KIND else 6)
    assert len(page) == 10


def test_pages_follow_each_other_without_gaps_or_repeats(photos):
    field = photos.field
    grow(field, households=4)
    items = evidence_browse(study=field.team.study, filters=ObservationFilters())
    total = items.count()

    pages = [items[start : start + 7] for start in range(0, total, 7)]

    seen = [key for page in pages for key in keys(page)]
    assert len(seen) == len(set(seen)) == total == 6 + 4 * 3 + 1 + 4


# --- A selection read back --------------------------------------------------------------------


def test_a_selection_is_read_back_with_what_is_no_longer_there(photos):
    field = photos.field
    gone_note = ObservationFactory(visit=field.notes[2].visit, deleted_at=NOW)
    foreign = ObservationFactory(visit=VisitFactory())
    deleted_photo = photo(field.notes[2].visit, deleted_at=NOW)

    picked = evidence_picked(
        study=field.team.study,
        observation_ids=[field.quotes[0].pk, gone_note.pk, foreign.pk],
        photo_ids=[photos.alone.pk, photos.on_note.pk, deleted_photo.pk],
    )

    assert keys(picked.items) == [
        ("observation", field.quotes[0].pk),
        ("photo", photos.on_note.pk),
        ("photo", photos.alone.pk),
    ]
    assert picked.items[1].photo.visit.household == field.households[0]
    assert set(picked.missing) == {
        ("observation", gone_note.pk),
        ("observation", foreign.pk),
        ("photo", deleted_photo.pk),
    }


def test_tags_of_a_study_are_never_taken_from_another(photos):
    field = photos.field
    foreign_tag = Tag.objects.create(study=RoundFactory().study, name="Elsewhere")

    assert browse(field, tag_id=foreign_tag.pk) == []
