"""Rounds and their discussion guides."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Dates outside these bounds are typing mistakes, and near the ends of the calendar the
# conversions between time zones would overflow.
from studies.scheduling.api.serializers.shared import BoundedDateField
from studies.scheduling.models import (
    Round,
)


class GuideField(serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.CharField(),
            help_text=_("The discussion guide: questions in the order they are asked."),
            **kwargs,
        )


def _check_window(window_start: dt.date | None, window_end: dt.date | None) -> None:
    if window_start is not None and window_end is not None and window_end < window_start:
        raise serializers.ValidationError(
            {"window_end": [_("The window must not end before it starts.")]}
        )


class RoundInputSerializer(serializers.Serializer):
    study = serializers.UUIDField()
    label = serializers.CharField(max_length=32, help_text=_("For example 2027-Q1."))
    window_start = BoundedDateField()
    window_end = BoundedDateField()
    guide = GuideField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _check_window(attrs["window_start"], attrs["window_end"])
        return attrs


class RoundUpdateInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=32, required=False)
    window_start = BoundedDateField(required=False)
    window_end = BoundedDateField(required=False)
    guide = GuideField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        round_: Round = self.context["round"]
        _check_window(
            attrs.get("window_start", round_.window_start),
            attrs.get("window_end", round_.window_end),
        )
        return attrs


class RoundOutputSerializer(serializers.ModelSerializer):
    study = serializers.UUIDField(source="study_id", read_only=True)
    guide = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "study",
            "label",
            "window_start",
            "window_end",
            "planned_automatically",
            "guide",
            "created_at",
        ]
        read_only_fields = fields

    def get_guide(self, round_: Round) -> list[str]:
        # Read from the prefetched rows (round_list prefetches the guide as asked); a round
        # loaded without them reads its guide here.
        return [question.text for question in round_.guide.all() if question.position is not None]


class PlanningOutputSerializer(serializers.Serializer):
    round = RoundOutputSerializer(read_only=True)
    visits_proposed = serializers.IntegerField(read_only=True)
    unplaced_households = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Codes of households no researcher had a free slot for."),
    )
