"""Pressure tests and digest deliveries, read-only: tests are put up and scored in the app
(whose services keep the stored score), and deliveries are what the weekly task sent."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from studies.common.admin import ReadOnlyAdmin
from studies.loop.models import DigestDelivery, PressureReview, PressureTest
from studies.synthesis.admin.common import ReadOnlyInline


class PressureReviewInline(ReadOnlyInline):
    model = PressureReview
    fields = ("reviewer", "team", "importance", "differentiation", "feasibility", "comment")
    ordering = ("team", "created_at")


@admin.register(PressureTest)
class PressureTestAdmin(ReadOnlyAdmin):
    list_display = ("statement", "score", "teams_scored", "completed_at", "opened_by", "created_at")
    list_select_related = ("insight", "opened_by")
    list_filter = ("teams_scored",)
    search_fields = ("insight__statement",)
    date_hierarchy = "created_at"
    inlines = (PressureReviewInline,)

    @admin.display(description=_("insight"), ordering="insight__statement")
    def statement(self, test: PressureTest) -> str:
        return Truncator(test.insight.statement).chars(60)


@admin.register(PressureReview)
class PressureReviewAdmin(ReadOnlyAdmin):
    list_display = ("test", "reviewer", "team", "importance", "differentiation", "feasibility")
    list_select_related = ("test__insight", "reviewer")
    list_filter = ("team",)
    search_fields = ("test__insight__statement", "reviewer__username", "comment")


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "board_kind", "week_starting", "cards", "created_at")
    list_select_related = ("recipient",)
    list_filter = ("board_kind", "week_starting")
    search_fields = ("recipient__username",)
    date_hierarchy = "week_starting"
