"""Browsing a study's observations for synthesis."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.references import AnsweredQuestionOutputSerializer
from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.models import Observation, ObservationKind
from studies.scheduling.api.serializers.shared import HouseholdRefOutputSerializer
from studies.synthesis.api.serializers.shared import (
    PhotoRefOutputSerializer,
    RoundRefOutputSerializer,
    TagChipOutputSerializer,
    username_field,
)


class BrowsedObservationOutputSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(ObservationKind, read_only=True)
    household = HouseholdRefOutputSerializer(source="visit.household", read_only=True)
    segment_phrase = serializers.CharField(source="visit.household.segment_phrase", read_only=True)
    round = RoundRefOutputSerializer(source="visit.round", read_only=True)
    author = username_field("author")
    tags = TagChipOutputSerializer(many=True, read_only=True)
    photos = PhotoRefOutputSerializer(many=True, read_only=True)
    question = serializers.SerializerMethodField(
        help_text=_("For an answer: the guide question, in the words it was asked; else null.")
    )

    class Meta:
        model = Observation
        fields = [
            "id",
            "kind",
            "text",
            "speaker",
            "question",
            "household",
            "segment_phrase",
            "round",
            "author",
            "captured_at",
            "tags",
            "photos",
        ]
        read_only_fields = fields

    @extend_schema_field(AnsweredQuestionOutputSerializer(allow_null=True))
    def get_question(self, observation: Observation) -> dict[str, Any] | None:
        if not observation.question:
            return None
        return AnsweredQuestionOutputSerializer(observation).data
