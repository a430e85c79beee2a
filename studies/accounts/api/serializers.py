"""API tokens as the API reads and writes them. The key appears in one answer only."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.accounts.models import ApiToken, ApiTokenStatus
from studies.common.api.schema import NamedChoiceField


class ApiTokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, such as “Zapier export”."),
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("When the token stops working; leave out or null for never."),
    )


class ApiTokenOutputSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(ApiTokenStatus, enum_name="ApiTokenStatus", read_only=True)
    prefix = serializers.CharField(
        read_only=True, help_text=_("The key's first characters, to tell tokens apart.")
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "status",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]
        read_only_fields = fields


class ApiTokenCreatedOutputSerializer(ApiTokenOutputSerializer):
    key = serializers.CharField(
        read_only=True,
        help_text=_(
            "Send it as `Authorization: Token <key>`. Shown in this answer only: "
            "it is not stored and cannot be shown again."
        ),
    )

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = [*ApiTokenOutputSerializer.Meta.fields, "key"]
        read_only_fields = fields
