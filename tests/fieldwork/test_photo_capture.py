"""Photos as evidence in their own right, from the moment they are captured: tags given at
capture, the visit they start, and which visit takes them when (fieldwork.policies)."""

import datetime as dt

import pytest
from django.utils import timezone

from studies.fieldwork.models import Photo, PhotoUpload, Tag
from studies.scheduling.models import VisitChange, VisitStatus
from tests.factories import TagFactory
from tests.fieldwork.photo_support import jpeg_bytes, media, uploader, visits

__all__ = ["media", "uploader", "visits"]

pytestmark = pytest.mark.django_db

FINISHED = (
    "This visit was finished before this was captured. Move the item to another of your "
    "visits, or delete it."
)


@pytest.fixture
def photo() -> bytes:
    return jpeg_bytes((640, 480))


def test_tags_given_at_capture_go_to_the_photo_matched_without_case(
    team, uploader, visits, photo, media
):
    storage = TagFactory(study=team.study, name="Storage")

    response = uploader.upload(visits.mine, photo, tags=["storage", "Freezer  door", "STORAGE"])

    assert response.status_code == 200, response.json()
    assert sorted(response.json()["photo"]["tags"]) == ["Freezer door", "Storage"]
    made = Photo.objects.get()
    assert set(made.tags.all()) == {storage, Tag.objects.get(name="Freezer door")}
    assert Tag.objects.get(name="Freezer door").study == team.study


def test_too_many_or_too_long_tags_are_refused_before_any_byte_is_taken(
    uploader, visits, photo, media
):
    too_many = uploader.create(visits.mine, photo, tags=[f"tag {n}" for n in range(21)])
    too_long = uploader.create(visits.mine, photo, tags=["x" * 81])

    assert too_many.status_code == 400
    assert list(too_many.json()["errors"]) == ["tags"]
    assert too_long.status_code == 400
    assert list(too_long.json()["errors"]) == ["tags[0]"]
    assert PhotoUpload.objects.count() == 0
    assert Tag.objects.count() == 0


def test_a_photo_taken_on_a_visit_nobody_started_starts_it_at_its_capture_time(
    team, uploader, visits, photo, media
):
    visit = visits.mine
    visit.status, visit.started_at = VisitStatus.SCHEDULED, None
    visit.save()
    taken = timezone.now() - dt.timedelta(minutes=40)

    response = uploader.upload(visit, photo, captured_at=taken.isoformat())

    assert response.status_code == 200, response.json()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS
    assert visit.started_at == taken
    change = VisitChange.objects.get(visit=visit, kind=VisitChange.Kind.STATUS)
    assert (change.from_status, change.to_status, change.actor) == (
        VisitStatus.SCHEDULED,
        VisitStatus.IN_PROGRESS,
        team.researcher,
    )


def test_a_photo_taken_before_the_visit_finished_is_taken_after_the_finish(
    uploader, visits, photo, media
):
    visit = visits.mine
    visit.status, visit.finished_at = VisitStatus.COMPLETED, timezone.now() - dt.timedelta(hours=1)
    visit.save()
    before = visit.finished_at - dt.timedelta(minutes=20)
    after = visit.finished_at + dt.timedelta(minutes=30)

    kept = uploader.upload(visit, photo, captured_at=before.isoformat())
    refused = uploader.create(visit, photo, captured_at=after.isoformat())

    assert kept.status_code == 200
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"visit": [FINISHED]}
    assert Photo.objects.count() == 1


def test_an_erased_households_visit_takes_no_photo(uploader, visits, photo, media):
    household = visits.mine.household
    household.erased_at = timezone.now()
    household.save()

    response = uploader.create(visits.mine, photo)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "visit": ["This household's data was erased: nothing more can be captured for it."]
    }


def test_a_tag_named_like_another_studys_is_this_studys_own(team, uploader, visits, photo, media):
    # Capture names tags; names are looked up in the visit's study only, so a photo can
    # never carry a tag of a study it is not in.
    elsewhere = TagFactory(study=visits.elsewhere.round.study, name="Storage")

    response = uploader.upload(visits.mine, photo, tags=["Storage"])

    assert response.status_code == 200, response.json()
    (tag,) = Photo.objects.get().tags.all()
    assert tag != elsewhere
    assert tag.study == team.study


def test_a_caption_over_its_limit_is_refused_before_any_byte_is_taken(
    uploader, visits, photo, media
):
    response = uploader.create(visits.mine, photo, caption="x" * 301)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["caption"]
    assert PhotoUpload.objects.count() == 0
