"""Boards and routing rules. A rule is written through the services, so a change re-routes
insights at once."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from studies.synthesis.admin.common import AUDIT_FIELDS, adopt
from studies.synthesis.models import Board, RoutingRule
from studies.synthesis.services import boards
from studies.synthesis.services.routing import RoutingOutcome


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "slug", "card_count", "rule_count")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    fields = ("name", "slug", "kind", *AUDIT_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Board | None = None) -> tuple:
        # Pages link to a board by its slug, and its columns follow from its kind.
        return AUDIT_FIELDS if obj is None else ("slug", "kind", *AUDIT_FIELDS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a board holds the cards' history and decisions

    def get_queryset(self, request: HttpRequest) -> QuerySet[Board]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                card_total=Count("cards", filter=Q(cards__removed_at__isnull=True), distinct=True),
                rule_total=Count("rules", filter=Q(rules__active=True), distinct=True),
            )
        )

    @admin.display(description=_("cards"), ordering="card_total")
    def card_count(self, board: Board) -> int:
        return board.card_total

    @admin.display(description=_("active rules"), ordering="rule_total")
    def rule_count(self, board: Board) -> int:
        return board.rule_total


class RoutingRuleAdminForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ("board", "tag", "tag_group", "study", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The services' own checks, so the admin shows their messages next to the fields
        # instead of failing when save_model calls them.
        try:
            boards.routing_rule_validate(
                board_id=getattr(data.get("board"), "pk", None),
                tag_id=getattr(data.get("tag"), "pk", None),
                tag_group=data.get("tag_group") or "",
                study_id=getattr(data.get("study"), "pk", None),
            )
        except ValidationError as refused:
            for name, errors in refused.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Saving or deleting a rule routes every insight it matched or matches again."""

    form = RoutingRuleAdminForm
    list_display = ("__str__", "board", "tag", "tag_group", "study", "active")
    list_filter = ("board", "tag_group", "active", "study")
    list_select_related = ("board", "tag", "study")
    search_fields = ("tag__name", "board__name", "study__title")
    autocomplete_fields = ("tag", "study")
    readonly_fields = AUDIT_FIELDS
    fields = ("board", "tag", "tag_group", "study", "active", *AUDIT_FIELDS)

    def _report(self, request: HttpRequest, outcome: RoutingOutcome) -> None:
        moved = len(outcome.placed) + len(outcome.restored) + len(outcome.removed)
        self.message_user(
            request,
            ngettext(
                "Routing ran again: %(count)d card moved (%(placed)d placed, "
                "%(restored)d put back, %(removed)d taken off).",
                "Routing ran again: %(count)d cards moved (%(placed)d placed, "
                "%(restored)d put back, %(removed)d taken off).",
                moved,
            )
            % {
                "count": moved,
                "placed": len(outcome.placed),
                "restored": len(outcome.restored),
                "removed": len(outcome.removed),
            },
            messages.INFO,
        )

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        values = {
            "board_id": obj.board_id,
            "tag_id": obj.tag_id,
            "tag_group": obj.tag_group,
            "study_id": obj.study_id,
            "active": obj.active,
            "actor": request.user,
        }
        if change:
            _, outcome = boards.routing_rule_update(rule=obj, **values)
        else:
            rule, outcome = boards.routing_rule_create(**values)
            adopt(obj, rule)
        self._report(request, outcome)

    def delete_model(self, request: HttpRequest, obj: RoutingRule) -> None:
        self._report(request, boards.routing_rule_delete(rule=obj, actor=request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoutingRule]) -> None:
        total = RoutingOutcome()
        for rule in queryset:
            outcome = boards.routing_rule_delete(rule=rule, actor=request.user)
            total.placed += outcome.placed
            total.restored += outcome.restored
            total.removed += outcome.removed
        self._report(request, total)
