"""Outgoing webhooks and their delivery log. The signing secret is shown once, on create."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.synthesis.api.serializers.shared import BoardRefOutputSerializer
from studies.synthesis.models import DeliveryStatus, Webhook, WebhookDelivery

# Generous bounds on the request's shape; the service gives the precise limits and messages.
_NAME_MAX = 1000
_URL_MAX = 2000


class WebhookInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=_NAME_MAX, allow_blank=True)
    url = serializers.CharField(
        max_length=_URL_MAX, allow_blank=True, help_text=_("An http:// or https:// address.")
    )
    secret = serializers.CharField(
        max_length=_URL_MAX,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("Signs each delivery (HMAC-SHA256). Leave empty to have one generated."),
    )
    board = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Only this board's events; empty for every board."),
    )
    active = serializers.BooleanField(required=False, default=True)


class WebhookUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=_NAME_MAX, allow_blank=True, required=False)
    url = serializers.CharField(max_length=_URL_MAX, allow_blank=True, required=False)
    board = serializers.UUIDField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class WebhookOutputSerializer(serializers.ModelSerializer):
    board = BoardRefOutputSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Webhook
        fields = ["id", "name", "url", "board", "active", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookCreatedOutputSerializer(WebhookOutputSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=_("The signing secret. Shown this once: keep it where the receiver can use it."),
    )

    class Meta(WebhookOutputSerializer.Meta):
        fields = [*WebhookOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookDeliveryOutputSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(DeliveryStatus, read_only=True)
    payload = serializers.JSONField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "payload",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields
