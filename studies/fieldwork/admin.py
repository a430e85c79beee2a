"""Django admin for what researchers capture: observations, their tags, photos and sync."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from studies.common.admin import ReadOnlyAdmin
from studies.fieldwork.models import (
    Observation,
    ObservationTag,
    Photo,
    PhotoStatus,
    PhotoTag,
    PhotoUpload,
    SyncConflict,
    SyncOperation,
    Tag,
)

AUDIT_FIELDS = ("id", "created_at", "updated_at")


def _thumbnail(photo: Photo, size: int) -> str:
    if photo.status != PhotoStatus.READY:
        return photo.get_status_display()
    # Through the authorising view: photo files have no public URL, in the admin too.
    source = reverse(
        "photo-file", kwargs={"photo_id": photo.pk, "rendition": "thumb", "extension": "jpg"}
    )
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px">',
        source,
        photo.caption,
        size,
        size,
    )


class PhotoInline(admin.TabularInline):
    model = Photo
    fk_name = "observation"
    fields = ("preview", "caption", "status", "failure_reason", "width", "height")
    readonly_fields = ("preview", "status", "failure_reason", "width", "height")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # photos come from phones, through the pipeline

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo) -> str:
        return _thumbnail(photo, 120)


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = (
        "summary",
        "kind",
        "household",
        "round",
        "author",
        "captured_at",
        "photo_count",
    )
    list_filter = ("kind", "visit__round__study", "visit__round")
    list_select_related = ("visit__household", "visit__round", "author")
    search_fields = ("text", "speaker", "visit__household__code")
    autocomplete_fields = ("visit", "author", "guide_question")
    date_hierarchy = "captured_at"
    # The wording answered is what the answer was given to: kept as it was, never edited.
    readonly_fields = ("question_text", "device_id", "received_at", *AUDIT_FIELDS)
    fields = (
        "visit",
        "author",
        "kind",
        "text",
        "speaker",
        "guide_question",
        "question_text",
        "captured_at",
        "device_id",
        "received_at",
        *AUDIT_FIELDS,
    )
    inlines = (PhotoInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Observation]:
        return super().get_queryset(request).annotate(photo_total=Count("photos"))

    @admin.display(description=_("observation"))
    def summary(self, observation: Observation) -> str:
        return Truncator(observation.text).chars(80)

    @admin.display(description=_("household"), ordering="visit__household__code")
    def household(self, observation: Observation) -> str:
        return observation.visit.household.code

    @admin.display(description=_("round"), ordering="visit__round__window_start")
    def round(self, observation: Observation) -> str:
        return observation.visit.round.label

    @admin.display(description=_("photos"), ordering="photo_total")
    def photo_count(self, observation: Observation) -> int:
        return observation.photo_total


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    """Photos arrive from phones through the upload API and are written by the pipeline:
    here they are looked at, captioned and, when processing failed, understood."""

    list_display = (
        "thumbnail",
        "caption",
        "household",
        "status",
        "attempts",
        "author",
        "captured_at",
    )
    list_select_related = ("visit__household", "author")
    list_filter = ("status", "visit__round__study")
    search_fields = ("caption", "visit__household__code")
    date_hierarchy = "captured_at"
    readonly_fields = (
        "preview",
        "visit",
        "observation",
        "author",
        "device_id",
        "tag_names",
        "captured_at",
        "edited_at",
        "received_at",
        "status",
        "failure_reason",
        "attempts",
        "width",
        "height",
        "sha256",
        *AUDIT_FIELDS,
    )
    fields = ("preview", "caption", *readonly_fields[1:])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("photo"))
    def thumbnail(self, photo: Photo) -> str:
        return _thumbnail(photo, 80)

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo) -> str:
        return _thumbnail(photo, 400)

    @admin.display(description=_("household"), ordering="visit__household__code")
    def household(self, photo: Photo) -> str:
        return photo.visit.household.code

    @admin.display(description=_("tags"))
    def tag_names(self, photo: Photo) -> str:
        return ", ".join(sorted(tag.name for tag in photo.tags.all())) or "—"


@admin.register(PhotoUpload)
class PhotoUploadAdmin(admin.ModelAdmin):
    """Resumable uploads under way or done; read-only, the protocol owns them."""

    list_display = ("device_id", "author", "visit", "status", "offset", "length", "updated_at")
    list_select_related = ("author", "visit__household", "visit__round")
    list_filter = ("status",)
    search_fields = ("device_id", "visit__household__code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- Tags (moved here from synthesis with the models) ----------------------------------------


class ObservationTagInline(admin.TabularInline):
    model = ObservationTag
    fields = ("observation",)
    autocomplete_fields = ("observation",)
    extra = 0
    verbose_name = _("tagged observation")
    verbose_name_plural = _("tagged observations")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "swatch", "group", "study", "observation_count")
    list_filter = ("group", "study")
    list_select_related = ("study",)
    search_fields = ("name", "description")
    autocomplete_fields = ("study",)
    fields = ("study", "name", "group", "colour", "description", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS
    inlines = (ObservationTagInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(observation_total=Count("observations"))

    @admin.display(description=_("colour"))
    def swatch(self, tag: Tag) -> str:
        return format_html(
            '<span style="display:inline-block;width:1.5em;height:1em;background:{};'
            'border:1px solid #888" title="{}"></span>',
            tag.colour,
            tag.colour,
        )

    @admin.display(description=_("observations"), ordering="observation_total")
    def observation_count(self, tag: Tag) -> int:
        return tag.observation_total


@admin.register(ObservationTag)
class ObservationTagAdmin(admin.ModelAdmin):
    list_display = ("tag", "observation")
    list_filter = ("tag__study", "tag__group", "tag")
    list_select_related = ("tag", "observation")
    search_fields = ("tag__name", "observation__text")
    autocomplete_fields = ("tag", "observation")


@admin.register(PhotoTag)
class PhotoTagAdmin(admin.ModelAdmin):
    list_display = ("tag", "photo")
    list_filter = ("tag__study", "tag__group", "tag")
    list_select_related = ("tag", "photo")
    search_fields = ("tag__name", "photo__caption")
    autocomplete_fields = ("tag",)
    raw_id_fields = ("photo",)


# --- Sync records: evidence of what devices sent, never edited -------------------------------


@admin.register(SyncOperation)
class SyncOperationAdmin(ReadOnlyAdmin):
    list_display = ("operation_id", "author", "observation", "received_at")
    list_select_related = ("author", "observation")
    search_fields = ("operation_id",)
    date_hierarchy = "received_at"


@admin.register(SyncConflict)
class SyncConflictAdmin(ReadOnlyAdmin):
    list_display = ("observation", "outcome", "incoming_edited_at", "previous_edited_at")
    list_select_related = ("observation",)
    list_filter = ("outcome",)
    search_fields = ("operation_id", "observation__text")
