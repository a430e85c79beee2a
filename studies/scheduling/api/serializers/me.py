"""The signed-in user's availability and calendar feed."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField

# Dates outside these bounds are typing mistakes, and near the ends of the calendar the
# conversions between time zones would overflow.
from studies.scheduling.models import (
    Availability,
)


class AvailabilityInputSerializer(serializers.Serializer):
    weekday = NamedChoiceField(Availability.Weekday, help_text=_("0 is Monday, 6 is Sunday."))
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end_time"] <= attrs["start_time"]:
            raise serializers.ValidationError(
                {"end_time": [_("Availability must end after it starts.")]}
            )
        return attrs


class AvailabilityOutputSerializer(serializers.ModelSerializer):
    weekday = NamedChoiceField(Availability.Weekday, read_only=True)

    class Meta:
        model = Availability
        fields = ["weekday", "start_time", "end_time"]
        read_only_fields = fields


class CalendarFeedOutputSerializer(serializers.Serializer):
    url = serializers.URLField(
        read_only=True,
        help_text=_("Private iCalendar URL; anyone holding it sees your visits' pseudonyms."),
    )
