"""Pressure tests of insights: read one, put an insight up, score it, change one's scores."""

import re
import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import NamedChoiceField, error_responses
from studies.common.api.views import ApiView
from studies.common.models import User
from studies.common.roles import Capability
from studies.loop import access
from studies.loop.models import SCORE_MAX, SCORE_MIN, PressureReview, PressureTest, ReviewTeam
from studies.loop.selectors.pressure import PressureTestDetail, pressure_test_detail
from studies.loop.services import pressure as services
from studies.scheduling.api.views.base import validated
from studies.synthesis.access import insight_get_for_user

__all__ = ["InsightPressureTestApi", "PressureReviewCreateApi", "PressureReviewMineApi"]

_SIGNAL_HELP = {
    "importance": _("Importance to customers, %(min)d (weak) to %(max)d (strong)."),
    "differentiation": _("Differentiation from competitors, %(min)d (weak) to %(max)d (strong)."),
    "feasibility": _("Feasibility, %(min)d (hard) to %(max)d (easy)."),
}
_AGGREGATION = (
    "Per team, each signal is averaged over the team's reviewers and the team's score is the "
    "mean of its three signal means; the test's score is the mean of the team scores, so a "
    "team weighs the same however many reviewers it has. The test is complete once at least "
    "two different teams have scored it. Evidence strength is derived, not scored: household "
    "points (1 → 1, 2–3 → 2, 4+ → 3) plus round points (1 → 0, 2 → 1, 3+ → 2)."
)


# --- Input -------------------------------------------------------------------------------


class ScoreField(serializers.IntegerField):
    """A whole number on the scale. Stricter than IntegerField: 3.0, 3.5, "3.0" and true
    are refused rather than read as 3 or 1."""

    _WHOLE = re.compile(r"^\s*-?\d{1,6}\s*$")

    def __init__(self, signal: str, **kwargs: Any) -> None:
        message = services.score_message()
        super().__init__(
            min_value=SCORE_MIN,
            max_value=SCORE_MAX,
            help_text=str(_SIGNAL_HELP[signal]) % {"min": SCORE_MIN, "max": SCORE_MAX},
            error_messages=dict.fromkeys(
                ("invalid", "min_value", "max_value", "null", "required"), message
            ),
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and self._WHOLE.match(data))
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


def _comment_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=services.COMMENT_MAX,
        allow_blank=True,
        help_text=_("Why these scores: what would change them."),
        **kwargs,
    )


class PressureReviewInputSerializer(serializers.Serializer):
    importance = ScoreField("importance")
    differentiation = ScoreField("differentiation")
    feasibility = ScoreField("feasibility")
    comment = _comment_field(required=False, default="")


class PressureReviewChangeInputSerializer(serializers.Serializer):
    importance = ScoreField("importance", required=False)
    differentiation = ScoreField("differentiation", required=False)
    feasibility = ScoreField("feasibility", required=False)
    comment = _comment_field(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(_("Give at least one score or a comment to change."))
        return attrs


# --- Output ------------------------------------------------------------------------------


class EvidenceStrengthOutputSerializer(serializers.Serializer):
    households = serializers.IntegerField()
    rounds = serializers.IntegerField()
    strength = serializers.IntegerField(
        help_text=_(
            "Derived, 1–5: household points (1 → 1, 2–3 → 2, 4+ → 3) plus round "
            "points (1 → 0, 2 → 1, 3+ → 2); 0 without evidence."
        )
    )


class PressureTeamOutputSerializer(serializers.Serializer):
    team = NamedChoiceField(ReviewTeam)
    label = serializers.CharField()
    reviewers = serializers.SerializerMethodField()
    importance = serializers.DecimalField(max_digits=3, decimal_places=2)
    differentiation = serializers.DecimalField(max_digits=3, decimal_places=2)
    feasibility = serializers.DecimalField(max_digits=3, decimal_places=2)
    score = serializers.DecimalField(
        max_digits=3, decimal_places=2, help_text=_("The mean of the team's three signal means.")
    )

    def get_reviewers(self, team: Any) -> list[str]:
        return [review.reviewer.username for review in team.reviews]


class PressureReviewOutputSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    team = NamedChoiceField(ReviewTeam, read_only=True)

    class Meta:
        model = PressureReview
        fields = [
            "id",
            "reviewer",
            "team",
            "importance",
            "differentiation",
            "feasibility",
            "comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PressureTestOutputSerializer(serializers.Serializer):
    insight = serializers.UUIDField(source="test.insight_id")
    opened_by = serializers.CharField(
        source="test.opened_by.username", allow_null=True, default=None
    )
    opened_at = serializers.DateTimeField(source="test.created_at")
    score = serializers.DecimalField(
        source="test.score",
        max_digits=3,
        decimal_places=2,
        allow_null=True,
        help_text=_("The mean of the team scores; null until someone scores."),
    )
    teams_scored = serializers.IntegerField(source="test.teams_scored")
    complete = serializers.BooleanField(
        source="test.is_complete", help_text=_("At least two different teams have scored.")
    )
    completed_at = serializers.DateTimeField(
        source="test.completed_at",
        allow_null=True,
        help_text=_("When the second team first scored."),
    )
    evidence = EvidenceStrengthOutputSerializer()
    teams = PressureTeamOutputSerializer(many=True)
    reviews = PressureReviewOutputSerializer(many=True)


def _response(test: PressureTest, code: int = status.HTTP_200_OK) -> Response:
    detail: PressureTestDetail = pressure_test_detail(test=test)
    return Response(PressureTestOutputSerializer(detail).data, status=code)


def _test_for(user: User, insight_id: uuid.UUID, capability: str) -> PressureTest:
    try:
        return access.pressure_test_get_for_user(
            user=user, insight_id=insight_id, capability=capability
        )
    except access.NotPutUp:
        raise NotFound(access.not_put_up_message()) from None


# --- Views -------------------------------------------------------------------------------


class InsightPressureTestApi(ApiView):
    @extend_schema(
        operation_id="insights_pressure_test_retrieve",
        tags=["pressure tests"],
        summary="An insight's pressure test: score, completeness, teams, reviews, evidence",
        description=_AGGREGATION + " An insight not put up for a test is a 404.",
        responses={200: PressureTestOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, insight_id: uuid.UUID) -> Response:
        return _response(_test_for(request.user, insight_id, Capability.VIEW_STUDY))

    @extend_schema(
        operation_id="insights_pressure_test_create",
        tags=["pressure tests"],
        summary="Put an insight up for a pressure test (research lead, researcher, product, "
        "marketing)",
        description="An insight is put up once: a second time is a 409.",
        request=None,
        responses={201: PressureTestOutputSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, insight_id: uuid.UUID) -> Response:
        insight = insight_get_for_user(
            user=request.user, insight_id=insight_id, capability=Capability.OPEN_PRESSURE_TEST
        )
        test = services.pressure_test_open(insight=insight, actor=request.user)
        test.insight = insight
        return _response(test, status.HTTP_201_CREATED)


class PressureReviewCreateApi(ApiView):
    @extend_schema(
        operation_id="insights_pressure_test_reviews_create",
        tags=["pressure tests"],
        summary="Score an insight for your team (product, marketing, sales)",
        description=(
            "You score for the team of your role in the insight's study. One review per "
            "reviewer: a second one is a 409; change your scores with PATCH …/reviews/mine/. "
            + _AGGREGATION
        ),
        request=PressureReviewInputSerializer,
        responses={201: PressureTestOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, insight_id: uuid.UUID) -> Response:
        test = _test_for(request.user, insight_id, Capability.REVIEW_PRESSURE_TEST)
        data = validated(PressureReviewInputSerializer, request.data)
        services.pressure_review_submit(test=test, reviewer=request.user, **data)
        return _response(test, status.HTTP_201_CREATED)


class PressureReviewMineApi(ApiView):
    @extend_schema(
        operation_id="insights_pressure_test_reviews_mine_partial_update",
        tags=["pressure tests"],
        summary="Change your own scores or comment (product, marketing, sales)",
        description="What is given changes; the rest stays. Without a review yet: a 409.",
        request=PressureReviewChangeInputSerializer,
        responses={200: PressureTestOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: Request, insight_id: uuid.UUID) -> Response:
        test = _test_for(request.user, insight_id, Capability.REVIEW_PRESSURE_TEST)
        data = validated(PressureReviewChangeInputSerializer, request.data)
        services.pressure_review_update(test=test, reviewer=request.user, **data)
        return _response(test)
