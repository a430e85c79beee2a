"""PATCH and DELETE /api/v1/photos/<id>/: a photo's caption, tags and note changed after it
was taken, from a phone's outbox, last change winning; and a photo deleted."""

import datetime as dt
import uuid
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from studies.fieldwork.models import Photo, PhotoTag, Tag
from studies.scheduling.models import ConsentKind, VisitStatus
from tests.factories import ObservationFactory, PhotoFactory, TagFactory
from tests.fieldwork.photo_support import visits
from tests.fieldwork.sync_support import signed_in

__all__ = ["visits"]

pytestmark = pytest.mark.django_db


def url(photo: Photo) -> str:
    return f"/api/v1/photos/{photo.pk}/"


def deleted_at(photo: Photo, moment: dt.datetime) -> str:
    return f"{url(photo)}?{urlencode({'edited_at': moment.isoformat()})}"


def ago(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


@pytest.fixture
def photo(visits) -> Photo:
    return PhotoFactory(visit=visits.mine, captured_at=ago(60), caption="The fridge door")


def patch(user, photo: Photo, **body):
    body.setdefault("edited_at", ago(5).isoformat())
    return signed_in(user).patch(url(photo), body, format="json")


def test_the_author_changes_caption_tags_and_the_note_it_goes_with(team, visits, photo):
    note = ObservationFactory(visit=visits.mine, text="A list taped to the door.")
    storage = TagFactory(study=team.study, name="Storage")

    response = patch(
        team.researcher,
        photo,
        caption="  The list on the fridge door ",
        tags=["storage", "Lists"],
        observation=str(note.device_id),
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["caption"] == "The list on the fridge door"
    assert sorted(body["tags"]) == ["Lists", "Storage"]
    assert body["observation_device_id"] == str(note.device_id)
    photo.refresh_from_db()
    assert photo.observation == note
    assert set(photo.tags.all()) == {storage, Tag.objects.get(name="Lists")}


def test_only_what_is_sent_changes_and_null_takes_it_off_its_note(team, visits, photo):
    photo.observation = ObservationFactory(visit=visits.mine)
    photo.save()
    PhotoTag.objects.create(photo=photo, tag=TagFactory(study=team.study, name="Storage"))

    response = patch(team.researcher, photo, observation=None)

    assert response.status_code == 200
    photo.refresh_from_db()
    assert (photo.caption, photo.observation, [t.name for t in photo.tags.all()]) == (
        "The fridge door",
        None,
        ["Storage"],
    )


def test_an_older_change_arriving_late_loses_to_the_newer_one_already_applied(team, visits, photo):
    patch(team.researcher, photo, caption="Newer", edited_at=ago(5).isoformat())

    response = patch(team.researcher, photo, caption="Older", edited_at=ago(20).isoformat())

    assert response.status_code == 200
    assert response.json()["caption"] == "Newer"
    photo.refresh_from_db()
    assert photo.caption == "Newer"


def test_sending_the_same_change_twice_changes_nothing_more(team, visits, photo):
    change = {"caption": "Again", "tags": ["Storage"], "edited_at": ago(5).isoformat()}

    first = patch(team.researcher, photo, **change)
    second = patch(team.researcher, photo, **change)

    assert first.json() == second.json()
    assert PhotoTag.objects.count() == 1
    assert Tag.objects.count() == 1


def test_a_research_lead_may_change_anyones_photo(team, visits, photo):
    response = patch(team.lead, photo, caption="Corrected by the lead")

    assert response.status_code == 200
    assert response.json()["caption"] == "Corrected by the lead"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher2", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_others_may_not_change_a_photo_and_nothing_changes(team, visits, photo, persona, status):
    response = patch(getattr(team, persona), photo, caption="Not mine")

    assert response.status_code == status
    photo.refresh_from_db()
    assert photo.caption == "The fridge door"


def test_a_caption_over_its_limit_and_bad_tags_are_refused_by_field(team, visits, photo):
    long_caption = patch(team.researcher, photo, caption="x" * 301)
    too_many_tags = patch(team.researcher, photo, tags=[f"t{n}" for n in range(21)])
    no_time = signed_in(team.researcher).patch(url(photo), {"caption": "x"}, format="json")

    assert long_caption.status_code == 400
    assert list(long_caption.json()["errors"]) == ["caption"]
    assert too_many_tags.status_code == 400
    assert list(too_many_tags.json()["errors"]) == ["tags"]
    assert no_time.status_code == 400
    assert list(no_time.json()["errors"]) == ["edited_at"]
    photo.refresh_from_db()
    assert photo.caption == "The fridge door"
    assert Tag.objects.count() == 0


def test_the_note_must_be_of_the_same_visit_and_on_the_server(team, visits, photo):
    elsewhere = ObservationFactory(visit=visits.other)

    other_visit = patch(team.researcher, photo, observation=str(elsewhere.device_id))
    unknown = patch(team.researcher, photo, observation=str(uuid.uuid4()))

    assert other_visit.status_code == 400
    assert other_visit.json()["errors"] == {"observation": ["That item is from another visit."]}
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {
        "observation": ["That item has not reached the server, or was deleted."]
    }


def test_a_change_made_after_the_visit_finished_is_refused_one_made_before_is_taken(
    team, visits, photo
):
    visits.mine.status, visits.mine.finished_at = VisitStatus.COMPLETED, ago(30)
    visits.mine.save()

    before = patch(team.researcher, photo, caption="Before", edited_at=ago(35).isoformat())
    after = patch(team.researcher, photo, caption="After", edited_at=ago(10).isoformat())

    assert before.status_code == 200
    assert after.status_code == 400
    assert list(after.json()["errors"]) == ["visit"]
    photo.refresh_from_db()
    assert photo.caption == "Before"


def test_a_deleted_photo_takes_no_change(team, visits, photo):
    delete = signed_in(team.researcher).delete(url(photo))

    response = patch(team.researcher, photo, caption="Too late")

    assert delete.status_code == 204
    assert response.status_code == 409
    assert response.json()["errors"] == {"photo": ["This photo was deleted; it cannot be changed."]}


def test_deleting_hides_the_photo_and_deleting_again_is_harmless(team, visits, photo):
    first = signed_in(team.researcher).delete(url(photo))
    again = signed_in(team.researcher).delete(deleted_at(photo, ago(1)))

    assert (first.status_code, again.status_code) == (204, 204)
    assert Photo.objects.shown().count() == 0
    assert signed_in(team.researcher).get(url(photo)).status_code == 404


def test_a_delete_made_on_the_phone_after_the_visit_finished_is_refused(team, visits, photo):
    visits.mine.status, visits.mine.finished_at = VisitStatus.COMPLETED, ago(30)
    visits.mine.save()

    response = signed_in(team.researcher).delete(deleted_at(photo, ago(5)))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["visit"]
    assert Photo.objects.shown().count() == 1


def test_a_photo_whose_household_withdrew_photo_consent_is_not_found(team, visits, photo):
    visits.mine.household.consents.filter(kind=ConsentKind.PHOTOS).update(withdrawn_at=ago(1))

    response = patch(team.researcher, photo, caption="Hidden")

    assert response.status_code == 404


def test_a_deleted_photo_is_no_insights_cover_on_the_boards_or_in_the_api(team, visits, photo):
    from studies.fieldwork.models import TagGroup
    from studies.synthesis.services.insights import insight_create
    from tests.frontend.test_boards_pages import client_for

    pain = TagFactory(study=team.study, name="Storage", group=TagGroup.PAIN_POINT)
    insight = insight_create(
        study=team.study,
        actor=team.lead,
        statement="The fridge door is the list.",
        photo_ids=[photo.pk],
        tag_ids=[pain.pk],
    )
    board = client_for(team.product)
    assert f"/photos/{photo.pk}/" in board.get("/boards/product/").content.decode()

    signed_in(team.researcher).delete(url(photo))

    body = signed_in(team.product).get(f"/api/v1/insights/{insight.pk}/").json()
    assert body["cover_photo"] is None
    assert f"/photos/{photo.pk}/" not in board.get("/boards/product/").content.decode()
