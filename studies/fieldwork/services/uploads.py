"""Resumable photo uploads: tus 1.0 core with a SHA-256 checked at the end.

The bytes arrive in chunks at offsets. A chunk is taken only at the offset the server
holds (under the upload's row lock), so a retried or duplicated chunk is refused with the
real offset instead of being stored twice. Chunks are kept as separate objects in the
default storage (S3 has no append), named by their offset so a chunk sent again after a
failed request replaces the earlier one. With the last byte the whole is checked and
handed to `photo_ingest`.
"""

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.fieldwork import policies
from studies.fieldwork.models import Observation, PhotoUpload, UploadStatus
from studies.fieldwork.services.photos import (
    RAW_UPLOADS,
    delete_quietly,
    max_photo_bytes,
    photo_ingest,
    put_exactly,
    too_large_error,
    unguessable_name,
)
from studies.fieldwork.services.tags import normalise_tag_names, tag_names_error
from studies.scheduling.models import Visit


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
    the caller's (access.visit_get_for_user with CONDUCT_VISITS).
    """
    existing = PhotoUpload.objects.filter(device_id=device_id).first()
    if existing is not None:
        return _same_upload(existing, author=author, length=length, sha256=sha256), False
    if length > max_photo_bytes():
        raise too_large_error("length")
    errors: dict[str, list[str]] = {}
    if refusal := policies.capture_refusal(visit, captured_at):
        errors["visit"] = [refusal]
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
    except IntegrityError:
        # The same upload created twice at once (a retried request): one wins.
        existing = PhotoUpload.objects.filter(device_id=device_id).first()
        if existing is None:
            raise
        return _same_upload(existing, author=author, length=length, sha256=sha256), False
    return upload, True


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


def chunk_folder(upload: PhotoUpload) -> str:
    return f"{RAW_UPLOADS}/partial/{unguessable_name('photo-upload', upload.pk)}"


def _chunk_name(upload: PhotoUpload, offset: int) -> str:
    return f"{chunk_folder(upload)}/{offset:012d}"


def _assemble(upload: PhotoUpload) -> bytes | None:
    """The upload's bytes from its chunks, or None when a chunk has gone missing."""
    parts: list[bytes] = []
    position = 0
    try:
        while position < upload.length:
            with default_storage.open(_chunk_name(upload, position), "rb") as chunk:
                part = chunk.read()
            if not part:
                return None
            parts.append(part)
            position += len(part)
    except OSError:
        return None
    return b"".join(parts) if position == upload.length else None


def chunks_delete(folder: str) -> None:
    try:
        _folders, names = default_storage.listdir(folder)
    except OSError:
        return
    for name in names:
        delete_quietly(f"{folder}/{name}")


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

    Raises StaleOffsetError (409) unless `offset` is the server's, ValidationError (400)
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
        put_exactly(_chunk_name(upload, offset), chunk)
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
    data = _assemble(upload)
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
