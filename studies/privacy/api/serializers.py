"""Erasure requests and their records."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.privacy.models import Erasure


class ErasureInputSerializer(serializers.Serializer):
    confirm_code = serializers.CharField(
        max_length=32,
        help_text=_("The household's pseudonym code, typed again: erasure cannot be undone."),
    )
    requested_on = serializers.DateField(
        help_text=_("The day the household's request was received.")
    )
    reference = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("Where the request came from, e.g. a ticket number (no personal data)."),
    )


class ErasureOutputSerializer(serializers.ModelSerializer):
    household = serializers.UUIDField(source="household_id", read_only=True)
    removed = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Erasure
        fields = [
            "id",
            "household",
            "household_code",
            "requested_on",
            "reference",
            "performed_by_username",
            "removed",
            "created_at",
        ]
        read_only_fields = fields
