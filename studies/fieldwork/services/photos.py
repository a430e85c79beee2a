"""Photos: the gate every photo passes, and the pipeline that cleans them.

A photo's bytes travel: chunks of a resumable upload (uploads.py) → the raw upload (checked by
`images.inspect`, stored under a random name, never served) → `photo_process` in a Celery
worker, which writes the clean original and the renditions under names derived from the
photo's id, marks the photo ready and deletes the raw upload.

Every step can be repeated without harm. A chunk is accepted only at the offset the server
holds; a photo is created once per device id; processing runs again after a lost worker
and overwrites the files of the attempt it replaces instead of adding new ones.
"""

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from studies.common.models import User
from studies.common.roles import Capability
from studies.fieldwork import images, policies
from studies.fieldwork.models import (
    Observation,
    Photo,
    PhotoStatus,
    PhotoTag,
    PhotoUpload,
    Tag,
)
from studies.fieldwork.services.tags import tags_by_name
from studies.scheduling import access
from studies.scheduling.models import Visit
from studies.scheduling.services import visits_start_by_capture

logger = logging.getLogger(__name__)

# A photo whose processing keeps failing (or keeps killing its worker) is given up on.
PHOTO_MAX_ATTEMPTS = 4
RAW_UPLOADS = "photo-uploads"
OUTPUT_FIELDS = {
    "original.jpg": "original",
    "web.webp": "web_webp",
    "web.jpg": "web_jpeg",
    "thumb.webp": "thumb_webp",
    "thumb.jpg": "thumb_jpeg",
}


class PhotoTooLargeError(ValidationError):
    """More bytes than RESEARCHHUB_MAX_PHOTO_BYTES (HTTP 413)."""


def max_photo_bytes() -> int:
    return settings.RESEARCHHUB_MAX_PHOTO_BYTES


def too_large_error(field: str) -> PhotoTooLargeError:
    return PhotoTooLargeError(
        {
            field: [
                _("The photo is too large: at most %(limit)d MB is accepted.")
                % {"limit": max_photo_bytes() // (1024 * 1024)}
            ]
        }
    )


def unguessable_name(purpose: str, key: object) -> str:
    """A name fixed for `key` that nobody without the secret key can work out."""
    return salted_hmac(f"researchhub.{purpose}", str(key)).hexdigest()[:32]


def put_exactly(name: str, data: bytes) -> str:
    """Write `data` at exactly `name`, replacing what a failed earlier attempt left there."""
    default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Another worker wrote the same name between our delete and save. Its bytes are
        # the same as ours (the encoders are deterministic), so keep one file, not two.
        default_storage.delete(saved)
    return name


def delete_quietly(name: str) -> None:
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not delete %s; it is never served and can be removed by hand", name)


def _enqueue_processing(photo_id: uuid.UUID) -> None:
    from studies.fieldwork import tasks  # tasks call services: imported here, not at the top

    try:
        tasks.process_photo.delay(str(photo_id))
    except BrokerError:
        # The photo is saved as pending; the sweeper sends it once the broker is back.
        logger.exception("Could not enqueue photo %s; the sweeper will retry", photo_id)


# --- Ingest: the gate every photo passes ----------------------------------------------------


def _read_content(content: bytes | IO[bytes]) -> bytes:
    limit = max_photo_bytes()
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
    else:
        with suppress(AttributeError, OSError):
            content.seek(0)
        data = content.read(limit + 1)
    if len(data) > limit:
        raise too_large_error("file")
    return data


def photo_check(data: bytes) -> images.ImageInfo:
    """Refuse anything but a plain photo of an accepted format, within the limits."""
    try:
        return images.inspect(data, max_pixels=settings.RESEARCHHUB_MAX_PHOTO_PIXELS)
    except images.ImageRejectedError as exc:
        raise ValidationError({"file": [str(exc.message)]}, code="invalid_image") from None


def photo_ingest(
    *,
    visit: Visit,
    author: User,
    content: bytes | IO[bytes],
    caption: str = "",
    tag_names: Sequence[str] = (),
    captured_at: dt.datetime,
    observation: Observation | None = None,
    device_id: uuid.UUID | None = None,
) -> Photo:
    """Accept a photo: check it, keep the raw bytes, and process it once the data commits.

    With a device id the call is idempotent: the photo already made for it is returned.
    A refused file leaves nothing behind, neither a row nor a stored file. The first item
    captured on a scheduled visit starts it, a photo as much as a note.
    """
    if device_id is not None:
        existing = Photo.objects.filter(device_id=device_id).first()
        if existing is not None:
            if existing.visit_id != visit.pk:
                raise ValidationError({"device_id": [_("This id belongs to another photo.")]})
            return existing
    if observation is not None and observation.visit_id != visit.pk:
        raise ValidationError({"observation": [_("This observation is from another visit.")]})
    data = _read_content(content)
    photo_check(data)
    raw_name = default_storage.save(f"{RAW_UPLOADS}/{secrets.token_hex(16)}", ContentFile(data))
    try:
        with transaction.atomic():
            photo = Photo.objects.create(
                visit=visit,
                author=author,
                observation=observation,
                device_id=device_id or uuid.uuid4(),
                caption=caption,
                captured_at=captured_at,
                upload=raw_name,
                sha256=hashlib.sha256(data).hexdigest(),
            )
            tags = tags_by_name(study_id=visit.round.study_id, names=tag_names)
            PhotoTag.objects.bulk_create(PhotoTag(photo=photo, tag=tag) for tag in tags)
            if policies.capture_starts_visit(visit):
                visits_start_by_capture(first_capture={visit.pk: captured_at}, actor=author)
            transaction.on_commit(partial(_enqueue_processing, photo.pk))
    except IntegrityError:
        delete_quietly(raw_name)
        # Two requests for the same device id at once: the first one made the photo.
        existing = Photo.objects.filter(device_id=device_id).first() if device_id else None
        if existing is None:
            raise
        return existing
    except BaseException:
        delete_quietly(raw_name)
        raise
    return photo


def photos_link_observations(*, device_ids: Iterable[uuid.UUID]) -> int:
    """Attach photos uploaded before their observations arrived, in one statement.

    Called with the device ids of the observations a sync batch wrote; photos already
    linked are left alone, so calling it again changes nothing. Returns how many it linked.
    """
    device_ids = list(device_ids)
    if not device_ids:
        return 0
    observation_of_upload = Observation.objects.filter(
        device_id=Subquery(
            PhotoUpload.objects.filter(device_id=OuterRef(OuterRef("device_id"))).values(
                "observation_device_id"
            )[:1]
        ),
        visit_id=OuterRef("visit_id"),
    ).values("pk")[:1]
    waiting = PhotoUpload.objects.filter(observation_device_id__in=device_ids).values("device_id")
    return (
        Photo.objects.filter(observation__isnull=True, device_id__in=waiting)
        .filter(Exists(observation_of_upload))
        .update(observation=Subquery(observation_of_upload), updated_at=timezone.now())
    )


# --- Processing -----------------------------------------------------------------------------


def photo_output_folder(photo: Photo) -> str:
    return f"photos/{photo.visit.round.study_id}/{unguessable_name('photo', photo.pk)}"


def _fail(photo: Photo, reason: str) -> None:
    # The raw upload goes too: it still carries the GPS position the pipeline removes.
    raw = photo.upload.name
    photo.status = PhotoStatus.FAILED
    photo.failure_reason = reason
    photo.upload = ""
    photo.save(update_fields=["status", "failure_reason", "upload", "updated_at"])
    transaction.on_commit(partial(delete_quietly, raw))


def _pending(photo_id: object) -> QuerySet[Photo]:
    # Locked with of=("self",): the photos of one visit share its row, which must stay
    # free, or one photo being processed would make its siblings look busy.
    return Photo.objects.select_related("visit__round").filter(
        pk=photo_id, status=PhotoStatus.PENDING
    )


def _count_attempt(photo_id: object) -> bool:
    """Record an attempt before the work, so one that kills its worker counts too.

    False when there is nothing to do: the photo is gone, done, given up on, or being
    processed right now by another worker.
    """
    with transaction.atomic():
        photo = _pending(photo_id).select_for_update(of=("self",), **_skip_locked()).first()
        if photo is None:
            return False
        if photo.attempts >= PHOTO_MAX_ATTEMPTS:
            _fail(
                photo,
                _("Processing failed %(count)d times; the photo was given up on.")
                % {"count": photo.attempts},
            )
            return False
        photo.attempts = F("attempts") + 1
        photo.save(update_fields=["attempts", "updated_at"])
    return True


def _skip_locked() -> dict[str, bool]:
    return {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}


@contextmanager
def _processing_lock(photo_id: object) -> Iterator[Photo | None]:
    """The pending photo, held for the whole processing where the database allows it.

    On PostgreSQL the row lock lasts until the outcome commits, so a second delivery of
    the same task skips the photo; a killed worker's lock goes with its connection.
    SQLite (the embedded set-up runs tasks inline, one at a time) has no row locks, and
    holding its database-wide write lock that long would stall every other write.
    """
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            yield _pending(photo_id).select_for_update(of=("self",), skip_locked=True).first()
    else:
        yield _pending(photo_id).first()


def photo_process(*, photo_id: object) -> str:
    """Make the clean original and renditions of a pending photo; returns its status.

    Idempotent: a photo already ready or failed is left alone, and the files of an
    interrupted attempt are overwritten, never duplicated. Storage or database errors
    propagate so the task retries them; a file that cannot be decoded fails the photo.
    """
    if not _count_attempt(photo_id):
        return _status_of(photo_id)
    with _processing_lock(photo_id) as photo:
        if photo is None:
            return _status_of(photo_id)
        raw = photo.upload.name
        if not raw or not default_storage.exists(raw):
            _fail(photo, _("The uploaded file is missing; upload the photo again."))
            return PhotoStatus.FAILED
        with default_storage.open(raw, "rb") as stored:
            data = stored.read()
        try:
            renditions = images.render(data, max_pixels=settings.RESEARCHHUB_MAX_PHOTO_PIXELS)
        except images.ImageRejectedError as exc:
            _fail(photo, str(exc.message))
            return PhotoStatus.FAILED
        folder = photo_output_folder(photo)
        written = {
            OUTPUT_FIELDS[filename]: put_exactly(f"{folder}/{filename}", content)
            for filename, content in renditions.files.items()
        }
        return _mark_ready(photo.pk, written, renditions)


def _mark_ready(photo_id: uuid.UUID, written: dict[str, str], renditions: images.Renditions) -> str:
    with transaction.atomic():
        photo = _pending(photo_id).select_for_update(of=("self",)).first()
        if photo is None:  # finished meanwhile by another worker, into the same files
            return _status_of(photo_id)
        raw = photo.upload.name
        for field, name in written.items():
            setattr(photo, field, name)
        photo.width, photo.height = renditions.width, renditions.height
        photo.status = PhotoStatus.READY
        photo.failure_reason = ""
        photo.upload = ""
        photo.save(
            update_fields=[
                *written,
                "width",
                "height",
                "status",
                "failure_reason",
                "upload",
                "updated_at",
            ]
        )
        transaction.on_commit(partial(delete_quietly, raw))
    return PhotoStatus.READY


def _status_of(photo_id: object) -> str:
    return Photo.objects.filter(pk=photo_id).values_list("status", flat=True).first() or "missing"


def photos_requeue_stuck(*, older_than: dt.timedelta) -> int:
    """Send again the photos still pending after `older_than`: the safety net for tasks
    lost with a worker or a broker. Each is sent at most once per `older_than`."""
    now = timezone.now()
    with transaction.atomic():
        stuck = list(
            Photo.objects.filter(
                status=PhotoStatus.PENDING,
                deleted_at__isnull=True,
                updated_at__lte=now - older_than,
            )
            .order_by("updated_at")
            .values_list("pk", flat=True)[:1000]
        )
        Photo.objects.filter(pk__in=stuck).update(updated_at=now)
        for photo_id in stuck:
            transaction.on_commit(partial(_enqueue_processing, photo_id))
    return len(stuck)


# --- Reads ----------------------------------------------------------------------------------
# Kept beside the writes until fieldwork's selectors.py and access.py take them in.


def photo_get_for_user(
    *, user: User, photo_id: object, capability: str = Capability.VIEW_STUDY
) -> Photo:
    """A photo, through its visit's access function: 404 for outsiders, as for the missing,
    and for a photo its household no longer consents to show."""
    try:
        pk = uuid.UUID(str(photo_id))
    except ValueError:
        raise Http404 from None
    photo = (
        Photo.objects.shown()
        .select_related("observation")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if photo is None:
        raise Http404
    photo.visit = access.visit_get_for_user(
        user=user, visit_id=photo.visit_id, capability=capability
    )
    return photo


def visit_photo_list(*, visit: Visit) -> QuerySet[Photo]:
    """The visit's photos in the order they were taken (the caller reached the visit)."""
    return (
        Photo.objects.shown()
        .select_related("observation")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by(Lower("name"), "pk")))
        .filter(visit=visit)
        .order_by("captured_at", "pk")
    )
