"""Studies, their teams, enrolment and planning."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.common.models import validate_time_zone
from studies.common.roles import Role

# Dates outside these bounds are typing mistakes, and near the ends of the calendar the
# conversions between time zones would overflow.
from studies.scheduling.api.serializers.shared import (
    HouseholdRefOutputSerializer,
    TeamMemberOutputSerializer,
)
from studies.scheduling.models import (
    Cadence,
    Enrolment,
    Study,
    StudyStatus,
)

WORKDAY_START: dt.time = Study._meta.get_field("workday_start").default
WORKDAY_END: dt.time = Study._meta.get_field("workday_end").default


class StudyInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    why = serializers.CharField(help_text=_("The question this study exists to answer."))
    questions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("Research questions, in order.")
    )
    cadence = NamedChoiceField(Cadence, required=False)
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_time_zone],
        help_text=_("An IANA zone such as Europe/London."),
    )
    status = NamedChoiceField(StudyStatus, required=False)
    planning_lead_days = serializers.IntegerField(min_value=0, max_value=180, required=False)
    visit_minutes = serializers.IntegerField(min_value=15, max_value=480, required=False)
    travel_minutes = serializers.IntegerField(min_value=0, max_value=240, required=False)
    workday_start = serializers.TimeField(required=False)
    workday_end = serializers.TimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # On PATCH the other end of the working day is the study's current one.
        study: Study | None = self.context.get("study")
        start = attrs.get("workday_start", study.workday_start if study else WORKDAY_START)
        end = attrs.get("workday_end", study.workday_end if study else WORKDAY_END)
        if end <= start:
            raise serializers.ValidationError(
                {"workday_end": [_("The working day must end after it starts.")]}
            )
        return attrs


class StudyOutputSerializer(serializers.ModelSerializer):
    questions = serializers.SerializerMethodField()
    cadence = NamedChoiceField(Cadence, read_only=True)
    status = NamedChoiceField(StudyStatus, read_only=True)
    my_role = NamedChoiceField(Role, read_only=True, help_text=_("Your own role in this study."))
    team = TeamMemberOutputSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Study
        fields = [
            "id",
            "title",
            "why",
            "questions",
            "cadence",
            "time_zone",
            "status",
            "planning_lead_days",
            "visit_minutes",
            "travel_minutes",
            "workday_start",
            "workday_end",
            "my_role",
            "team",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_questions(self, study: Study) -> list[str]:
        return [question.text for question in study.questions.all()]


class MemberInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = NamedChoiceField(Role)


class EnrolmentInputSerializer(serializers.Serializer):
    household = serializers.UUIDField()


class EnrolmentOutputSerializer(serializers.ModelSerializer):
    study = serializers.UUIDField(source="study_id", read_only=True)
    household = HouseholdRefOutputSerializer(read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "study", "household", "left_at", "created_at"]
        read_only_fields = fields
