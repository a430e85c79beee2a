"""A study's routing rules for its research lead: those on its tags and group rules limited
to it she changes; group rules for every study she reads, and an administrator changes.
Every change can be previewed first: which insights of the study would move."""

import uuid
from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView
from studies.common.roles import Capability
from studies.scheduling import access
from studies.scheduling.api.views.base import validated
from studies.scheduling.models import Study
from studies.synthesis.api.serializers import study_rules as s
from studies.synthesis.api.serializers.rules import RoutingOutcomeOutputSerializer
from studies.synthesis.models import RoutingRule
from studies.synthesis.services import boards as services
from studies.synthesis.services.boards import RuleChangePreview
from studies.synthesis.services.routing import RoutingOutcome

__all__ = ["StudyRoutingPreviewApi", "StudyRoutingRuleDetailApi", "StudyRoutingRuleListApi"]

Change = s.RoutingRuleChange


def _study(request: Request, study_id: object) -> Study:
    return access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )


def _rule(study: Study, rule_id: object) -> RoutingRule:
    """A rule that applies to the study; any other is a 404, as for a missing one."""
    rule = services.study_routing_rule(study=study, rule_id=access.as_uuid(rule_id))
    if rule is None:
        raise Http404
    return rule


def _rendered(study: Study, rule: RoutingRule) -> dict[str, Any]:
    rule.editable = services.rule_scoped_to_study(rule, study)
    return s.StudyRoutingRuleOutputSerializer(rule).data


def _changed(study: Study, rule: RoutingRule, outcome: RoutingOutcome, code: int) -> Response:
    body = {
        "rule": _rendered(study, _rule(study, rule.pk)),
        "cards_placed": len(outcome.placed),
        "cards_restored": len(outcome.restored),
        "cards_removed": len(outcome.removed),
    }
    return Response(body, status=code)


def _preview_body(preview: RuleChangePreview) -> dict[str, Any]:
    def rows(pairs: list) -> list[dict[str, Any]]:
        return [{"insight": insight, "board": board} for insight, board in pairs]

    return s.StudyRoutingPreviewOutputSerializer(
        {"placed": rows(preview.placed), "removed": rows(preview.removed)}
    ).data


class StudyRoutingRuleListApi(ApiView):
    @extend_schema(
        operation_id="studies_routing_rules_list",
        tags=["routing rules"],
        summary="The routing rules that apply to a study (research lead)",
        description=(
            "Rules on the study's tags, tag-group rules limited to the study, and tag-group "
            "rules for every study (`editable` false: an administrator changes those)."
        ),
        responses={200: s.StudyRoutingRuleOutputSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = _study(request, study_id)
        return Response(
            [_rendered(study, rule) for rule in services.study_routing_rules(study=study)]
        )

    @extend_schema(
        operation_id="studies_routing_rules_create",
        tags=["routing rules"],
        summary="Add a rule for the study (research lead); matching insights are routed at once",
        description=(
            "A rule sends insights with one of the study's tags, or with any tag of a group "
            "(limited to this study), to a board. The same rule twice is a 409, and so is "
            "any change to a closed study."
        ),
        request=s.StudyRoutingRuleInputSerializer,
        responses={
            201: s.StudyRoutingRuleChangeOutputSerializer,
            **error_responses(400, 403, 404, 409),
        },
    )
    def post(self, request: Request, study_id: uuid.UUID) -> Response:
        study = _study(request, study_id)
        data = validated(s.StudyRoutingRuleInputSerializer, request.data)
        rule, outcome = services.study_rule_create(
            study=study,
            board_id=data["board"],
            tag_id=data["tag"],
            tag_group=data["tag_group"],
            actor=request.user,
        )
        return _changed(study, rule, outcome, status.HTTP_201_CREATED)


class StudyRoutingRuleDetailApi(ApiView):
    @extend_schema(
        operation_id="studies_routing_rules_partial_update",
        tags=["routing rules"],
        summary="Switch a study's rule on or off, or send it to another board (research lead)",
        description="A rule for every study is a 403: an administrator changes it.",
        request=s.StudyRoutingRuleUpdateInputSerializer,
        responses={
            200: s.StudyRoutingRuleChangeOutputSerializer,
            **error_responses(400, 403, 404, 409),
        },
    )
    def patch(self, request: Request, study_id: uuid.UUID, rule_id: uuid.UUID) -> Response:
        study = _study(request, study_id)
        rule = _rule(study, rule_id)
        data = validated(s.StudyRoutingRuleUpdateInputSerializer, request.data)
        rule, outcome = services.study_rule_update(
            study=study,
            rule=rule,
            active=data.get("active"),
            board_id=data.get("board"),
            actor=request.user,
        )
        return _changed(study, rule, outcome, status.HTTP_200_OK)

    @extend_schema(
        operation_id="studies_routing_rules_destroy",
        tags=["routing rules"],
        summary="Delete a study's rule (research lead); cards it alone placed are taken off",
        description="A rule for every study is a 403: an administrator changes it.",
        request=None,
        responses={200: RoutingOutcomeOutputSerializer, **error_responses(403, 404, 409)},
    )
    def delete(self, request: Request, study_id: uuid.UUID, rule_id: uuid.UUID) -> Response:
        study = _study(request, study_id)
        outcome = services.study_rule_delete(
            study=study, rule=_rule(study, rule_id), actor=request.user
        )
        return Response(
            {
                "cards_placed": len(outcome.placed),
                "cards_restored": len(outcome.restored),
                "cards_removed": len(outcome.removed),
            }
        )


class StudyRoutingPreviewApi(ApiView):
    @extend_schema(
        operation_id="studies_routing_rules_preview",
        tags=["routing rules"],
        summary="Preview a change to a study's rules: which insights would move (research lead)",
        description=(
            "Computed by the same code that routes, with nothing saved: the study's existing "
            "insights the change would put on a board, or take off one. The same refusals as "
            "making the change (400 for a bad rule, 403 for a rule of every study)."
        ),
        request=s.StudyRoutingPreviewInputSerializer,
        responses={
            200: s.StudyRoutingPreviewOutputSerializer,
            **error_responses(400, 403, 404, 409),
        },
    )
    def post(self, request: Request, study_id: uuid.UUID) -> Response:
        study = _study(request, study_id)
        data = validated(s.StudyRoutingPreviewInputSerializer, request.data)
        if data["change"] == Change.CREATE:
            preview = services.study_rule_preview_create(
                study=study, board_id=data["board"], tag_id=data["tag"], tag_group=data["tag_group"]
            )
        elif data["change"] == Change.UPDATE:
            preview = services.study_rule_preview_update(
                study=study,
                rule=_rule(study, data["rule"]),
                active=data["active"],
                board_id=data["board"],
            )
        else:
            preview = services.study_rule_preview_delete(
                study=study, rule=_rule(study, data["rule"])
            )
        return Response(_preview_body(preview))
