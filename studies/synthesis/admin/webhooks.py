"""Webhooks, written through their services (so a URL is checked, its destination too), and
the read-only delivery log."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from studies.common.admin import ReadOnlyAdmin
from studies.synthesis.admin.common import AUDIT_FIELDS, adopt
from studies.synthesis.models import DeliveryStatus, Webhook, WebhookDelivery
from studies.synthesis.services import webhooks


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
                # The same check as the API's, the destination included. Until the form is
                # saved the instance holds the stored URL, which is not looked up again.
                webhooks.webhook_validate(
                    name=data["name"],
                    url=data["url"],
                    board_id=board.pk if board else None,
                    stored_url=None if self.instance._state.adding else self.instance.url,
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
        adopt(obj, webhook)
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
