"""Loop health over the API: how long observations take to become decisions, per step."""

import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import NamedChoiceField, error_responses
from studies.common.api.views import ApiView
from studies.loop.selectors.health import LoopHealth, Step, Timing, loop_health
from studies.scheduling import access
from studies.scheduling.api.views.base import validated
from studies.scheduling.models import Round, Study

__all__ = ["StudyLoopHealthApi"]

_SECONDS_HELP = gettext_lazy("Whole seconds; null when the step has nothing to measure yet.")


class LoopHealthQueryInputSerializer(serializers.Serializer):
    round = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("One round of the study; leave out for every round."),
    )


class LoopHealthTimingOutputSerializer(serializers.Serializer):
    step = NamedChoiceField(Step, enum_name="LoopHealthStep")
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text=gettext_lazy("Observations (the first two steps) or cards measured.")
    )
    median_seconds = serializers.IntegerField(allow_null=True, help_text=_SECONDS_HELP)
    p90_seconds = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy(
            "90th percentile by nearest rank: the value at position ceil(0.9 · count) of the "
            "sorted durations. Whole seconds; null when there is nothing to measure."
        ),
    )


class LoopHealthRoundOutputSerializer(serializers.Serializer):
    round = serializers.UUIDField()
    label = serializers.CharField()
    timings = LoopHealthTimingOutputSerializer(many=True)


class LoopHealthOpenItemOutputSerializer(serializers.Serializer):
    insight = serializers.UUIDField()
    statement = serializers.CharField()
    waiting_for = serializers.CharField()
    board = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("The board's slug; null when on no board yet.")
    )
    column = serializers.CharField(help_text=gettext_lazy("Empty when on no board yet."))
    since = serializers.DateTimeField(
        help_text=gettext_lazy("In this column since; on no board: since the insight was made.")
    )
    age_seconds = serializers.IntegerField(
        help_text=gettext_lazy("Time since the insight's evidence was first captured.")
    )


class LoopHealthOutputSerializer(serializers.Serializer):
    round = serializers.UUIDField(allow_null=True, help_text=gettext_lazy("The round asked for."))
    timings = LoopHealthTimingOutputSerializer(
        many=True,
        help_text=gettext_lazy("The five steps in order; the last is observation to decision."),
    )
    by_round = LoopHealthRoundOutputSerializer(
        many=True,
        help_text=gettext_lazy("Every round with observations, oldest first, whatever `round`."),
    )
    slowest_open = LoopHealthOpenItemOutputSerializer(
        many=True, help_text=gettext_lazy("The ten oldest open items, oldest first.")
    )
    decided = serializers.IntegerField(help_text=gettext_lazy("Decided cards."))
    open = serializers.IntegerField(
        help_text=gettext_lazy("Insights on no board and cards waiting for a decision.")
    )


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def _timings(timings: list[Timing]) -> list[dict[str, Any]]:
    return [
        {
            "step": timing.step,
            "label": timing.label,
            "count": timing.count,
            "median_seconds": _seconds(timing.median),
            "p90_seconds": _seconds(timing.p90),
        }
        for timing in timings
    ]


def _as_data(health: LoopHealth, round_: Round | None) -> dict[str, Any]:
    return {
        "round": round_.pk if round_ else None,
        "timings": _timings(health.timings),
        "by_round": [
            {"round": row.round.pk, "label": row.round.label, "timings": _timings(row.timings)}
            for row in health.by_round
        ],
        "slowest_open": [
            {
                "insight": item.insight.pk,
                "statement": item.insight.statement,
                "waiting_for": item.waiting_for,
                "board": item.board.slug if item.board else None,
                "column": item.column,
                "since": item.since,
                "age_seconds": _seconds(item.age),
            }
            for item in health.slowest_open
        ],
        "decided": health.decided,
        "open": health.open,
    }


def round_of_study(study: Study, round_id: uuid.UUID | None) -> Round | None:
    """The round asked for; one of another study, or none, is the client's mistake (400)."""
    if round_id is None:
        return None
    round_ = Round.objects.filter(study=study, pk=round_id).first()
    if round_ is None:
        raise ValidationError({"round": [_("No such round in this study.")]})
    return round_


class StudyLoopHealthApi(ApiView):
    @extend_schema(
        operation_id="studies_loop_health_retrieve",
        tags=["loop"],
        summary="How long observations take to become decisions, step by step (any member)",
        description=(
            "Median and 90th percentile (nearest rank) of each step: captured → synced → in "
            "an insight → routed to a board → decided, and the headline, observation to "
            "decision, counted from the earliest capture of an insight's evidence. Decided: "
            "a product card's first move to Planned or Shipped; a marketing card's first move "
            "to Used in copy or first use of a quote backing it, whichever came first. With "
            "`round`, the steps and open items of that round (an insight belongs to the round "
            "it was first seen in); `by_round` is always every round."
        ),
        parameters=[LoopHealthQueryInputSerializer],
        responses={200: LoopHealthOutputSerializer, **error_responses(400, 404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(user=request.user, study_id=study_id)
        query = validated(LoopHealthQueryInputSerializer, request.query_params)
        round_ = round_of_study(study, query["round"])
        health = loop_health(study=study, round_=round_)
        return Response(LoopHealthOutputSerializer(_as_data(health, round_)).data)
