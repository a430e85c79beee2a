"""Django admin for the study-wide tag taxonomy and the tags on observations."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from studies.synthesis.models import ObservationTag, Tag

AUDIT_FIELDS = ("id", "created_at", "updated_at")


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
