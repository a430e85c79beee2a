"""Where an upload's chunks are kept until its photo is made: one folder per upload under
`photo-uploads/partial/`, named so it cannot be guessed, one object per chunk named by its
offset. These bytes are never served; they go when the upload completes, is cancelled or
is forgotten, and the folder with them."""

import os
import uuid
from contextlib import suppress

from django.core.files.storage import default_storage

from studies.fieldwork.models import PhotoUpload
from studies.fieldwork.services.photos import RAW_UPLOADS, delete_quietly, unguessable_name

PARTIAL_UPLOADS = f"{RAW_UPLOADS}/partial"


def chunk_folder(upload: PhotoUpload) -> str:
    return f"{PARTIAL_UPLOADS}/{chunk_folder_name(upload.pk)}"


def chunk_folder_name(upload_id: uuid.UUID) -> str:
    return unguessable_name("photo-upload", upload_id)


def chunk_name(upload: PhotoUpload, offset: int) -> str:
    return f"{chunk_folder(upload)}/{offset:012d}"


def assemble(upload: PhotoUpload) -> bytes | None:
    """The upload's bytes from its chunks, or None when a chunk has gone missing."""
    parts: list[bytes] = []
    position = 0
    try:
        while position < upload.length:
            with default_storage.open(chunk_name(upload, position), "rb") as chunk:
                part = chunk.read()
            if not part:
                return None
            parts.append(part)
            position += len(part)
    except OSError:
        return None
    return b"".join(parts) if position == upload.length else None


def chunks_delete(folder: str) -> None:
    """Delete an upload's chunks and then its folder, so nothing is left under partial/."""
    try:
        _folders, names = default_storage.listdir(folder)
    except OSError:
        return
    for name in names:
        delete_quietly(f"{folder}/{name}")
    _folder_remove(folder)


def _folder_remove(folder: str) -> None:
    """Remove a chunk folder once it is empty.

    A file system keeps a folder after its last file is deleted; object storages (S3) have
    no folders, only names with slashes, and no local `path()`: nothing is left to remove.
    """
    try:
        path = default_storage.path(folder)
    except NotImplementedError:
        return
    # Not empty (a chunk could not be deleted, and is logged) or already gone: left as is.
    with suppress(OSError):
        os.rmdir(path)
