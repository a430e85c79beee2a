"""Visits: listing, booking, moving and status."""

import zoneinfo
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField

# Dates outside these bounds are typing mistakes, and near the ends of the calendar the
# conversions between time zones would overflow.
from studies.scheduling.api.serializers.shared import (
    AwareDateTimeField,
    HouseholdRefOutputSerializer,
)
from studies.scheduling.models import (
    Visit,
    VisitChange,
    VisitStatus,
)


class VisitInputSerializer(serializers.Serializer):
    round = serializers.UUIDField()
    household = serializers.UUIDField()
    researcher = serializers.CharField(max_length=150, help_text=_("A username."))
    scheduled_start = AwareDateTimeField()
    scheduled_end = AwareDateTimeField()


class VisitRescheduleInputSerializer(serializers.Serializer):
    scheduled_start = AwareDateTimeField(required=False)
    scheduled_end = AwareDateTimeField(
        required=False, help_text=_("Defaults to the new start plus the visit's length.")
    )
    researcher = serializers.CharField(
        max_length=150, required=False, help_text=_("Username of the researcher to hand it to.")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"scheduled_start", "scheduled_end", "researcher"} & attrs.keys():
            raise serializers.ValidationError(
                _("Give a new scheduled_start, scheduled_end or researcher.")
            )
        return attrs


class VisitTransitionInputSerializer(serializers.Serializer):
    status = NamedChoiceField(VisitStatus)


class LocalTimesMixin:
    """Times rendered at the study's UTC offset, so 09:00 in the study reads as 09:00."""

    def to_representation(self, instance: Visit) -> Any:
        with timezone.override(zoneinfo.ZoneInfo(instance.round.study.time_zone)):
            return super().to_representation(instance)  # type: ignore[misc]


# What every rendering of a visit says about its study, round, status and times. (No
# docstring: the schema describes these serializers with LocalTimesMixin's.)
class VisitFieldsOutputMixin(LocalTimesMixin, serializers.Serializer):
    study = serializers.UUIDField(source="round.study_id", read_only=True)
    time_zone = serializers.CharField(
        source="round.study.time_zone",
        read_only=True,
        help_text=_("The study's time zone; times below carry its UTC offset."),
    )
    round = serializers.UUIDField(source="round_id", read_only=True)
    round_label = serializers.CharField(source="round.label", read_only=True)
    status = NamedChoiceField(VisitStatus, read_only=True)


class VisitOutputSerializer(VisitFieldsOutputMixin, serializers.ModelSerializer):
    household = HouseholdRefOutputSerializer(read_only=True)
    researcher = serializers.CharField(source="researcher.username", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "study",
            "time_zone",
            "round",
            "round_label",
            "household",
            "researcher",
            "scheduled_start",
            "scheduled_end",
            "status",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class UsernameOutputField(serializers.Field):
    """A user as their username, or null once the account is gone."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return value.username


class VisitChangeOutputSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(VisitChange.Kind, enum_name="VisitChangeKind", read_only=True)
    actor = UsernameOutputField()
    from_researcher = UsernameOutputField()
    to_researcher = UsernameOutputField()

    class Meta:
        model = VisitChange
        fields = [
            "kind",
            "created_at",
            "actor",
            "from_status",
            "to_status",
            "from_start",
            "from_end",
            "to_start",
            "to_end",
            "from_researcher",
            "to_researcher",
            "note",
        ]
        read_only_fields = fields


class VisitDetailOutputSerializer(VisitOutputSerializer):
    history = VisitChangeOutputSerializer(source="changes", many=True, read_only=True)

    class Meta(VisitOutputSerializer.Meta):
        fields = [*VisitOutputSerializer.Meta.fields, "history"]
        read_only_fields = fields
