"""Small references the synthesis resources share: tags, rounds, studies, photos, boards."""

import uuid

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.api.photos.serializers import PHOTO_URLS, PhotoUrlsOutputSerializer
from studies.fieldwork.models import Photo, PhotoStatus, Tag, TagGroup
from studies.scheduling.models import ResearchQuestion, Round, Study
from studies.synthesis.models import Board, BoardKind


def photo_urls(photo_id: uuid.UUID) -> dict[str, str]:
    """Where the photo file view serves each rendition (signed-in team members only)."""
    return {
        key: reverse(
            "photo-file",
            kwargs={"photo_id": photo_id, "rendition": rendition, "extension": extension},
        )
        for key, (rendition, extension) in PHOTO_URLS.items()
    }


def username_field(source: str, **kwargs: object) -> serializers.CharField:
    """A user as their username; null once the account is gone."""
    return serializers.CharField(
        source=f"{source}.username", allow_null=True, default=None, read_only=True, **kwargs
    )


class TagChipOutputSerializer(serializers.ModelSerializer):
    group = NamedChoiceField(TagGroup, read_only=True, allow_blank=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "group", "colour"]
        read_only_fields = fields


class RoundRefOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Round
        fields = ["id", "label"]
        read_only_fields = fields


class StudyRefOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Study
        fields = ["id", "title"]
        read_only_fields = fields


class ResearchQuestionRefOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResearchQuestion
        fields = ["id", "text"]
        read_only_fields = fields


class BoardRefOutputSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(BoardKind, read_only=True)

    class Meta:
        model = Board
        fields = ["id", "slug", "name", "kind"]
        read_only_fields = fields


class PhotoRefOutputSerializer(serializers.ModelSerializer):
    urls = serializers.SerializerMethodField(
        help_text=_("Where the files are served (signed-in team members only); null until ready.")
    )

    class Meta:
        model = Photo
        fields = ["id", "caption", "urls"]
        read_only_fields = fields

    @extend_schema_field(PhotoUrlsOutputSerializer(allow_null=True))
    def get_urls(self, photo: Photo) -> dict[str, str] | None:
        return photo_urls(photo.pk) if photo.status == PhotoStatus.READY else None


class UuidListField(serializers.ListField):
    """A list of object ids; each named once is enough, so repeats are dropped."""

    child = serializers.UUIDField()

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> list[uuid.UUID]:
        return list(dict.fromkeys(super().to_internal_value(data)))
