"""Routing rules, for admins (staff): each change re-routes the insights it touches."""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.scheduling.access import as_uuid
from studies.scheduling.api.views.base import validated
from studies.synthesis.api import serializers as s
from studies.synthesis.models import RoutingRule
from studies.synthesis.services import boards as services
from studies.synthesis.services.routing import RoutingOutcome

__all__ = ["RoutingRuleDetailApi", "RoutingRuleListApi"]


def _rules() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("board", "tag", "study").order_by(
        "board__kind", "tag_group", "created_at", "pk"
    )


def _rule(rule_id: object) -> RoutingRule:
    rule = _rules().filter(pk=as_uuid(rule_id)).first()
    if rule is None:
        raise Http404
    return rule


def _counts(outcome: RoutingOutcome) -> dict[str, int]:
    return {
        "cards_placed": len(outcome.placed),
        "cards_restored": len(outcome.restored),
        "cards_removed": len(outcome.removed),
    }


def _changed(rule: RoutingRule, outcome: RoutingOutcome, code: int) -> Response:
    body = {"rule": _rule(rule.pk), **_counts(outcome)}
    return Response(s.RoutingRuleChangeOutputSerializer(body).data, status=code)


class RoutingRuleListApi(ListApiView):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = s.RoutingRuleOutputSerializer

    def get_queryset(self) -> Any:
        return _rules()

    @extend_schema(
        operation_id="routing_rules_list",
        tags=["routing rules"],
        summary="Routing rules (admins)",
        responses={200: s.RoutingRuleOutputSerializer(many=True), **error_responses(403)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="routing_rules_create",
        tags=["routing rules"],
        summary="Add a routing rule (admins); matching insights are routed at once",
        description="A rule matches one tag or one tag group (optionally in one study).",
        request=s.RoutingRuleInputSerializer,
        responses={201: s.RoutingRuleChangeOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.RoutingRuleInputSerializer, request.data)
        rule, outcome = services.routing_rule_create(
            board_id=data["board"],
            tag_id=data["tag"],
            tag_group=data["tag_group"],
            study_id=data["study"],
            active=data["active"],
            actor=request.user,
        )
        return _changed(rule, outcome, status.HTTP_201_CREATED)


class RoutingRuleDetailApi(ApiView):
    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        operation_id="routing_rules_retrieve",
        tags=["routing rules"],
        responses={200: s.RoutingRuleOutputSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, rule_id: uuid.UUID) -> Response:
        return Response(s.RoutingRuleOutputSerializer(_rule(rule_id)).data)

    @extend_schema(
        operation_id="routing_rules_partial_update",
        tags=["routing rules"],
        summary="Change a routing rule (admins); what it matched and matches is re-routed",
        request=s.RoutingRuleUpdateInputSerializer,
        responses={200: s.RoutingRuleChangeOutputSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, rule_id: uuid.UUID) -> Response:
        rule = _rule(rule_id)
        data = dict(validated(s.RoutingRuleUpdateInputSerializer, request.data))
        # A rule matches a tag or a group: naming one alone replaces the other. A tag
        # rule's study is the tag's own, which the service fills in when none is given.
        if data.get("tag"):
            data.setdefault("tag_group", "")
            data.setdefault("study", None)
        if data.get("tag_group"):
            data.setdefault("tag", None)
        rule, outcome = services.routing_rule_update(
            rule=rule,
            board_id=data.get("board", rule.board_id),
            tag_id=data.get("tag", rule.tag_id),
            tag_group=data.get("tag_group", rule.tag_group),
            study_id=data.get("study", rule.study_id),
            active=data.get("active", rule.active),
            actor=request.user,
        )
        return _changed(rule, outcome, status.HTTP_200_OK)

    @extend_schema(
        operation_id="routing_rules_destroy",
        tags=["routing rules"],
        summary="Delete a routing rule (admins); cards it alone placed are taken off",
        request=None,
        responses={200: s.RoutingOutcomeOutputSerializer, **error_responses(403, 404)},
    )
    def delete(self, request: Request, rule_id: uuid.UUID) -> Response:
        outcome = services.routing_rule_delete(rule=_rule(rule_id), actor=request.user)
        return Response(s.RoutingOutcomeOutputSerializer(_counts(outcome)).data)
