"""Resumable photo uploads: tus 1.0 core with a SHA-256 checked at the end.

The bytes arrive in chunks at offsets. A chunk is taken only at the offset the server
holds (under the upload's row lock), so a retried or duplicated chunk is refused with the
real offset instead of being stored twice. Chunks are kept as separate objects in the
default storage (S3 has no append), named by their offset so a chunk sent again after a
failed request replaces the earlier one. With the last byte the whole is checked and
handed to `photo_ingest`.

What an upload may hold is bounded: a chunk by the request limit (the view reads no more),
a researcher's unfinished uploads by RESEARCHHUB_MAX_OPEN_UPLOADS and
RESEARCHHUB_MAX_OPEN_UPLOAD_BYTES, and an upload nothing was sent to for a day is forgotten
with its chunks (`uploads_forget_idle`, every hour).
"""

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.common.transient import STORAGE_FAULTS, StorageUnavailable
from studies.fieldwork import policies
from studies.fieldwork.models import Observation, PhotoUpload, UploadStatus
from studies.fieldwork.services.photos import (
    max_photo_bytes,
    photo_ingest,
    put_exactly,
    too_large_error,
)
from studies.fieldwork.services.tags import normalise_tag_names, tag_names_error
from studies.fieldwork.services.uploads.chunks import (
    assemble,
    chunk_folder,
    chunk_name,
    chunks_delete,
)
from studies.fieldwork.services.uploads.idle import (
    uploads_forget_idle as uploads_forget_idle,  # the hourly job's, beside the flow it cleans
)
from studies.scheduling.models import Visit

logger = logging.getLogger(__name__)


class TooManyOpenUploadsError(ValidationError):
    """Past the researcher's bound on unfinished uploads (HTTP 429): nothing was created."""


class StaleOffsetError(ConflictError):
    """A chunk sent at an offset other than the server's: the client must ask and resume."""

    def __init__(self, upload: PhotoUpload) -> None:
        super().__init__(
            {
                "Upload-Offset": [
                    _("The upload is at byte %(offset)d: resume from there.")
                    % {"offset": upload.offset}
                ]
            }
        )
        self.upload = upload


def upload_create(
    *,
    author: User,
    visit: Visit,
    device_id: uuid.UUID,
    length: int,
    sha256: str,
    captured_at: dt.datetime,
    caption: str = "",
    tag_names: Sequence[str] = (),
    observation_device_id: uuid.UUID | None = None,
) -> tuple[PhotoUpload, bool]:
    """Open a resumable upload, or return the one already open for this device id.

    Returns the upload and whether it was created now. The access check on the visit is
    the caller's (access.visit_get_for_user with CONDUCT_VISITS). Raises
    TooManyOpenUploadsError past the author's bound on unfinished uploads; the same device
    id again is still answered, whatever the bound.
    """
    existing = PhotoUpload.objects.filter(device_id=device_id).first()
    if existing is not None:
        return _same_upload(existing, author=author, length=length, sha256=sha256), False
    if length > max_photo_bytes():
        raise too_large_error("length")
    errors: dict[str, list[str]] = {}
    if refusal := policies.capture_refusal(visit, captured_at):
        errors["visit"] = [refusal]
    if refusal := policies.captured_at_refusal(visit, captured_at, now=timezone.now()):
        errors["captured_at"] = [refusal]
    if tags_error := tag_names_error(tag_names):
        errors["tags"] = [tags_error]
    if errors:
        raise ValidationError(errors)
    if observation_device_id is not None:
        # The observation may still be on its way (sync and uploads run side by side);
        # when it exists it must be this visit's.
        visit_of_observation = (
            Observation.objects.filter(device_id=observation_device_id)
            .values_list("visit_id", flat=True)
            .first()
        )
        if visit_of_observation is not None and visit_of_observation != visit.pk:
            raise ValidationError({"observation": [_("This observation is from another visit.")]})
    try:
        with transaction.atomic():
            _check_room_for(author=author, length=length)
            upload = PhotoUpload.objects.create(
                author=author,
                visit=visit,
                device_id=device_id,
                length=length,
                sha256=sha256.lower(),
                caption=caption,
                tag_names=normalise_tag_names(tag_names),
                captured_at=captured_at,
                observation_device_id=observation_device_id,
            )
    except (IntegrityError, TooManyOpenUploadsError):
        # The same upload created twice at once (a retried request): one wins, and the
        # other, refused by the unique id or by the bound the winner just reached, answers
        # with it.
        existing = PhotoUpload.objects.filter(device_id=device_id).first()
        if existing is None:
            raise
        return _same_upload(existing, author=author, length=length, sha256=sha256), False
    return upload, True


def _check_room_for(*, author: User, length: int) -> None:
    """Refuse a new upload that would take the author past their unfinished uploads' bound.

    Runs in the transaction that creates the upload, with the author's row locked first:
    creates by one researcher queue here until the one before commits, so each counts the
    uploads the others made, and 20 sent at once cannot pass the bound together. Other
    researchers' creates do not wait. (SQLite has no row locks, but its IMMEDIATE
    transactions hold the database's write lock from the start, which queues them the same.)
    """
    User.objects.select_for_update().filter(pk=author.pk).values_list("pk", flat=True).get()
    held = PhotoUpload.objects.filter(author=author, status=UploadStatus.RECEIVING).aggregate(
        count=Count("pk"), length=Coalesce(Sum("length"), 0)
    )
    count, held_bytes = held["count"], held["length"]
    max_uploads = settings.RESEARCHHUB_MAX_OPEN_UPLOADS
    max_bytes = settings.RESEARCHHUB_MAX_OPEN_UPLOAD_BYTES
    if count >= max_uploads:
        message = ngettext(
            "You have %(count)d unfinished upload, the most allowed at once. Let it finish "
            "or cancel it, then send this photo again.",
            "You have %(count)d unfinished uploads, the most allowed at once. Let them "
            "finish or cancel some, then send this photo again.",
            count,
        ) % {"count": count}
    elif held_bytes + length > max_bytes:
        message = ngettext(
            "Your %(count)d unfinished upload holds %(held)s of the %(limit)s allowed at "
            "once. Let it finish or cancel it, then send this photo again.",
            "Your %(count)d unfinished uploads hold %(held)s of the %(limit)s allowed at "
            "once. Let them finish or cancel some, then send this photo again.",
            count,
        ) % {"count": count, "held": filesizeformat(held_bytes), "limit": filesizeformat(max_bytes)}
    else:
        return
    raise TooManyOpenUploadsError({"upload": [message]})


def _same_upload(upload: PhotoUpload, *, author: User, length: int, sha256: str) -> PhotoUpload:
    if upload.author_id != author.pk:
        raise ValidationError({"device_id": [_("This id belongs to another upload.")]})
    if upload.length != length or upload.sha256 != sha256.lower():
        raise ConflictError(
            {"device_id": [_("An upload with this id but other content already exists.")]}
        )
    return upload


class UploadCompleteError(ConflictError):
    """An upload asked to stop after its last byte arrived: its photo exists."""

    def __init__(self, upload: PhotoUpload) -> None:
        super().__init__(
            {"upload": [_("This upload is complete and made its photo: delete the photo instead.")]}
        )
        self.upload = upload


def upload_get(*, author: User, upload_id: object) -> PhotoUpload:
    """An upload of the user's own; anyone else's is not found."""
    try:
        pk = uuid.UUID(str(upload_id))
    except ValueError:
        raise Http404 from None
    upload = PhotoUpload.objects.select_related("photo").filter(pk=pk, author=author).first()
    if upload is None:
        raise Http404
    return upload


def upload_status(*, author: User, upload_id: object) -> PhotoUpload:
    return upload_get(author=author, upload_id=upload_id)


def upload_abort(*, author: User, upload_id: object) -> None:
    """Stop an upload the phone no longer wants to send: the row and the chunks received so
    far go. Raises UploadCompleteError (409) when the photo was already made, Http404 for an
    upload that is gone (asking twice is harmless: the second answer is a 404)."""
    with transaction.atomic():
        upload = (
            PhotoUpload.objects.select_for_update()
            .filter(pk=upload_get(author=author, upload_id=upload_id).pk)
            .get()
        )
        if upload.status == UploadStatus.COMPLETE:
            raise UploadCompleteError(upload)
        transaction.on_commit(partial(chunks_delete, chunk_folder(upload)))
        upload.delete()


def upload_append(*, author: User, upload_id: object, offset: int, chunk: bytes) -> PhotoUpload:
    """Store a chunk at `offset`; on the last byte, check the SHA-256 and make the photo.

    Raises StorageUnavailable (503, retry) when the chunk cannot be written, StaleOffsetError
    (409) unless `offset` is the server's, ValidationError (400)
    for bytes past the declared length, a checksum mismatch (the upload then starts over
    at 0) or a file that is not an acceptable photo (the upload is then gone, with its
    bytes: nothing is left behind).
    """
    failure: ValidationError | None = None
    with transaction.atomic():
        upload = (
            PhotoUpload.objects.select_for_update()
            .filter(pk=upload_get(author=author, upload_id=upload_id).pk)
            .get()
        )
        if upload.status == UploadStatus.COMPLETE or offset != upload.offset:
            raise StaleOffsetError(upload)
        if not chunk:
            raise ValidationError({"body": [_("The chunk is empty.")]})
        if offset + len(chunk) > upload.length:
            raise ValidationError(
                {
                    "body": [
                        _("The chunk goes past the upload's length (%(length)d bytes).")
                        % {"length": upload.length}
                    ]
                }
            )
        try:
            put_exactly(chunk_name(upload, offset), chunk)
        except STORAGE_FAULTS as fault:
            # Disk full, storage out of reach: the offset stays at the last good chunk (this
            # transaction does not commit) and the phone sends this chunk again later.
            raise StorageUnavailable(chunk_name(upload, offset)) from fault
        upload.offset = offset + len(chunk)
        upload.save(update_fields=["offset", "updated_at"])
        if upload.offset == upload.length:
            failure = _complete(upload)
    if failure is not None:
        raise failure
    return upload


def _complete(upload: PhotoUpload) -> ValidationError | None:
    """Turn a fully received upload into a photo; an error to raise once this commits."""
    folder = chunk_folder(upload)
    transaction.on_commit(partial(chunks_delete, folder))
    data = assemble(upload)
    if data is None or hashlib.sha256(data).hexdigest() != upload.sha256:
        upload.offset = 0
        upload.save(update_fields=["offset", "updated_at"])
        return ValidationError(
            {
                "sha256": [
                    _(
                        "The bytes received do not match the SHA-256 given at creation. "
                        "The upload starts over from byte 0."
                    )
                ]
            }
        )
    observation = (
        Observation.objects.filter(
            device_id=upload.observation_device_id, visit_id=upload.visit_id
        ).first()
        if upload.observation_device_id
        else None
    )
    try:
        photo = photo_ingest(
            visit=upload.visit,
            author=upload.author,
            content=data,
            caption=upload.caption,
            tag_names=upload.tag_names,
            captured_at=upload.captured_at,
            observation=observation,
            device_id=upload.device_id,
        )
    except ValidationError as exc:
        upload.delete()
        return exc
    upload.status = UploadStatus.COMPLETE
    upload.photo = photo
    upload.save(update_fields=["status", "photo", "updated_at"])
    return None
