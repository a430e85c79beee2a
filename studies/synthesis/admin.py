"""Django admin for synthesis: boards, routing rules, insights and their cards, webhooks.

The admin keeps the rules of the app: routing rules and webhooks are written through the
services (so a rule change re-routes insights at once, and a webhook URL is checked), an
insight's statement is edited through `insight_update`, and history (card events, the
webhook delivery log) is read-only.
"""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from studies.common.admin import ReadOnlyAdmin
from studies.fieldwork.admin import TagAdmin as FieldworkTagAdmin
from studies.fieldwork.models import Tag
from studies.synthesis.models import (
    Board,
    BoardCard,
    CardEvent,
    Comment,
    DeliveryStatus,
    Evidence,
    Insight,
    InsightTag,
    QuoteUse,
    RoutingRule,
    Webhook,
    WebhookDelivery,
)
from studies.synthesis.services import boards, insights, webhooks
from studies.synthesis.services.routing import RoutingOutcome, insights_route

AUDIT_FIELDS = ("id", "created_at", "updated_at")


def _adopt(obj: Any, saved: Any) -> None:
    """Make the admin's unsaved `obj` the row a service created, for the admin's messages,
    log entry and redirect."""
    obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at
    obj._state.adding = False
    obj._state.db = saved._state.db


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        return tuple(self.fields or ())

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Boards and routing rules ---------------------------------------------------------------


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
            _adopt(obj, rule)
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


# --- Insights and their cards ---------------------------------------------------------------


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


# --- Webhooks and their delivery log --------------------------------------------------------


class WebhookAdminForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        max_length=Webhook._meta.get_field("secret").max_length,
        help_text=_("Leave empty to have one made. It is shown once, after saving."),
    )

    class Meta:
        model = Webhook
        fields = ("name", "url", "secret", "board", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if {"name", "url"} <= data.keys():
            board = data.get("board")
            try:
                webhooks.webhook_validate(
                    name=data["name"], url=data["url"], board_id=board.pk if board else None
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookAdminForm
    list_display = ("name", "url", "board", "active", "pending_count", "failed_count")
    list_filter = ("active", "board")
    list_select_related = ("board",)
    search_fields = ("name", "url")

    def get_fields(self, request: HttpRequest, obj: Webhook | None = None) -> tuple:
        if obj is None:
            return ("name", "url", "secret", "board", "active")
        # The secret is set once: after that only its last characters are shown.
        return ("name", "url", "board", "active", "masked_secret", *AUDIT_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Webhook | None = None) -> tuple:
        return () if obj is None else ("masked_secret", *AUDIT_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Webhook]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_total=Count(
                    "deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)
                ),
                failed_total=Count(
                    "deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)
                ),
            )
        )

    @admin.display(description=_("pending deliveries"), ordering="pending_total")
    def pending_count(self, webhook: Webhook) -> int:
        return webhook.pending_total

    @admin.display(description=_("failed deliveries"), ordering="failed_total")
    def failed_count(self, webhook: Webhook) -> int:
        return webhook.failed_total

    @admin.display(description=_("signing secret"))
    def masked_secret(self, webhook: Webhook) -> str:
        return "•" * 8 + webhook.secret[-4:]

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        board_id = obj.board_id
        if change:
            webhooks.webhook_update(
                webhook=obj, name=obj.name, url=obj.url, board_id=board_id, active=obj.active
            )
            return
        webhook = webhooks.webhook_create(
            name=obj.name,
            url=obj.url,
            secret=form.cleaned_data["secret"],
            board_id=board_id,
            active=obj.active,
        )
        _adopt(obj, webhook)
        obj.secret = webhook.secret
        self.message_user(
            request,
            format_html(
                "{} <code>{}</code>",
                gettext("Copy the signing secret now; it is not shown again:"),
                webhook.secret,
            ),
            messages.WARNING,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: what was sent where, every attempt's outcome, and what is due."""

    list_display = (
        "created_at",
        "webhook",
        "event",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event", "webhook")
    list_select_related = ("webhook",)
    search_fields = ("webhook__name", "last_error")
    date_hierarchy = "created_at"
    fields = (
        "webhook",
        "event",
        "card_event",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "sent_payload",
        *AUDIT_FIELDS,
    )
    readonly_fields = fields
    actions = ("retry_now",)

    @admin.display(description=_("payload"))
    def sent_payload(self, delivery: WebhookDelivery) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(delivery.payload, indent=2, ensure_ascii=False)
        )

    @admin.action(description=_("Send the selected deliveries again now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queued = webhooks.deliveries_retry(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued to send again.",
                "%(count)d deliveries queued to send again.",
                len(queued),
            )
            % {"count": len(queued)},
            messages.SUCCESS,
        )


# Tags are fieldwork's (ADR 0008), but a tag's group decides where its insights are routed,
# which fieldwork knows nothing of: synthesis re-registers the tag admin so that changing a
# group in the admin routes the tag's insights again, as the tag page and the API do.
admin.site.unregister(Tag)


@admin.register(Tag)
class RoutedTagAdmin(FieldworkTagAdmin):
    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "group" in form.changed_data:
            outcome = insights_route(
                insight_ids=InsightTag.objects.filter(tag=obj).values_list("insight_id", flat=True),
                actor=request.user,
            )
            if outcome.changed:
                self.message_user(
                    request,
                    gettext(
                        "Insights re-routed: %(placed)d cards placed or put back, "
                        "%(removed)d taken off."
                    )
                    % {
                        "placed": len(outcome.placed) + len(outcome.restored),
                        "removed": len(outcome.removed),
                    },
                )
