"""Insights: list, create, read with everything behind them, edit, evidence, comments."""

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.common.models import User
from studies.common.roles import Capability
from studies.scheduling import access
from studies.scheduling.api.views.base import referenced, validated
from studies.synthesis import selectors
from studies.synthesis.access import insight_get_for_user
from studies.synthesis.api import filters
from studies.synthesis.api import serializers as s
from studies.synthesis.models import BoardCard, Insight
from studies.synthesis.services import insights as services

__all__ = [
    "InsightCommentListApi",
    "InsightDetailApi",
    "InsightEvidenceAddApi",
    "InsightEvidenceRemoveApi",
    "InsightListApi",
]


def insight_detail(*, user: User, insight: Insight) -> Insight:
    """The insight with what its page shows: evidence, rounds, boards, comments, quote uses."""
    detailed = selectors.insight_list(user=user).select_related("created_by").get(pk=insight.pk)
    evidence = list(selectors.insight_evidence(insight=detailed))
    detailed.evidence_rows = evidence
    detailed.backing_rounds = selectors.rounds_backing(insight_ids=[detailed.pk]).get(
        detailed.pk, []
    )
    detailed.live_cards = [
        card for card in selectors.insight_cards(insight=detailed) if card.removed_at is None
    ]
    decisions = selectors.card_decisions(
        BoardCard.objects.filter(pk__in=[card.pk for card in detailed.live_cards])
    )
    for card in detailed.live_cards:
        card.decision = decisions[card.pk]
    detailed.comment_rows = list(selectors.insight_comments(insight=detailed))
    detailed.quote_uses = sorted(
        (use for row in evidence if row.observation for use in row.observation.uses.all()),
        key=lambda use: (use.used_on, use.created_at),
        reverse=True,
    )
    return detailed


def _detail_response(
    request: Request, insight: Insight, code: int = status.HTTP_200_OK
) -> Response:
    detailed = insight_detail(user=request.user, insight=insight)
    return Response(s.InsightDetailOutputSerializer(detailed).data, status=code)


class InsightListApi(ListApiView):
    serializer_class = s.InsightOutputSerializer

    def get_queryset(self) -> Any:
        query = filters.insight_filters(self.request.query_params)
        insights = selectors.insight_list(user=self.request.user, text=query["text"])
        if query["study"]:
            insights = insights.filter(study_id=query["study"])
        return insights

    @extend_schema(
        operation_id="insights_list",
        tags=["insights"],
        summary="Insights of your studies, most recently changed first",
        parameters=[filters.InsightQueryInputSerializer],
        responses={200: s.InsightOutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="insights_create",
        tags=["insights"],
        summary="Make an insight from observations and photos (research lead, researcher)",
        description=(
            "Evidence may come from any household and round of the study, never from "
            "another study. The tags route the insight to boards at once."
        ),
        request=s.InsightCreateInputSerializer,
        responses={201: s.InsightDetailOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.InsightCreateInputSerializer, request.data)
        study = referenced(
            "study",
            access.study_get_for_user,
            user=request.user,
            study_id=data["study"],
            capability=Capability.SYNTHESISE,
        )
        insight = services.insight_create(
            study=study,
            actor=request.user,
            statement=data["statement"],
            description=data["description"],
            observation_ids=data["observations"],
            photo_ids=data["photos"],
            tag_ids=data["tags"],
            research_question_id=data["research_question"],
        )
        return _detail_response(request, insight, status.HTTP_201_CREATED)


class InsightDetailApi(ApiView):
    @extend_schema(
        operation_id="insights_retrieve",
        tags=["insights"],
        summary="An insight with its evidence, rounds, boards and decisions, comments and uses",
        responses={200: s.InsightDetailOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight = insight_get_for_user(user=request.user, insight_id=insight_id)
        return _detail_response(request, insight)

    @extend_schema(
        operation_id="insights_partial_update",
        tags=["insights"],
        summary="Change an insight (research lead, researcher)",
        description="`tags`, when given, replaces the tags and routes the insight again.",
        request=s.InsightUpdateInputSerializer,
        responses={200: s.InsightDetailOutputSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight = insight_get_for_user(
            user=request.user, insight_id=insight_id, capability=Capability.SYNTHESISE
        )
        data = validated(s.InsightUpdateInputSerializer, request.data)
        changes: dict[str, Any] = {
            "statement": data.get("statement"),
            "description": data.get("description"),
            "tag_ids": data.get("tags"),
        }
        if "research_question" in data:
            changes["research_question_id"] = data["research_question"]
        services.insight_update(insight=insight, actor=request.user, **changes)
        return _detail_response(request, insight)


class InsightEvidenceAddApi(ApiView):
    @extend_schema(
        operation_id="insights_evidence_add",
        tags=["insights"],
        summary="Add observations or photos as evidence (research lead, researcher)",
        description="Evidence already there is left as it is. Only the insight's study counts.",
        request=s.EvidenceAddInputSerializer,
        responses={200: s.InsightDetailOutputSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight = insight_get_for_user(
            user=request.user, insight_id=insight_id, capability=Capability.SYNTHESISE
        )
        data = validated(s.EvidenceAddInputSerializer, request.data)
        services.insight_evidence_add(
            insight=insight,
            actor=request.user,
            observation_ids=data["observations"],
            photo_ids=data["photos"],
        )
        return _detail_response(request, insight)


class InsightEvidenceRemoveApi(ApiView):
    @extend_schema(
        operation_id="insights_evidence_remove",
        tags=["insights"],
        summary="Remove evidence (research lead, researcher); the last piece stays (409)",
        request=s.EvidenceRemoveInputSerializer,
        responses={200: s.InsightDetailOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight = insight_get_for_user(
            user=request.user, insight_id=insight_id, capability=Capability.SYNTHESISE
        )
        data = validated(s.EvidenceRemoveInputSerializer, request.data)
        services.insight_evidence_remove(
            insight=insight, actor=request.user, evidence_ids=data["evidence"]
        )
        return _detail_response(request, insight)


class InsightCommentListApi(ApiView):
    @extend_schema(
        operation_id="insights_comments_list",
        tags=["insights"],
        summary="Comments on an insight, oldest first",
        responses={200: s.CommentOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight = insight_get_for_user(user=request.user, insight_id=insight_id)
        comments = selectors.insight_comments(insight=insight)
        return Response(s.CommentOutputSerializer(comments, many=True).data)

    @extend_schema(
        operation_id="insights_comments_create",
        tags=["insights"],
        summary="Comment on an insight (anyone on the study's team)",
        request=s.CommentInputSerializer,
        responses={201: s.CommentOutputSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight = insight_get_for_user(
            user=request.user, insight_id=insight_id, capability=Capability.COMMENT
        )
        data = validated(s.CommentInputSerializer, request.data)
        comment = services.comment_create(insight=insight, author=request.user, text=data["text"])
        return Response(s.CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)
