"""GET /api/v1/studies/<id>/trends/: the study's trends across rounds (selectors/trends.py)."""

import uuid
from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import NamedChoiceField, error_responses
from studies.common.api.views import ApiView
from studies.common.errors import ConflictError
from studies.loop.selectors.trends import (
    SEGMENT_MAX_LENGTH,
    Change,
    TrendRow,
    not_comparable_message,
    study_trends,
)
from studies.scheduling import access
from studies.synthesis.api.serializers.shared import RoundRefOutputSerializer


class TrendsQueryInputSerializer(serializers.Serializer):
    segment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=SEGMENT_MAX_LENGTH,
        help_text=gettext_lazy(
            "Only households whose segment holds this pair, e.g. `region=north`; empty: all."
        ),
    )


class TrendRoundOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="round.pk")
    label = serializers.CharField(source="round.label")
    households_visited = serializers.IntegerField(
        source="visited",
        help_text=gettext_lazy(
            "Distinct households with a visit in progress or completed in the round (not "
            "erased, in the segment)."
        ),
    )


class TrendCellOutputSerializer(serializers.Serializer):
    round = serializers.UUIDField(source="round_id")
    households = serializers.IntegerField(
        help_text=gettext_lazy(
            "Households that showed it: a tag on an observation or a photo of their visit "
            "(each household once), an insight's evidence from their visit."
        )
    )
    share = serializers.FloatField(
        help_text=gettext_lazy("households ÷ households visited in the round, 0 to 1.")
    )
    change = NamedChoiceField(
        Change,
        enum_name="TrendChange",
        allow_null=True,
        help_text=gettext_lazy(
            "Against the visited round before: new (never seen before), growing or fading (a "
            "share at least ten percentage points higher or lower), steady, gone (no longer "
            "seen); null when it is not seen in this round and was not the round before."
        ),
    )


class TrendRowOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="subject.pk")
    label = serializers.CharField(help_text=gettext_lazy("The tag's name, or the statement."))
    cells = TrendCellOutputSerializer(many=True, help_text=gettext_lazy("One per round."))
    shipped = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "For an item gone in some round: insights (carrying the tag, or the insight "
            "itself) whose product card is in the Shipped column."
        )
    )

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_shipped(self, row: TrendRow) -> list[uuid.UUID]:
        return [insight.pk for insight in row.shipped]


class StudyTrendsOutputSerializer(serializers.Serializer):
    rounds = TrendRoundOutputSerializer(
        many=True, help_text=gettext_lazy("Rounds with households visited, oldest first.")
    )
    tags = TrendRowOutputSerializer(
        many=True, help_text=gettext_lazy("Tags shown in some round, most seen lately first.")
    )
    insights = TrendRowOutputSerializer(many=True)
    not_visited = RoundRefOutputSerializer(
        many=True,
        help_text=gettext_lazy("Rounds with no household visited (in the segment) yet."),
    )


class StudyTrendsApi(ApiView):
    @extend_schema(
        operation_id="studies_trends_retrieve",
        tags=["trends"],
        summary="How many households showed each tag and insight, round by round",
        description=gettext_lazy(
            "For every tag and insight of the study: the share of households visited that "
            "showed it in each round with visits, and how that changed from the round before "
            "(new, growing, fading, steady, gone). Any member of the study may read it. A "
            "study with fewer than two rounds with visits (in the segment) has no trend "
            "yet: 409."
        ),
        parameters=[TrendsQueryInputSerializer],
        responses={200: StudyTrendsOutputSerializer, **error_responses(400, 404, 409)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(user=request.user, study_id=study_id)
        query = TrendsQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        segment = query.validated_data["segment"].strip()
        trends = study_trends(study=study, segment=segment)
        if not trends.comparable:
            raise ConflictError({"study": [not_comparable_message(trends, segment)]})
        data: dict[str, Any] = {
            "rounds": trends.rounds,
            "tags": trends.tags,
            "insights": trends.insights,
            "not_visited": trends.not_visited,
        }
        return Response(StudyTrendsOutputSerializer(data).data)
