"""The resumable upload protocol through HTTP: /api/v1/uploads/."""

import hashlib
import random
import uuid

import pytest
from rest_framework.test import APIClient

from studies.fieldwork.models import Photo, PhotoStatus, PhotoUpload, UploadStatus
from studies.scheduling.models import VisitStatus
from tests.fieldwork.photo_support import (
    UPLOADS,
    Uploader,
    bad_files,
    jpeg_bytes,
    media,
    photo,
    stored_files,
    uploader,
    visits,
)

__all__ = ["media", "photo", "uploader", "visits"]  # fixtures shared through photo_support

pytestmark = pytest.mark.django_db

CLOSED = {
    VisitStatus.CANCELLED: "This visit was cancelled: nothing can be captured for it.",
    VisitStatus.NO_SHOW: (
        "Nobody was home for this visit (no-show): nothing can be captured for it."
    ),
}


@pytest.fixture
def processed(transactional_db):
    """Commit for real, so what a request enqueues after commit runs (inline) at once."""


def test_chunks_sent_at_their_offsets_make_one_photo(uploader, visits, photo, media, processed):
    created = uploader.create(visits.mine, photo)
    upload_id = created.json()["id"]

    first = uploader.send(upload_id, photo[:10_000], 0)
    second = uploader.send(upload_id, photo[10_000:], 10_000)

    assert created.status_code == 201
    assert created.json() == {
        "researchhub": "upload-v1",
        "id": upload_id,
        "device_id": created.json()["device_id"],
        "offset": 0,
        "length": len(photo),
        "complete": False,
        "photo": None,
    }
    assert first.status_code == 200
    assert (first.json()["offset"], first.json()["complete"]) == (10_000, False)
    assert first["Upload-Offset"] == "10000"
    body = second.json()
    assert second.status_code == 200
    assert (body["researchhub"], body["offset"], body["complete"]) == (
        "upload-v1",
        len(photo),
        True,
    )
    photo_row = Photo.objects.get()
    assert body["photo"]["id"] == str(photo_row.pk)
    assert body["photo"]["device_id"] == created.json()["device_id"]
    assert photo_row.device_id == uuid.UUID(created.json()["device_id"])
    assert photo_row.sha256 == hashlib.sha256(photo).hexdigest()
    assert photo_row.caption == "Leftovers in takeaway tubs"
    assert photo_row.author == visits.mine.researcher
    # Processed inline after the commit: the clean files only, chunks and raw upload gone.
    photo_row.refresh_from_db()
    assert photo_row.status == PhotoStatus.READY
    assert len(stored_files(media)) == 5
    assert PhotoUpload.objects.get().status == UploadStatus.COMPLETE


def test_an_upload_cut_at_random_offsets_resumes_via_head(uploader, visits, media, processed):
    rng = random.Random(7)
    photo = jpeg_bytes((1600, 1200), quality=95)
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    resumed = 0

    # The phone sends big chunks; the network cuts each one at a random point, so the
    # server keeps a prefix, and the phone loses the answer and must ask where it stands.
    while True:
        head = uploader.head(upload_id)
        assert head.status_code == 200
        offset = int(head["Upload-Offset"])
        if offset == len(photo):
            break
        chunk = photo[offset : offset + 50_000]
        kept = chunk[: rng.randint(1, len(chunk))]
        response = uploader.send(upload_id, kept, offset)
        assert response.status_code == 200, response.json()
        resumed += 1

    assert resumed > 3
    status = uploader.client.get(f"{UPLOADS}{upload_id}/")
    assert status.json()["complete"] is True
    photo_row = Photo.objects.get()
    assert photo_row.sha256 == hashlib.sha256(photo).hexdigest()
    assert photo_row.status == PhotoStatus.READY


def test_head_answers_the_offset_in_a_header_and_no_body(uploader, visits, photo, media):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    uploader.send(upload_id, photo[:1234], 0)

    head = uploader.head(upload_id)

    assert head.status_code == 200
    assert (head["Upload-Offset"], head["Upload-Length"]) == ("1234", str(len(photo)))
    assert head["Cache-Control"] == "no-store"
    assert head.content == b""


def test_a_stale_offset_is_refused_with_the_real_one_and_changes_nothing(
    uploader, visits, photo, media
):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    uploader.send(upload_id, photo[:1000], 0)
    files_before = stored_files(media)

    replayed = uploader.send(upload_id, photo[:1000], 0)
    ahead = uploader.send(upload_id, photo[5000:6000], 5000)

    for response in (replayed, ahead):
        assert response.status_code == 409
        body = response.json()
        assert (body["researchhub"], body["id"], body["offset"]) == ("upload-v1", upload_id, 1000)
        assert body["errors"] == {
            "Upload-Offset": ["The upload is at byte 1000: resume from there."]
        }
        assert response["Upload-Offset"] == "1000"
    assert PhotoUpload.objects.get().offset == 1000
    assert stored_files(media) == files_before


def test_a_chunk_past_the_length_is_refused_and_changes_nothing(uploader, visits, photo, media):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    uploader.send(upload_id, photo[:1000], 0)

    response = uploader.send(upload_id, photo[1000:] + b"extra", 1000)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]
    assert PhotoUpload.objects.get().offset == 1000
    assert not Photo.objects.exists()


def test_a_checksum_mismatch_is_refused_and_the_upload_starts_over(
    uploader, visits, photo, media, processed
):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    corrupted = photo[:-100] + bytes(100)
    uploader.send(upload_id, corrupted[:5000], 0)

    mismatch = uploader.send(upload_id, corrupted[5000:], 5000)

    assert mismatch.status_code == 400
    assert list(mismatch.json()["errors"]) == ["sha256"]
    assert PhotoUpload.objects.get().offset == 0
    assert not Photo.objects.exists()
    assert stored_files(media) == []
    # Sent again, right this time, it completes.
    assert uploader.head(upload_id)["Upload-Offset"] == "0"
    again = uploader.send(upload_id, photo, 0)
    assert again.status_code == 200
    assert again.json()["complete"] is True
    assert Photo.objects.get().sha256 == hashlib.sha256(photo).hexdigest()


def test_creating_again_with_the_same_device_id_returns_the_same_upload(
    uploader, visits, photo, media, processed
):
    device_id = str(uuid.uuid4())
    first = uploader.create(visits.mine, photo, device_id=device_id)
    uploader.send(first.json()["id"], photo[:2000], 0)

    again = uploader.create(visits.mine, photo, device_id=device_id)

    assert again.status_code == 200
    assert (again.json()["id"], again.json()["offset"]) == (first.json()["id"], 2000)
    uploader.send(first.json()["id"], photo[2000:], 2000)
    after_completion = uploader.create(visits.mine, photo, device_id=device_id)
    assert after_completion.status_code == 200
    assert after_completion.json()["complete"] is True
    assert after_completion.json()["photo"]["id"] == str(Photo.objects.get().pk)
    assert PhotoUpload.objects.count() == 1


def test_the_same_device_id_with_other_content_is_a_conflict(uploader, visits, photo, media):
    device_id = str(uuid.uuid4())
    uploader.create(visits.mine, photo, device_id=device_id)

    response = uploader.create(visits.mine, photo + b"x", device_id=device_id)

    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["device_id"]


def test_a_photo_over_the_size_limit_is_refused_with_413(uploader, visits, media, settings):
    settings.RESEARCHHUB_MAX_PHOTO_BYTES = 10_000

    response = uploader.create(visits.mine, jpeg_bytes((1600, 1200), quality=95))

    assert response.status_code == 413
    assert response.json() == {
        "errors": {"length": ["The photo is too large: at most 0 MB is accepted."]}
    }
    assert not PhotoUpload.objects.exists()
    assert stored_files(media) == []


def test_the_default_size_limit_is_25_mb(uploader, visits, media):
    response = uploader.create(visits.mine, b"", length=25 * 1024 * 1024 + 1, sha256="0" * 64)

    assert response.status_code == 413
    assert response.json()["errors"]["length"] == [
        "The photo is too large: at most 25 MB is accepted."
    ]


@pytest.mark.parametrize(("name", "data"), list(bad_files().items()), ids=list(bad_files()))
def test_a_file_that_is_not_a_plain_photo_is_refused_and_leaves_nothing_behind(
    uploader, visits, media, processed, name, data
):
    response = uploader.upload(visits.mine, data, chunk_size=len(data) // 2 + 1)

    assert response.status_code == 400
    messages = response.json()["errors"]["file"]
    assert len(messages) == 1
    assert messages[0].endswith(".")
    assert not Photo.objects.exists()
    assert not PhotoUpload.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("outsider", 400),  # a visit they cannot see: named in the body, so a 400
        ("researcher2", 403),  # another researcher's visit in their own study
        ("product", 403),
        ("marketing", 403),
    ],
)
def test_only_the_visits_researcher_or_a_lead_may_upload(team, visits, photo, media, persona, code):
    response = Uploader(getattr(team, persona)).create(visits.mine, photo)

    assert response.status_code == code
    if code == 400:
        assert response.json() == {"errors": {"visit": ["Not found, or not in a study of yours."]}}
    assert not PhotoUpload.objects.exists()


def test_the_outsider_may_upload_to_a_visit_of_their_own_study(team, visits, photo, media):
    assert Uploader(team.outsider).create(visits.elsewhere, photo).status_code == 201


def test_a_lead_may_upload_to_any_visit_of_the_study(team, visits, photo, media):
    assert Uploader(team.lead).create(visits.other, photo).status_code == 201


def test_anonymous_requests_are_refused(visits, photo, media):
    client = APIClient()

    assert client.post(UPLOADS, {}, format="json").status_code == 401
    assert client.head(f"{UPLOADS}{uuid.uuid4()}/").status_code == 401


def test_another_users_upload_is_not_found(team, uploader, visits, photo, media):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    lead = Uploader(team.lead)

    assert lead.head(upload_id).status_code == 404
    assert lead.send(upload_id, photo[:100], 0).status_code == 404
    assert PhotoUpload.objects.get().offset == 0


def test_a_chunk_must_be_sent_as_offset_octet_stream(uploader, visits, photo, media):
    upload_id = uploader.create(visits.mine, photo).json()["id"]

    response = uploader.client.patch(
        f"{UPLOADS}{upload_id}/",
        photo[:100],
        content_type="image/jpeg",
        headers={"Upload-Offset": "0"},
    )
    no_offset = uploader.client.patch(
        f"{UPLOADS}{upload_id}/", photo[:100], content_type="application/offset+octet-stream"
    )

    assert response.status_code == 415
    assert no_offset.status_code == 400
    assert list(no_offset.json()["errors"]) == ["Upload-Offset"]


@pytest.mark.parametrize("status", [VisitStatus.CANCELLED, VisitStatus.NO_SHOW])
def test_a_closed_visit_takes_no_photos(uploader, visits, photo, media, status):
    visits.mine.status = status
    visits.mine.save()

    response = uploader.create(visits.mine, photo)

    assert response.status_code == 400
    assert response.json()["errors"] == {"visit": [CLOSED[status]]}
    assert PhotoUpload.objects.count() == 0


def test_a_photo_is_linked_to_its_observation_by_the_observations_device_id(
    uploader, visits, photo, media, processed
):
    from tests.factories import ObservationFactory

    observation = ObservationFactory(visit=visits.mine)
    other = ObservationFactory(visit=visits.other)

    linked = uploader.upload(visits.mine, photo, observation=str(observation.device_id))
    refused = uploader.create(visits.mine, photo, observation=str(other.device_id))

    assert linked.json()["photo"]["observation_device_id"] == str(observation.device_id)
    assert Photo.objects.get().observation == observation
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["observation"]


def test_soak_100_photos_from_several_devices_with_cuts_and_duplicates(
    team, visits, media, processed
):
    rng = random.Random(2027)
    devices = [Uploader(team.researcher) for _ in range(5)]
    photos = {
        str(uuid.uuid4()): jpeg_bytes((rng.randint(300, 900), rng.randint(300, 900)), quality=80)
        for _ in range(100)
    }
    pending = list(photos.items())
    rng.shuffle(pending)
    sessions: dict[str, str] = {}

    def step(device: Uploader, device_id: str, data: bytes) -> bool:
        """One attempt, as a flaky network allows; True once the server confirmed it."""
        created = device.create(visits.mine, data, device_id=device_id)
        assert created.status_code in {200, 201}
        body = created.json()
        sessions.setdefault(device_id, body["id"])
        assert body["id"] == sessions[device_id]  # a lost create never makes a second one
        if body["complete"]:
            return True
        offset = body["offset"]
        while offset < len(data):
            chunk = data[offset : offset + rng.randint(2_000, 30_000)]
            roll = rng.random()
            if roll < 0.15:
                chunk = chunk[: rng.randint(1, len(chunk))]  # cut mid-chunk
            sent = device.send(body["id"], chunk, offset)
            if roll > 0.9:
                # The answer was lost: the phone sends the same chunk again.
                again = device.send(body["id"], chunk, offset)
                assert again.status_code == 409
            assert sent.status_code == 200, sent.json()
            if rng.random() < 0.1:
                return False  # the connection dropped; try later
            offset = sent.json()["offset"]
        return True

    while pending:
        device_id, data = pending.pop()
        device = rng.choice(devices)
        if not step(device, device_id, data):
            pending.insert(rng.randint(0, len(pending)), (device_id, data))
        elif rng.random() < 0.2:
            # A duplicate send of something already delivered: the outbox replays it.
            assert step(rng.choice(devices), device_id, data)

    assert Photo.objects.count() == 100
    assert sorted(str(value) for value in Photo.objects.values_list("device_id", flat=True)) == (
        sorted(photos)
    )
    assert set(Photo.objects.values_list("status", flat=True)) == {PhotoStatus.READY}
    for made in Photo.objects.all():
        assert made.sha256 == hashlib.sha256(photos[str(made.device_id)]).hexdigest()
        assert not made.upload
    files = stored_files(media)
    assert len(files) == 500
    assert not [name for name in files if name.startswith("photo-uploads/")]


def test_a_photo_sent_before_its_observation_is_linked_once_the_observation_arrives(
    uploader, visits, photo, media, processed
):
    from studies.fieldwork.services.photos import photos_link_observations
    from tests.factories import ObservationFactory

    device_id = uuid.uuid4()
    sent = uploader.upload(visits.mine, photo, observation=str(device_id))
    assert sent.json()["photo"]["observation_device_id"] is None

    observation = ObservationFactory(visit=visits.mine, device_id=device_id)
    elsewhere = ObservationFactory(visit=visits.other)

    assert photos_link_observations(device_ids=[elsewhere.device_id]) == 0
    assert photos_link_observations(device_ids=[observation.device_id]) == 1
    assert photos_link_observations(device_ids=[observation.device_id]) == 0
    assert Photo.objects.get().observation == observation
