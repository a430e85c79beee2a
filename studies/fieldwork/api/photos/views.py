"""Resumable photo uploads (tus-like: offsets, HEAD to resume) and the photos they make."""

import uuid
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.errors import ErrorOutputSerializer, django_errors_as_dict
from studies.common.api.parsers import RequestTooLarge
from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.common.roles import Capability
from studies.fieldwork.api.photos import serializers as s
from studies.fieldwork.models import Photo, PhotoUpload
from studies.fieldwork.services import photo_edits, photos, uploads
from studies.scheduling import access
from studies.scheduling.api.views.base import referenced, validated

CHUNK_CONTENT_TYPE = "application/offset+octet-stream"

TOO_LARGE = {
    413: OpenApiResponse(
        ErrorOutputSerializer,
        description=_("The photo is larger than the server accepts. Nothing was stored."),
    )
}
CHUNK_TOO_LARGE = {
    413: OpenApiResponse(
        ErrorOutputSerializer,
        description=_(
            "The chunk is larger than the server reads in one request "
            "(RESEARCHHUB_MAX_REQUEST_BYTES): send smaller chunks. Nothing was stored."
        ),
    )
}
TOO_MANY_OPEN = {
    429: OpenApiResponse(
        ErrorOutputSerializer,
        description=_(
            "You hold as many unfinished uploads, or as many bytes in them, as one researcher "
            "may (RESEARCHHUB_MAX_OPEN_UPLOADS, RESEARCHHUB_MAX_OPEN_UPLOAD_BYTES): let them "
            "finish or cancel some, then try again. Nothing was created. Also answered past "
            "the rate limit, with a Retry-After header."
        ),
    )
}
OFFSET_HEADER = OpenApiParameter(
    "Upload-Offset",
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    required=True,
    description=_("The byte offset this chunk starts at: the upload's current offset."),
)


def _too_large(exc: photos.PhotoTooLargeError) -> Response:
    return Response(
        {"errors": django_errors_as_dict(exc)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    )


def _upload_response(upload: PhotoUpload, code: int = status.HTTP_200_OK) -> Response:
    return Response(
        s.UploadOutputSerializer(upload).data,
        status=code,
        headers=_offset_headers(upload),
    )


def _offset_headers(upload: PhotoUpload) -> dict[str, str]:
    return {
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
    }


class UploadCreateApi(ApiView):
    @extend_schema(
        operation_id="uploads_create",
        tags=["photos"],
        summary="Start a resumable photo upload (or find the one already started)",
        description=(
            "Only the visit's researcher (or a research lead) may upload. The same "
            "`device_id` again answers 200 with the existing upload and its offset, so a "
            "lost response is harmless. A researcher may hold only so many unfinished uploads, "
            "and so many bytes in them, at once (else 429); one nothing is sent to for a day "
            "is forgotten with what it received."
        ),
        request=s.UploadCreateInputSerializer,
        responses={
            201: s.UploadOutputSerializer,
            200: s.UploadOutputSerializer,
            **error_responses(400, 403, 409),
            **TOO_LARGE,
            **TOO_MANY_OPEN,
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.UploadCreateInputSerializer, request.data)
        visit = referenced(
            "visit",
            access.visit_get_for_user,
            user=request.user,
            visit_id=data["visit"],
            capability=Capability.CONDUCT_VISITS,
        )
        try:
            upload, created = uploads.upload_create(
                author=request.user,
                visit=visit,
                device_id=data["device_id"],
                length=data["length"],
                sha256=data["sha256"],
                caption=data["caption"],
                tag_names=data["tags"],
                captured_at=data["captured_at"],
                observation_device_id=data["observation"],
            )
        except photos.PhotoTooLargeError as exc:
            return _too_large(exc)
        except uploads.TooManyOpenUploadsError as exc:
            return Response(
                {"errors": django_errors_as_dict(exc)}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        return _upload_response(upload, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class UploadDetailApi(ApiView):
    @extend_schema(
        operation_id="uploads_retrieve",
        tags=["photos"],
        summary="Where an upload stands (HEAD gives the same in the Upload-Offset header)",
        responses={200: s.UploadOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, upload_id: uuid.UUID) -> Response:
        return _upload_response(uploads.upload_status(author=request.user, upload_id=upload_id))

    def head(self, request: Request, upload_id: uuid.UUID) -> Response:
        upload = uploads.upload_status(author=request.user, upload_id=upload_id)
        return Response(headers=_offset_headers(upload))

    @extend_schema(
        operation_id="uploads_append",
        tags=["photos"],
        summary="Send the next chunk of an upload",
        description=(
            "The body is raw bytes (`Content-Type: application/offset+octet-stream`) starting "
            "at `Upload-Offset`, which must be the upload's current offset (else 409, with the "
            "real offset). With the last byte the SHA-256 is checked (a mismatch answers 400 "
            "and the upload starts over at 0) and the photo is checked: a file that is not an "
            "acceptable photo answers 400 and the upload is gone. Otherwise the photo is "
            "created, pending until processed. A chunk larger than the request limit "
            "(RESEARCHHUB_MAX_REQUEST_BYTES, 10 MB by default) answers 413 and is not read."
        ),
        parameters=[OFFSET_HEADER],
        request={CHUNK_CONTENT_TYPE: OpenApiTypes.BINARY},
        responses={
            200: s.UploadOutputSerializer,
            409: OpenApiResponse(
                s.UploadConflictOutputSerializer,
                description=_("The offset is stale: resume from the one in the body."),
            ),
            **error_responses(400, 404),
            **CHUNK_TOO_LARGE,
        },
    )
    def patch(self, request: Request, upload_id: uuid.UUID) -> Response:
        if request.content_type.split(";")[0].strip() != CHUNK_CONTENT_TYPE:
            raise exceptions.UnsupportedMediaType(request.content_type)
        offset = _offset_from(request)
        upload = uploads.upload_get(author=request.user, upload_id=upload_id)
        if upload.offset == offset and upload.offset < upload.length:
            chunk = _read_chunk(request, room=upload.length - offset)
            try:
                upload = uploads.upload_append(
                    author=request.user, upload_id=upload_id, offset=offset, chunk=chunk
                )
                return _upload_response(upload)
            except uploads.StaleOffsetError as exc:
                return _stale(exc.upload, exc)
        return _stale(upload, uploads.StaleOffsetError(upload))

    @extend_schema(
        operation_id="uploads_destroy",
        tags=["photos"],
        summary="Stop an upload and drop what it received",
        description=(
            "For a photo the phone no longer wants to send (its researcher cancelled it). "
            "The upload and its chunks go; asking again answers 404. An upload whose last "
            "byte already arrived has made its photo: the answer is 409 with the photo, to "
            "be deleted through the photo instead."
        ),
        responses={
            204: None,
            409: OpenApiResponse(
                s.UploadConflictOutputSerializer,
                description=_("The upload is complete: delete its photo instead."),
            ),
            **error_responses(404),
        },
    )
    def delete(self, request: Request, upload_id: uuid.UUID) -> Response:
        try:
            uploads.upload_abort(author=request.user, upload_id=upload_id)
        except uploads.UploadCompleteError as exc:
            return Response(
                {**s.UploadOutputSerializer(exc.upload).data, "errors": django_errors_as_dict(exc)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _offset_from(request: Request) -> int:
    raw = request.headers.get("Upload-Offset", "")
    if not raw.strip().isdigit():
        raise exceptions.ValidationError(
            {"Upload-Offset": [_("Send the chunk's start as a whole number of bytes.")]}
        )
    return int(raw)


def _read_chunk(request: Request, *, room: int) -> bytes:
    """The chunk, read from the body's stream: never more than one byte past what the upload
    still has room for (that byte tells a chunk that overruns its length) nor past the
    request limit. Django guards only `request.body` and forms with that limit; the chunk
    is read from the stream, so the limit is held here. A chunk past it is refused (413)
    before anything is stored, from its Content-Length when sent, else once limit + 1 bytes
    have arrived."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return request._request.read(room + 1)
    declared = request.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise _chunk_too_large(limit)
    chunk = request._request.read(min(room, limit) + 1)
    if len(chunk) > limit:
        raise _chunk_too_large(limit)
    return chunk


def _chunk_too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(
        _("A chunk may be at most %(limit)s: send the photo in smaller chunks.")
        % {"limit": filesizeformat(limit)}
    )


def _stale(upload: PhotoUpload, error: uploads.StaleOffsetError) -> Response:
    return Response(
        {**s.UploadOutputSerializer(upload).data, "errors": django_errors_as_dict(error)},
        status=status.HTTP_409_CONFLICT,
        headers=_offset_headers(upload),
    )


class PhotoDetailApi(ApiView):
    @extend_schema(
        operation_id="photos_retrieve",
        tags=["photos"],
        summary="A photo: its processing status and, once ready, where its files are",
        responses={200: s.PhotoOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, photo_id: uuid.UUID) -> Response:
        photo = photos.photo_get_for_user(user=request.user, photo_id=photo_id)
        return Response(s.PhotoOutputSerializer(photo).data)

    @extend_schema(
        operation_id="photos_partial_update",
        tags=["photos"],
        summary="Change a photo's caption, tags or the note it goes with",
        description=(
            "For the photo's author or a research lead. Sent from a phone's outbox, a change "
            "carries the device time it was made (`edited_at`): the latest change wins, and "
            "one older than what the server holds changes nothing (the photo comes back as "
            "it stands). The visit judges the change by that time: a change made after the "
            "visit finished is refused. A deleted photo takes no change (409)."
        ),
        request=s.PhotoUpdateInputSerializer,
        responses={200: s.PhotoOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: Request, photo_id: uuid.UUID) -> Response:
        photo = photo_edits.photo_get_for_change(user=request.user, photo_id=photo_id)
        data = validated(s.PhotoUpdateInputSerializer, request.data)
        change = photo_edits.PhotoChange(
            edited_at=data["edited_at"],
            caption=data.get("caption"),
            tag_names=data.get("tags"),
            observation=data.get("observation"),
            detach="observation" in data and data["observation"] is None,
        )
        photo_edits.photo_update(photo=photo, actor=request.user, change=change)
        return Response(
            s.PhotoOutputSerializer(
                photos.photo_get_for_user(user=request.user, photo_id=photo.pk)
            ).data
        )

    @extend_schema(
        operation_id="photos_destroy",
        tags=["photos"],
        summary="Delete a photo",
        description=(
            "For the photo's author or a research lead. The photo leaves every page at once; "
            "deleting it again answers 204 too. A deletion made on a phone after the visit "
            "finished (`edited_at`) is refused."
        ),
        parameters=[s.PhotoDeleteQueryInputSerializer],
        responses={204: None, **error_responses(400, 403, 404)},
    )
    def delete(self, request: Request, photo_id: uuid.UUID) -> Response:
        photo = photo_edits.photo_get_for_change(user=request.user, photo_id=photo_id)
        query = validated(s.PhotoDeleteQueryInputSerializer, request.query_params)
        photo_edits.photo_delete(photo=photo, actor=request.user, edited_at=query.get("edited_at"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VisitPhotoListApi(ListApiView):
    serializer_class = s.PhotoOutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no URL
            return Photo.objects.none()
        visit = access.visit_get_for_user(user=self.request.user, visit_id=self.kwargs["visit_id"])
        return photos.visit_photo_list(visit=visit)

    @extend_schema(
        operation_id="visits_photos_list",
        tags=["photos"],
        summary="The photos taken at a visit",
        responses={200: s.PhotoOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, visit_id: uuid.UUID) -> Response:
        return self.list_response()
