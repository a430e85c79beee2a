"""Uploads given up on: forgotten with their chunks after a day without a byte."""

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from studies.fieldwork.models import PhotoUpload, UploadStatus
from studies.fieldwork.services.uploads.chunks import (
    PARTIAL_UPLOADS,
    chunk_folder,
    chunk_folder_name,
    chunks_delete,
)

logger = logging.getLogger(__name__)

# An upload nothing was sent to for this long was given up on (the photo was cancelled on a
# phone that never said so, or the phone was wiped): it and its chunks are forgotten, and
# its researcher's room for new uploads comes back.
IDLE_UPLOAD_KEPT = dt.timedelta(days=1)
# How many idle uploads, and how many stray chunk folders, one run forgets: a run stays
# short whatever piled up, and the next run takes the rest.
FORGOTTEN_PER_RUN = 500


def uploads_forget_idle(*, now: dt.datetime | None = None, limit: int = FORGOTTEN_PER_RUN) -> int:
    """Forget unfinished uploads nothing was sent to for IDLE_UPLOAD_KEPT, with their chunks
    and folders, and then chunk folders no unfinished upload owns (chunks whose deletion
    failed, the empty folders finished uploads once left). At most `limit` of each per run.
    Returns how many uploads went. Completed uploads, and the photos they made, stay."""
    cutoff = (now or timezone.now()) - IDLE_UPLOAD_KEPT
    with transaction.atomic():
        # An upload taking a chunk right now is locked, and not idle: skipped. Where row
        # locks exist the condition is checked again under the lock.
        idle = list(
            PhotoUpload.objects.select_for_update(skip_locked=True)
            .filter(updated_at__lt=cutoff)
            .exclude(status=UploadStatus.COMPLETE)
            .order_by("updated_at")[:limit]
        )
        PhotoUpload.objects.filter(pk__in=[upload.pk for upload in idle]).delete()
        transaction.on_commit(partial(_folders_delete, [chunk_folder(upload) for upload in idle]))
    strays = _stray_chunk_folders(limit=limit)
    _folders_delete(strays)
    if idle or strays:
        logger.info("Forgot %d idle uploads and %d stray chunk folders", len(idle), len(strays))
    return len(idle)


def _folders_delete(folders: Iterable[str]) -> None:
    for folder in folders:
        chunks_delete(folder)


def _stray_chunk_folders(*, limit: int) -> list[str]:
    """Chunk folders that belong to no unfinished upload.

    The folders are listed before the uploads are read: a folder gets its first chunk only
    after its upload's row was committed, so every listed folder whose upload is still
    receiving is found among the rows read after. Folders of complete or deleted uploads
    take no more chunks, so removing them races with nothing.
    """
    try:
        names, _files = default_storage.listdir(PARTIAL_UPLOADS)
    except OSError:
        return []
    if not names:
        return []
    receiving = PhotoUpload.objects.filter(status=UploadStatus.RECEIVING)
    owned = {chunk_folder_name(pk) for pk in receiving.values_list("pk", flat=True).iterator()}
    return [f"{PARTIAL_UPLOADS}/{name}" for name in sorted(set(names) - owned)][:limit]
