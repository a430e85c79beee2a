"""Removing everything captured in a household's visits, for its erasure request.

Rows go in the caller's transaction; files go only after it commits, so a rolled-back
erasure leaves every photo where it was.
"""

import uuid
from functools import partial

from django.db import transaction

from studies.fieldwork.models import Observation, Photo, PhotoUpload
from studies.fieldwork.services.photos import delete_quietly
from studies.fieldwork.services.uploads.chunks import chunk_folder, chunks_delete

PHOTO_FILE_FIELDS = ("upload", "original", "web_webp", "web_jpeg", "thumb_webp", "thumb_jpeg")


def _delete_files(names: list[str], folders: list[str]) -> None:
    for name in names:
        delete_quietly(name)
    for folder in folders:
        chunks_delete(folder)


def household_captures_erase(*, household_id: uuid.UUID) -> dict[str, int]:
    """Delete the household's observations (their tags, evidence links, sync records and
    quote uses with them), photos with every rendition, and unfinished uploads."""
    photos = list(Photo.objects.filter(visit__household_id=household_id))
    names = [
        name
        for photo in photos
        for field in PHOTO_FILE_FIELDS
        if (name := getattr(photo, field).name)
    ]
    uploads = list(PhotoUpload.objects.filter(visit__household_id=household_id))
    folders = [chunk_folder(upload) for upload in uploads]
    PhotoUpload.objects.filter(pk__in=[upload.pk for upload in uploads]).delete()
    Photo.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    _total, deleted = Observation.objects.filter(visit__household_id=household_id).delete()
    transaction.on_commit(partial(_delete_files, names, folders))
    return {
        "observations": deleted.get(Observation._meta.label, 0),
        "photos": len(photos),
        "photo_files": len(names),
        "unfinished_uploads": len(uploads),
    }
