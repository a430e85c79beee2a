"""Browsing a study's observations for synthesis."""

from rest_framework import serializers

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

    class Meta:
        model = Observation
        fields = [
            "id",
            "kind",
            "text",
            "speaker",
            "household",
            "segment_phrase",
            "round",
            "author",
            "captured_at",
            "tags",
            "photos",
        ]
        read_only_fields = fields
