"""What one researcher's uploads may hold, and what is left of them once they end: chunks
within the request limit, a bound on unfinished uploads, idle ones forgotten, no folders
left behind."""

import datetime as dt
import threading
import uuid
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.client import FakePayload
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from studies.fieldwork import tasks
from studies.fieldwork.models import Photo, PhotoStatus, PhotoUpload, UploadStatus
from studies.fieldwork.services import uploads
from tests.fieldwork.photo_support import (
    CHUNK_TYPE,
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

MB = 1024 * 1024
NBSP = "\xa0"  # sizes are written as "10.0 MB" with a space that does not wrap
ANY_SHA256 = "0" * 64


def open_upload(uploader: Uploader, visit, length: int, **overrides) -> dict:
    """An upload of `length` bytes, created without sending its bytes."""
    response = uploader.create(visit, b"", length=length, sha256=ANY_SHA256, **overrides)
    assert response.status_code == 201, response.json()
    return response.json()


def partial_folders(media_root: Path) -> list[str]:
    """The chunk folders under photo-uploads/partial/: one per upload holding chunks."""
    partial = media_root / "photo-uploads" / "partial"
    return sorted(path.name for path in partial.iterdir()) if partial.exists() else []


def folder_name(upload_id: object) -> str:
    return uploads.chunk_folder(PhotoUpload(pk=uuid.UUID(str(upload_id)))).rsplit("/", 1)[1]


class CountingPayload(FakePayload):
    """A request body that counts the bytes the server reads from it."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.bytes_read = 0

    def read(self, *args, **kwargs) -> bytes:
        data = super().read(*args, **kwargs)
        self.bytes_read += len(data)
        return data


# --- A chunk is within the request limit ----------------------------------------------------


def test_it_refuses_a_chunk_over_the_request_limit_with_413_and_stores_nothing(
    uploader, visits, media
):
    upload = open_upload(uploader, visits.mine, 20 * MB)

    response = uploader.send(upload["id"], bytes(12 * MB), 0)

    assert response.status_code == 413
    assert response.json() == {
        "errors": {
            "detail": [f"A chunk may be at most 10.0{NBSP}MB: send the photo in smaller chunks."]
        }
    }
    assert uploader.head(upload["id"])["Upload-Offset"] == "0"
    assert PhotoUpload.objects.get().offset == 0
    assert stored_files(media) == []
    assert partial_folders(media) == []


def test_it_refuses_an_oversized_chunk_without_reading_it(uploader, visits, media):
    upload = open_upload(uploader, visits.mine, 20 * MB)
    body = bytes(12 * MB)
    payload = CountingPayload(body)

    response = uploader.client.generic(
        "PATCH",
        f"{UPLOADS}{upload['id']}/",
        body,
        content_type=CHUNK_TYPE,
        HTTP_UPLOAD_OFFSET="0",
        **{"wsgi.input": payload},
    )

    assert response.status_code == 413
    # Its Content-Length said it all: not one byte of the body was taken into memory.
    assert payload.bytes_read == 0


def test_a_chunk_of_exactly_the_limit_is_taken_and_one_byte_more_is_not(
    uploader, visits, photo, media, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    upload_id = uploader.create(visits.mine, photo).json()["id"]

    at_limit = uploader.send(upload_id, photo[:1000], 0)
    past_limit = uploader.send(upload_id, photo[1000:2001], 1000)

    assert at_limit.status_code == 200
    assert at_limit.json()["offset"] == 1000
    assert past_limit.status_code == 413
    assert past_limit.json() == {
        "errors": {
            "detail": [f"A chunk may be at most 1000{NBSP}bytes: send the photo in smaller chunks."]
        }
    }
    assert PhotoUpload.objects.get().offset == 1000
    assert stored_files(media) == [f"photo-uploads/partial/{folder_name(upload_id)}/000000000000"]


# --- A bound on a researcher's unfinished uploads -------------------------------------------


def test_it_refuses_an_upload_past_the_open_count_until_one_finishes(
    team, uploader, visits, photo, media, settings
):
    settings.RESEARCHHUB_MAX_OPEN_UPLOADS = 2
    first = uploader.create(visits.mine, photo).json()
    second = open_upload(uploader, visits.mine, 5000)

    refused = uploader.create(visits.mine, photo)
    resent = uploader.create(visits.mine, photo, device_id=first["device_id"])
    someone_else = Uploader(team.lead).create(visits.mine, photo)

    assert refused.status_code == 429
    assert refused.json() == {
        "errors": {
            "upload": [
                "You have 2 unfinished uploads, the most allowed at once. Let them finish or "
                "cancel some, then send this photo again."
            ]
        }
    }
    assert resent.status_code == 200
    assert resent.json()["id"] == first["id"]
    assert someone_else.status_code == 201
    assert set(PhotoUpload.objects.filter(author=team.researcher).values_list("pk", flat=True)) == {
        uuid.UUID(first["id"]),
        uuid.UUID(second["id"]),
    }
    # Once one finishes (it made its photo), there is room again.
    assert uploader.send(first["id"], photo, 0).json()["complete"] is True
    assert uploader.create(visits.mine, photo).status_code == 201


def test_it_refuses_an_upload_past_the_open_bytes(uploader, visits, media, settings):
    settings.RESEARCHHUB_MAX_OPEN_UPLOAD_BYTES = 30 * MB
    held = open_upload(uploader, visits.mine, 20 * MB)

    refused = uploader.create(visits.mine, b"", length=10 * MB + 1, sha256=ANY_SHA256)
    resent = uploader.create(
        visits.mine, b"", length=20 * MB, sha256=ANY_SHA256, device_id=held["device_id"]
    )
    fits = uploader.create(visits.mine, b"", length=10 * MB, sha256=ANY_SHA256)

    assert refused.status_code == 429
    assert refused.json() == {
        "errors": {
            "upload": [
                f"Your 1 unfinished upload holds 20.0{NBSP}MB of the 30.0{NBSP}MB allowed at "
                "once. Let it finish or cancel it, then send this photo again."
            ]
        }
    }
    assert resent.status_code == 200
    assert resent.json()["id"] == held["id"]
    assert fits.status_code == 201
    assert sorted(PhotoUpload.objects.values_list("length", flat=True)) == [10 * MB, 20 * MB]


def test_the_default_bound_is_20_uploads_and_200_mb(team, uploader, visits, media):
    lead = Uploader(team.lead)
    for _ in range(8):
        open_upload(uploader, visits.mine, 25 * MB)
    for _ in range(20):
        open_upload(lead, visits.mine, 1)

    past_bytes = uploader.create(visits.mine, b"", length=1, sha256=ANY_SHA256)
    past_count = lead.create(visits.mine, b"", length=1, sha256=ANY_SHA256)

    assert past_bytes.status_code == 429
    assert past_bytes.json()["errors"]["upload"][0].startswith(
        f"Your 8 unfinished uploads hold 200.0{NBSP}MB of the 200.0{NBSP}MB allowed"
    )
    assert past_count.status_code == 429
    assert past_count.json()["errors"]["upload"][0].startswith("You have 20 unfinished uploads,")
    assert PhotoUpload.objects.count() == 28


@pytest.mark.django_db(transaction=True)
def test_creates_sent_at_once_do_not_pass_the_bound_together(team, visits, media, settings):
    settings.RESEARCHHUB_MAX_OPEN_UPLOADS = 5
    start = threading.Barrier(20)
    codes: list[int] = []
    errors: list[Exception] = []

    def create() -> None:
        try:
            device = Uploader(team.researcher)
            start.wait()
            codes.append(device.create(visits.mine, b"", length=1, sha256=ANY_SHA256).status_code)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(codes) == [201] * 5 + [429] * 15
    assert PhotoUpload.objects.count() == 5


# --- Idle uploads are forgotten -------------------------------------------------------------


def test_the_job_forgets_an_idle_upload_with_its_chunks_and_keeps_the_rest(
    uploader, visits, photo, media, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=25), tick=False):
        idle = uploader.create(visits.mine, photo).json()["id"]
        uploader.send(idle, photo[:5000], 0)
        with django_capture_on_commit_callbacks(execute=True):
            done = uploader.upload(visits.mine, jpeg_bytes((800, 600))).json()
    with time_machine.travel(timezone.now() - dt.timedelta(hours=23), tick=False):
        recent = uploader.create(visits.mine, photo).json()["id"]
        uploader.send(recent, photo[:5000], 0)
    made = Photo.objects.get()
    assert made.status == PhotoStatus.READY
    photo_files = [name for name in stored_files(media) if not name.startswith("photo-uploads/")]
    assert partial_folders(media) == sorted([folder_name(idle), folder_name(recent)])

    with django_capture_on_commit_callbacks(execute=True):
        forgotten = tasks.forget_idle_uploads()

    assert forgotten == 1
    assert set(PhotoUpload.objects.values_list("pk", "status")) == {
        (uuid.UUID(recent), UploadStatus.RECEIVING),
        (uuid.UUID(done["id"]), UploadStatus.COMPLETE),
    }
    assert partial_folders(media) == [folder_name(recent)]
    assert stored_files(media) == sorted(
        [*photo_files, f"photo-uploads/partial/{folder_name(recent)}/000000000000"]
    )
    assert Photo.objects.get() == made
    # The recent one carries on where it was.
    assert uploader.send(recent, photo[5000:], 5000).json()["complete"] is True


def test_the_job_removes_chunk_folders_no_unfinished_upload_owns(
    uploader, visits, photo, media, django_capture_on_commit_callbacks
):
    kept = uploader.create(visits.mine, photo).json()["id"]
    uploader.send(kept, photo[:5000], 0)
    partial = media / "photo-uploads" / "partial"
    (partial / "a-chunk-left-behind").mkdir()
    (partial / "a-chunk-left-behind" / "000000000000").write_bytes(b"left")
    (partial / "an-empty-folder").mkdir()

    with django_capture_on_commit_callbacks(execute=True):
        forgotten = tasks.forget_idle_uploads()

    assert forgotten == 0
    assert partial_folders(media) == [folder_name(kept)]
    assert PhotoUpload.objects.get().offset == 5000


def test_the_job_forgets_a_bounded_number_per_run(uploader, visits, media):
    with time_machine.travel(timezone.now() - dt.timedelta(days=2), tick=False):
        for _ in range(3):
            open_upload(uploader, visits.mine, 1000)

    first = uploads.uploads_forget_idle(limit=2)
    second = uploads.uploads_forget_idle(limit=2)

    assert (first, second) == (2, 1)
    assert not PhotoUpload.objects.exists()


def test_the_job_runs_every_hour():
    job = PeriodicTask.objects.get(task="fieldwork.forget_idle_uploads")

    assert (job.interval.every, job.interval.period) == (1, "hours")
    assert job.enabled


# --- No folder is left behind ---------------------------------------------------------------


def test_a_completed_upload_leaves_no_folder(
    uploader, visits, photo, media, django_capture_on_commit_callbacks
):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    uploader.send(upload_id, photo[:5000], 0)
    assert partial_folders(media) == [folder_name(upload_id)]

    with django_capture_on_commit_callbacks(execute=True):
        response = uploader.send(upload_id, photo[5000:], 5000)

    assert response.json()["complete"] is True
    assert partial_folders(media) == []
    assert not [name for name in stored_files(media) if name.startswith("photo-uploads/")]


def test_an_aborted_upload_leaves_no_folder(
    uploader, visits, photo, media, django_capture_on_commit_callbacks
):
    upload_id = uploader.create(visits.mine, photo).json()["id"]
    uploader.send(upload_id, photo[:5000], 0)

    with django_capture_on_commit_callbacks(execute=True):
        response = uploader.client.delete(f"{UPLOADS}{upload_id}/")

    assert response.status_code == 204
    assert partial_folders(media) == []
    assert stored_files(media) == []


def test_a_refused_file_leaves_no_folder(
    uploader, visits, media, django_capture_on_commit_callbacks
):
    text = bad_files()["text named .jpg"]

    with django_capture_on_commit_callbacks(execute=True):
        response = uploader.upload(visits.mine, text, chunk_size=len(text) // 2 + 1)

    assert response.status_code == 400
    assert not PhotoUpload.objects.exists()
    assert partial_folders(media) == []
    assert stored_files(media) == []
