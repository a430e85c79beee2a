"""photo_ingest → photo_process → the files, the API that shows them and the view that
serves them. Tasks run inline here; tests/fieldwork/test_photo_worker.py runs a real worker.
"""

import datetime as dt
import io
import threading
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from studies.fieldwork import tasks
from studies.fieldwork.models import Photo, PhotoStatus
from studies.fieldwork.services import photos
from tests.fieldwork.photo_support import (
    bad_files,
    heic_bytes,
    jpeg_bytes,
    media,
    stored_files,
    visits,
)

__all__ = ["media", "visits"]  # fixtures shared through photo_support

CAPTURED = dt.datetime(2027, 1, 12, 9, 30, tzinfo=dt.UTC)
OUTPUTS = ["original.jpg", "thumb.jpg", "thumb.webp", "web.jpg", "web.webp"]


def ingest(visit, data: bytes = b"", **kwargs) -> Photo:
    return photos.photo_ingest(
        visit=visit,
        author=visit.researcher,
        content=data or jpeg_bytes(),
        caption="Freezer drawer",
        captured_at=CAPTURED,
        **kwargs,
    )


def output_names(photo: Photo) -> list[str]:
    folder = photos.photo_output_folder(photo)
    return sorted(
        name.removeprefix(f"{folder}/")
        for name in [
            photo.original.name,
            photo.web_webp.name,
            photo.web_jpeg.name,
            photo.thumb_webp.name,
            photo.thumb_jpeg.name,
        ]
    )


@pytest.fixture
def pending_photo(visits, media, django_capture_on_commit_callbacks) -> Photo:
    """A photo ingested but not processed yet: its task was never sent."""
    with django_capture_on_commit_callbacks(execute=False):
        return ingest(visits.mine)


# --- Ingest and processing ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("source", [jpeg_bytes, heic_bytes], ids=["jpeg", "heic"])
def test_an_ingested_photo_is_processed_after_commit_into_clean_files(visits, media, source):
    photo = ingest(visits.mine, source((400, 300), orientation=6))

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.READY
    assert (photo.width, photo.height, photo.attempts) == (300, 400, 1)
    assert output_names(photo) == OUTPUTS
    assert not photo.upload
    # Only the five outputs remain: the raw upload, GPS and all, is gone.
    assert stored_files(media) == sorted(
        f"{photos.photo_output_folder(photo)}/{name}" for name in OUTPUTS
    )
    for field in ("original", "web_webp", "web_jpeg", "thumb_webp", "thumb_jpeg"):
        with getattr(photo, field).open("rb") as stored:
            data = stored.read()
        assert b"Exif" not in data
        assert b"xmpmeta" not in data
        assert not Image.open(io.BytesIO(data)).getexif()


def test_the_raw_upload_is_stored_under_an_unguessable_name(pending_photo):
    name = pending_photo.upload.name

    assert name.startswith(f"{photos.RAW_UPLOADS}/")
    assert len(name.rsplit("/", 1)[1]) == 32
    assert str(pending_photo.pk) not in name
    assert str(pending_photo.device_id) not in name


def test_output_names_are_fixed_by_the_photo_but_not_guessable_from_its_id(pending_photo):
    folder = photos.photo_output_folder(pending_photo)

    assert folder == photos.photo_output_folder(Photo.objects.get(pk=pending_photo.pk))
    assert str(pending_photo.pk) not in folder
    assert pending_photo.pk.hex not in folder


@pytest.mark.django_db
def test_ingest_with_a_known_device_id_returns_the_photo_already_made(visits, media):
    device_id = uuid.uuid4()

    first = ingest(visits.mine, device_id=device_id)
    second = ingest(visits.mine, device_id=device_id)

    assert first.pk == second.pk
    assert Photo.objects.count() == 1
    assert len(stored_files(media)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data"), list(bad_files().items()), ids=list(bad_files()))
def test_ingest_refuses_bad_files_and_leaves_nothing_behind(visits, media, name, data):
    with pytest.raises(ValidationError) as refused:
        ingest(visits.mine, data)

    assert list(refused.value.message_dict) == ["file"]
    assert not Photo.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_ingest_accepts_a_file_object_as_the_demo_seed_and_forms_pass_it(visits, media):
    photo = ingest(visits.mine, ContentFile(jpeg_bytes(), name="IMG_0001.jpg"))

    assert photo.status == PhotoStatus.PENDING
    assert len(stored_files(media)) == 1


@pytest.mark.django_db
def test_ingest_refuses_a_file_over_the_size_limit(visits, media, settings):
    settings.RESEARCHHUB_MAX_PHOTO_BYTES = 1000

    with pytest.raises(photos.PhotoTooLargeError):
        ingest(visits.mine, jpeg_bytes())

    assert stored_files(media) == []


def test_processing_again_changes_nothing(pending_photo, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert photos.photo_process(photo_id=pending_photo.pk) == PhotoStatus.READY
    files = {name: (media / name).stat().st_mtime_ns for name in stored_files(media)}

    with django_capture_on_commit_callbacks(execute=True):
        assert photos.photo_process(photo_id=pending_photo.pk) == PhotoStatus.READY

    pending_photo.refresh_from_db()
    assert pending_photo.attempts == 1
    assert {name: (media / name).stat().st_mtime_ns for name in stored_files(media)} == files


def test_a_retry_overwrites_what_an_interrupted_attempt_left(
    pending_photo, media, django_capture_on_commit_callbacks
):
    # A worker died half-way through writing: one output exists, cut short.
    folder = photos.photo_output_folder(pending_photo)
    default_storage.save(f"{folder}/web.webp", ContentFile(b"RIFF half-written"))
    pending_photo.attempts = 1
    pending_photo.save()

    with django_capture_on_commit_callbacks(execute=True):
        status = tasks.process_photo.delay(str(pending_photo.pk)).get()

    pending_photo.refresh_from_db()
    assert status == PhotoStatus.READY
    assert pending_photo.attempts == 2
    assert stored_files(media) == sorted(f"{folder}/{name}" for name in OUTPUTS)
    with pending_photo.web_webp.open("rb") as web:
        assert Image.open(web).format == "WEBP"


def test_a_file_that_cannot_be_decoded_fails_the_photo_with_a_reason(
    pending_photo, media, django_capture_on_commit_callbacks
):
    # Passed the gate, then turned out undecodable: replace the raw bytes behind its back.
    raw = pending_photo.upload.name
    default_storage.delete(raw)
    default_storage.save(raw, ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100))

    with django_capture_on_commit_callbacks(execute=True):
        status = photos.photo_process(photo_id=pending_photo.pk)

    pending_photo.refresh_from_db()
    assert status == pending_photo.status == PhotoStatus.FAILED
    assert pending_photo.failure_reason
    assert not pending_photo.upload
    assert stored_files(media) == []


def test_a_missing_raw_upload_fails_the_photo(pending_photo, media):
    default_storage.delete(pending_photo.upload.name)

    assert photos.photo_process(photo_id=pending_photo.pk) == PhotoStatus.FAILED
    pending_photo.refresh_from_db()
    assert pending_photo.failure_reason == "The uploaded file is missing; upload the photo again."


def test_a_transient_error_propagates_for_a_retry_and_counts_the_attempt(
    pending_photo, monkeypatch
):
    def storage_down(*args, **kwargs):
        raise ConnectionError("storage unreachable")

    monkeypatch.setattr(photos, "put_exactly", storage_down)

    with pytest.raises(ConnectionError):
        photos.photo_process(photo_id=pending_photo.pk)

    pending_photo.refresh_from_db()
    assert (pending_photo.status, pending_photo.attempts) == (PhotoStatus.PENDING, 1)
    assert pending_photo.upload


def test_a_photo_that_keeps_failing_is_given_up_on(
    pending_photo, media, django_capture_on_commit_callbacks
):
    Photo.objects.filter(pk=pending_photo.pk).update(attempts=photos.PHOTO_MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        status = photos.photo_process(photo_id=pending_photo.pk)

    pending_photo.refresh_from_db()
    assert status == pending_photo.status == PhotoStatus.FAILED
    assert pending_photo.failure_reason == (
        f"Processing failed {photos.PHOTO_MAX_ATTEMPTS} times; the photo was given up on."
    )
    assert stored_files(media) == []


def test_the_task_retries_transient_errors_only():
    assert tasks.process_photo.acks_late is True
    assert tasks.process_photo.reject_on_worker_lost is True
    assert tasks.process_photo.time_limit
    assert tasks.process_photo.soft_time_limit
    assert OSError in tasks.process_photo.autoretry_for
    assert ValueError not in tasks.process_photo.autoretry_for


def test_the_processing_task_is_routed_to_the_photos_queue(settings):
    from researchhub.celery import app

    route = app.amqp.router.route({}, "fieldwork.process_photo")
    assert route["queue"].name == "photos"
    assert app.amqp.router.route({}, "fieldwork.requeue_stuck_photos")["queue"].name == "default"


def test_the_sweeper_requeues_photos_left_pending_and_only_those(
    visits, media, django_capture_on_commit_callbacks, monkeypatch
):
    sent: list[str] = []
    monkeypatch.setattr(tasks.process_photo, "delay", sent.append)
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=20), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            stuck = ingest(visits.mine)
            done = ingest(visits.mine)
        Photo.objects.filter(pk=done.pk).update(status=PhotoStatus.READY)
    with django_capture_on_commit_callbacks(execute=False):
        recent = ingest(visits.mine)

    with django_capture_on_commit_callbacks(execute=True):
        count = photos.photos_requeue_stuck(older_than=dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        again = photos.photos_requeue_stuck(older_than=dt.timedelta(minutes=5))

    assert count == 1
    assert sent == [str(stuck.pk)]
    # Sent once per period, not on every run while it waits its turn in the queue.
    assert again == 0
    assert recent.pk not in sent


@pytest.mark.django_db
def test_the_sweeper_is_scheduled_every_five_minutes():
    from django_celery_beat.models import PeriodicTask

    job = PeriodicTask.objects.get(task="fieldwork.requeue_stuck_photos")
    assert (job.interval.every, job.interval.period) == (5, "minutes")
    assert job.enabled


# --- Reading photos through the API ---------------------------------------------------------


@pytest.fixture
def ready_photo(visits, media, django_capture_on_commit_callbacks) -> Photo:
    with django_capture_on_commit_callbacks(execute=True):
        photo = ingest(visits.mine, jpeg_bytes((800, 600)))
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.READY
    return photo


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("persona", ["lead", "researcher", "researcher2", "product", "marketing"])
def test_the_team_reads_a_photo_with_its_urls(team, ready_photo, persona):
    response = api_as(getattr(team, persona)).get(f"/api/v1/photos/{ready_photo.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["width"], body["height"]) == ("ready", 600, 800)
    assert body["urls"] == {
        "thumb": f"/photos/{ready_photo.pk}/thumb.webp",
        "thumb_jpeg": f"/photos/{ready_photo.pk}/thumb.jpg",
        "web": f"/photos/{ready_photo.pk}/web.webp",
        "web_jpeg": f"/photos/{ready_photo.pk}/web.jpg",
        "original": f"/photos/{ready_photo.pk}/original.jpg",
    }


def test_an_outsider_gets_404_for_a_photo_and_its_visits_photos(team, ready_photo, visits):
    client = api_as(team.outsider)

    assert client.get(f"/api/v1/photos/{ready_photo.pk}/").status_code == 404
    assert client.get(f"/api/v1/visits/{visits.mine.pk}/photos/").status_code == 404


def test_a_pending_photo_has_a_status_and_no_urls(team, pending_photo):
    body = api_as(team.researcher).get(f"/api/v1/photos/{pending_photo.pk}/").json()

    assert (body["status"], body["urls"], body["failure_reason"]) == ("pending", None, "")


def test_a_visits_photos_are_listed_in_capture_order_in_a_fixed_number_of_queries(
    team, visits, media, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        made = [
            photos.photo_ingest(
                visit=visits.mine,
                author=team.researcher,
                content=jpeg_bytes((64, 48)),
                captured_at=CAPTURED + dt.timedelta(minutes=minute),
            )
            for minute in (5, 1, 3)
        ]
    client = api_as(team.product)

    # session user, membership role (visit access: visit, role), count, page of photos,
    # the page's tags
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/visits/{visits.mine.pk}/photos/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [
        str(made[1].pk),
        str(made[2].pk),
        str(made[0].pk),
    ]


# --- The authorising file view --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["lead", "researcher", "researcher2", "product", "marketing"])
@pytest.mark.parametrize(
    ("rendition", "content_type", "image_format"),
    [
        ("thumb.webp", "image/webp", "WEBP"),
        ("thumb.jpg", "image/jpeg", "JPEG"),
        ("web.webp", "image/webp", "WEBP"),
        ("web.jpg", "image/jpeg", "JPEG"),
        ("original.jpg", "image/jpeg", "JPEG"),
    ],
)
def test_the_team_fetches_each_rendition_privately_cached(
    team, ready_photo, persona, rendition, content_type, image_format
):
    client = Client()
    client.force_login(getattr(team, persona))

    response = client.get(f"/photos/{ready_photo.pk}/{rendition}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(body)).format == image_format


def test_behind_nginx_the_proxy_sends_the_file_once_access_is_checked(settings, team, ready_photo):
    settings.RESEARCHHUB_PHOTO_ACCEL_PREFIX = "/protected-media/"
    client = Client()
    client.force_login(team.product)

    response = client.get(f"/photos/{ready_photo.pk}/web.webp")
    client.force_login(team.outsider)
    refused = client.get(f"/photos/{ready_photo.pk}/web.webp")

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{ready_photo.web_webp.name}"
    assert (response["Content-Type"], response.content) == ("image/webp", b"")
    assert "private" in response["Cache-Control"]
    assert refused.status_code == 404
    assert not refused.has_header("X-Accel-Redirect")


def test_an_outsider_gets_404_for_the_files(team, ready_photo):
    client = Client()
    client.force_login(team.outsider)

    assert client.get(f"/photos/{ready_photo.pk}/web.webp").status_code == 404
    assert client.get(f"/photos/{ready_photo.pk}/original.jpg").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(ready_photo):
    response = Client().get(f"/photos/{ready_photo.pk}/thumb.webp")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/") or "login" in response["Location"]


@pytest.mark.parametrize("path", ["original.webp", "thumb.png", "raw.jpg", "upload.jpg"])
def test_only_the_five_renditions_exist(team, ready_photo, path):
    client = Client()
    client.force_login(team.researcher)

    assert client.get(f"/photos/{ready_photo.pk}/{path}").status_code == 404


def test_a_photo_not_ready_has_no_files_to_serve(team, pending_photo):
    client = Client()
    client.force_login(team.researcher)

    assert client.get(f"/photos/{pending_photo.pk}/thumb.webp").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_photo_being_processed_holds_up_neither_its_siblings_nor_a_duplicate_run(
    visits, media, monkeypatch
):
    monkeypatch.setattr(photos, "_enqueue_processing", lambda photo_id: None)
    first, second = ingest(visits.mine), ingest(visits.mine)
    holding, release = threading.Event(), threading.Event()

    def another_worker() -> None:
        try:
            with photos._processing_lock(first.pk) as photo:
                assert photo is not None
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=another_worker)
    worker.start()
    assert holding.wait(10)
    try:
        # The sibling shares the visit row; it must not look busy.
        assert photos.photo_process(photo_id=second.pk) == PhotoStatus.READY
        if connection.features.has_select_for_update_skip_locked:
            # A second delivery of the photo being processed skips it, uncounted.
            assert photos.photo_process(photo_id=first.pk) == PhotoStatus.PENDING
            assert Photo.objects.get(pk=first.pk).attempts == 0
    finally:
        release.set()
        worker.join()
