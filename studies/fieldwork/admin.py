"""Django admin for what researchers capture: observations and their photos."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from studies.fieldwork.models import Observation, Photo

AUDIT_FIELDS = ("id", "created_at", "updated_at")


def _thumbnail(photo: Photo, size: int) -> str:
    if not photo.image:
        return "-"
    return format_html(
        '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px">',
        photo.image.url,
        photo.caption,
        size,
        size,
    )


class PhotoInline(admin.TabularInline):
    model = Photo
    fields = ("preview", "image", "caption", "width", "height")
    readonly_fields = ("preview", "width", "height")
    extra = 0

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
    readonly_fields = ("device_id", "received_at", *AUDIT_FIELDS)
    fields = (
        "visit",
        "author",
        "kind",
        "text",
        "speaker",
        "guide_question",
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
    list_display = ("thumbnail", "caption", "household", "width", "height", "created_at")
    list_select_related = ("observation__visit__household",)
    list_filter = ("observation__visit__round__study",)
    search_fields = ("caption", "observation__visit__household__code")
    autocomplete_fields = ("observation",)
    fields = ("observation", "image", "preview", "caption", "width", "height", *AUDIT_FIELDS)
    readonly_fields = ("preview", "width", "height", *AUDIT_FIELDS)

    @admin.display(description=_("photo"))
    def thumbnail(self, photo: Photo) -> str:
        return _thumbnail(photo, 80)

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo) -> str:
        return _thumbnail(photo, 480)

    @admin.display(description=_("household"), ordering="observation__visit__household__code")
    def household(self, photo: Photo) -> str:
        return photo.observation.visit.household.code
