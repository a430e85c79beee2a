"""Photos and their resumable uploads."""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.fields import (
    StrictCharField,
    StrictIntegerField,
    StrictRegexField,
    StrictUUIDField,
)
from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.api.fields import CAPTURE_TIME_BOUNDS, DeviceTimeField, tag_names_field
from studies.fieldwork.models import (
    MAX_CAPTION_LENGTH,
    Photo,
    PhotoStatus,
    PhotoUpload,
    UploadStatus,
)

UPLOAD_MARKER = "upload-v1"

# rendition key in the output → (rendition, extension) in the file view's URL
PHOTO_URLS = {
    "thumb": ("thumb", "webp"),
    "thumb_jpeg": ("thumb", "jpg"),
    "web": ("web", "webp"),
    "web_jpeg": ("web", "jpg"),
    "original": ("original", "jpg"),
}


class UploadCreateInputSerializer(serializers.Serializer):
    """Every value must be of its documented JSON type: a number where a string belongs
    is refused, not read as text or as an id, and the length is a JSON number."""

    device_id = StrictUUIDField(help_text=_("The photo's id, made on the device."))
    visit = StrictUUIDField()
    length = StrictIntegerField(min_value=1, help_text=_("The file's size in bytes."))
    sha256 = StrictRegexField(
        r"^[0-9a-fA-F]{64}$",
        help_text=_("SHA-256 of the whole file, in hex; checked when the last byte arrives."),
        error_messages={"invalid": _("Give the SHA-256 as 64 hexadecimal digits.")},
    )
    caption = StrictCharField(
        max_length=MAX_CAPTION_LENGTH, allow_blank=True, required=False, default=""
    )
    tags = tag_names_field(required=False, default=list)
    captured_at = DeviceTimeField(
        help_text=format_lazy(
            "{} {}", _("When the photo was taken, device time."), CAPTURE_TIME_BOUNDS
        )
    )
    observation = StrictUUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The device id of the observation the photo illustrates, if any."),
    )


class PhotoUpdateInputSerializer(serializers.Serializer):
    """A change made on a device; only the parts sent change, each of its JSON type."""

    edited_at = DeviceTimeField(
        help_text=_(
            "Device time the change was made. The latest change wins: an older one is "
            "answered with the photo as it stands."
        )
    )
    caption = StrictCharField(max_length=MAX_CAPTION_LENGTH, allow_blank=True, required=False)
    tags = tag_names_field(
        required=False, help_text=_("The photo's tags, by name, replacing the ones it has.")
    )
    observation = StrictUUIDField(
        required=False,
        allow_null=True,
        help_text=_(
            "The device id of the note, quote or answer of the same visit the photo goes "
            "with; null to take it off the one it has."
        ),
    )


class PhotoDeleteQueryInputSerializer(serializers.Serializer):
    edited_at = DeviceTimeField(
        required=False,
        help_text=_("Device time the photo was deleted; the server's time when left out."),
    )


class PhotoUrlsOutputSerializer(serializers.Serializer):
    thumb = serializers.CharField(help_text=_("400 px, WebP."))
    thumb_jpeg = serializers.CharField(help_text=_("400 px, JPEG."))
    web = serializers.CharField(help_text=_("1600 px, WebP."))
    web_jpeg = serializers.CharField(help_text=_("1600 px, JPEG."))
    original = serializers.CharField(help_text=_("Full size, JPEG, metadata removed."))


class PhotoOutputSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(PhotoStatus)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    observation_device_id = serializers.UUIDField(
        source="observation.device_id", allow_null=True, read_only=True, default=None
    )
    urls = serializers.SerializerMethodField(
        help_text=_("Where the files are served (signed-in team members only); null until ready.")
    )

    class Meta:
        model = Photo
        fields = [
            "id",
            "device_id",
            "visit",
            "observation_device_id",
            "caption",
            "tags",
            "captured_at",
            "edited_at",
            "received_at",
            "status",
            "failure_reason",
            "width",
            "height",
            "urls",
        ]
        read_only_fields = fields

    @extend_schema_field(PhotoUrlsOutputSerializer(allow_null=True))
    def get_urls(self, photo: Photo) -> dict[str, str] | None:
        if photo.status != PhotoStatus.READY:
            return None
        return {
            key: reverse(
                "photo-file",
                kwargs={"photo_id": photo.pk, "rendition": rendition, "extension": extension},
            )
            for key, (rendition, extension) in PHOTO_URLS.items()
        }


class UploadOutputSerializer(serializers.ModelSerializer):
    researchhub = serializers.SerializerMethodField(
        help_text=_('Always "upload-v1": only a body carrying it confirms delivery.')
    )
    complete = serializers.SerializerMethodField()
    photo = PhotoOutputSerializer(allow_null=True, read_only=True)

    class Meta:
        model = PhotoUpload
        fields = ["researchhub", "id", "device_id", "offset", "length", "complete", "photo"]
        read_only_fields = fields

    def get_researchhub(self, upload: PhotoUpload) -> str:
        return UPLOAD_MARKER

    def get_complete(self, upload: PhotoUpload) -> bool:
        return upload.status == UploadStatus.COMPLETE


class UploadConflictOutputSerializer(UploadOutputSerializer):
    """The 409 answer to a chunk at a stale offset: the upload as it stands, and why."""

    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

    class Meta(UploadOutputSerializer.Meta):
        fields = [*UploadOutputSerializer.Meta.fields, "errors"]
        read_only_fields = fields
