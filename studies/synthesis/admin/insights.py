"""Insights and what hangs off them: cards and their events, tags, evidence, comments and
quote uses. An insight's wording is edited through `insight_update`; history is read-only."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from studies.common.admin import ReadOnlyAdmin
from studies.synthesis.admin.common import AUDIT_FIELDS, ReadOnlyInline
from studies.synthesis.models import (
    BoardCard,
    CardEvent,
    Comment,
    Evidence,
    Insight,
    InsightTag,
    QuoteUse,
)
from studies.synthesis.services import insights


class InsightTagInline(ReadOnlyInline):
    model = InsightTag
    fields = ("tag",)
    verbose_name = _("tag")
    verbose_name_plural = _("tags")


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("observation", "photo", "added_by", "created_at")


class BoardCardInline(ReadOnlyInline):
    model = BoardCard
    fields = ("board", "column", "moved_at", "moved_by", "removed_at")
    show_change_link = True


@admin.register(Insight)
class InsightAdmin(admin.ModelAdmin):
    """Insights are made in the app, from evidence. Here only the wording can be fixed,
    through the same service as the app; evidence, tags and cards are shown, not edited."""

    list_display = (
        "summary",
        "study",
        "evidence_count",
        "household_count",
        "latest_round",
        "updated_at",
    )
    list_filter = ("study", "cards__board")
    list_select_related = ("study", "latest_round")
    search_fields = ("statement", "description")
    date_hierarchy = "updated_at"
    fields = (
        "statement",
        "description",
        "study",
        "research_question",
        "created_by",
        "evidence_count",
        "household_count",
        "latest_round",
        "first_observed_at",
        *AUDIT_FIELDS,
    )
    readonly_fields = fields[2:]
    inlines = (InsightTagInline, EvidenceInline, BoardCardInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Insight, form: Any, change: bool) -> None:
        insights.insight_update(
            insight=obj,
            actor=request.user,
            statement=obj.statement,
            description=obj.description,
        )

    @admin.display(description=_("statement"), ordering="statement")
    def summary(self, insight: Insight) -> str:
        return Truncator(insight.statement).chars(80)


class OnBoardFilter(admin.SimpleListFilter):
    title = _("on the board")
    parameter_name = "on_board"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("On the board")), ("no", _("Taken off"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[BoardCard]) -> QuerySet[BoardCard]:
        if self.value() == "yes":
            return queryset.filter(removed_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(removed_at__isnull=False)
        return queryset


class CardEventInline(ReadOnlyInline):
    model = CardEvent
    fields = ("created_at", "kind", "from_column", "to_column", "actor", "note")
    ordering = ("created_at",)


@admin.register(BoardCard)
class BoardCardAdmin(ReadOnlyAdmin):
    """Cards are placed by routing and moved on the board; here they are read."""

    list_display = ("insight", "board", "column", "moved_at", "moved_by", "removed_at")
    list_filter = ("board", "column", OnBoardFilter)
    list_select_related = ("insight", "board", "moved_by")
    search_fields = ("insight__statement",)
    date_hierarchy = "moved_at"
    inlines = (CardEventInline,)


@admin.register(CardEvent)
class CardEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "insight", "board", "kind", "from_column", "to_column", "actor")
    list_filter = ("kind", "card__board")
    list_select_related = ("card__insight", "card__board", "actor")
    search_fields = ("card__insight__statement", "note")
    date_hierarchy = "created_at"

    @admin.display(description=_("insight"))
    def insight(self, event: CardEvent) -> str:
        return Truncator(event.card.insight.statement).chars(60)

    @admin.display(description=_("board"), ordering="card__board__name")
    def board(self, event: CardEvent) -> str:
        return event.card.board.name


@admin.register(InsightTag)
class InsightTagAdmin(ReadOnlyAdmin):
    """Tags are changed on the insight, which routes it again."""

    list_display = ("tag", "insight")
    list_filter = ("tag__group", "tag__study")
    list_select_related = ("tag", "insight")
    search_fields = ("tag__name", "insight__statement")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Evidence is added and removed in the app, which keeps the insight's counts."""

    list_display = ("insight", "observation", "photo", "added_by", "created_at")
    list_select_related = ("insight", "observation", "photo", "added_by")
    search_fields = ("insight__statement", "observation__text", "photo__caption")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments are written in the app; here they can be corrected or removed."""

    list_display = ("summary", "insight", "author", "created_at")
    list_select_related = ("insight", "author")
    search_fields = ("text", "insight__statement", "author__username")
    date_hierarchy = "created_at"
    fields = ("insight", "author", "text", *AUDIT_FIELDS)
    readonly_fields = ("insight", "author", *AUDIT_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("comment"))
    def summary(self, comment: Comment) -> str:
        return Truncator(comment.text).chars(80)


@admin.register(QuoteUse)
class QuoteUseAdmin(admin.ModelAdmin):
    """Where quotes were used, recorded by marketing in the app. A record made by mistake
    can be deleted here; it is recorded again in the app, where the link is checked."""

    list_display = ("campaign", "used_on", "observation", "recorded_by")
    list_select_related = ("observation", "recorded_by")
    search_fields = ("campaign", "observation__text")
    date_hierarchy = "used_on"
    fields = ("observation", "campaign", "link", "used_on", "recorded_by", *AUDIT_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
