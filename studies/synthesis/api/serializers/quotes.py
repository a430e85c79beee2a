"""The marketing quote bank: verbatim quotes with attribution, and where they were used."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.fieldwork.models import Observation
from studies.scheduling.api.serializers.shared import BoundedDateField
from studies.synthesis import selectors
from studies.synthesis.api.serializers.shared import (
    StudyRefOutputSerializer,
    TagChipOutputSerializer,
)
from studies.synthesis.models import QuoteUse


class QuoteInsightOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    statement = serializers.CharField()


class QuoteBankUseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteUse
        fields = ["id", "campaign", "link", "used_on"]
        read_only_fields = fields


class QuoteOutputSerializer(serializers.ModelSerializer):
    attribution = serializers.SerializerMethodField(
        help_text=_("Pseudonym and segment phrase, e.g. “H-014, parent of three, suburban”.")
    )
    household_code = serializers.CharField(source="visit.household.code", read_only=True)
    segment_phrase = serializers.CharField(source="visit.household.segment_phrase", read_only=True)
    study = StudyRefOutputSerializer(source="visit.round.study", read_only=True)
    round_label = serializers.CharField(source="visit.round.label", read_only=True)
    tags = TagChipOutputSerializer(many=True, read_only=True)
    insights = serializers.SerializerMethodField(
        help_text=_("The insights this quote is evidence of.")
    )
    uses = QuoteBankUseOutputSerializer(many=True, read_only=True, help_text=_("Latest first."))

    class Meta:
        model = Observation
        fields = [
            "id",
            "text",
            "speaker",
            "attribution",
            "household_code",
            "segment_phrase",
            "study",
            "round_label",
            "captured_at",
            "tags",
            "insights",
            "uses",
        ]
        read_only_fields = fields

    def get_attribution(self, quote: Observation) -> str:
        return selectors.attribution(quote.visit.household)

    @extend_schema_field(QuoteInsightOutputSerializer(many=True))
    def get_insights(self, quote: Observation) -> list[dict[str, Any]]:
        # Evidence rows come prefetched with their insight (selectors.quote_bank_page).
        insights = sorted(
            (evidence.insight for evidence in quote.evidence.all()),
            key=lambda insight: (insight.statement.lower(), insight.pk),
        )
        return QuoteInsightOutputSerializer(insights, many=True).data


class QuoteUseInputSerializer(serializers.Serializer):
    campaign = serializers.CharField(
        max_length=200, allow_blank=True, help_text=_("The campaign or piece of copy.")
    )
    link = serializers.CharField(
        max_length=500, allow_blank=True, required=False, default="", help_text=_("http(s) URL")
    )
    used_on = BoundedDateField(required=False, allow_null=True, default=None)
