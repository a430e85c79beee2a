"""Boards, the cards on them, and moving a card between columns."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.synthesis.api.serializers.insights import InsightOutputSerializer
from studies.synthesis.api.serializers.shared import RoundRefOutputSerializer, username_field
from studies.synthesis.models import DECISION_COLUMNS, Board, BoardCard, BoardKind, Column


class BoardColumnOutputSerializer(serializers.Serializer):
    column = NamedChoiceField(Column)
    label = serializers.CharField()
    decision = serializers.BooleanField(
        help_text=_("Moving a card here is a decision (time to decision is measured).")
    )


class BoardOutputSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(BoardKind, read_only=True)
    columns = serializers.SerializerMethodField(help_text=_("In the order they are shown."))

    class Meta:
        model = Board
        fields = ["id", "slug", "name", "kind", "columns"]
        read_only_fields = fields

    @extend_schema_field(BoardColumnOutputSerializer(many=True))
    def get_columns(self, board: Board) -> list[dict[str, Any]]:
        return [
            {
                "column": column,
                "label": str(Column(column).label),
                "decision": column in DECISION_COLUMNS,
            }
            for column in board.columns
        ]


class PressureSummaryOutputSerializer(serializers.Serializer):
    score = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        allow_null=True,
        help_text=_("The mean of the team scores, 1–5; null until someone scores."),
    )
    teams_scored = serializers.IntegerField()
    complete = serializers.BooleanField(
        source="is_complete", help_text=_("At least two different teams have scored.")
    )


class BoardCardOutputSerializer(serializers.ModelSerializer):
    board = serializers.UUIDField(source="board_id", read_only=True)
    column = NamedChoiceField(Column, read_only=True)
    moved_by = username_field("moved_by")
    insight = InsightOutputSerializer(read_only=True)
    rounds = serializers.SerializerMethodField(
        help_text=_("The rounds whose evidence backs the insight, oldest first.")
    )
    pressure_test = serializers.SerializerMethodField(
        help_text=_("The insight's pressure test, null if it was never put up for one.")
    )

    class Meta:
        model = BoardCard
        fields = [
            "id",
            "board",
            "column",
            "moved_at",
            "moved_by",
            "insight",
            "rounds",
            "pressure_test",
        ]
        read_only_fields = fields

    @extend_schema_field(PressureSummaryOutputSerializer(allow_null=True))
    def get_pressure_test(self, card: BoardCard) -> dict[str, Any] | None:
        # Joined by selectors.board_cards: no query, and none for a card never put up.
        test = getattr(card.insight, "pressure_test", None)
        return None if test is None else PressureSummaryOutputSerializer(test).data

    @extend_schema_field(RoundRefOutputSerializer(many=True))
    def get_rounds(self, card: BoardCard) -> list[dict[str, Any]]:
        # selectors.rounds_backing for the whole page, handed in by the view.
        rounds = self.context["rounds"].get(card.insight_id, [])
        return RoundRefOutputSerializer(rounds, many=True).data


class CardMoveInputSerializer(serializers.Serializer):
    column = serializers.CharField(
        max_length=32, help_text=_("One of the columns of the card's board.")
    )
    note = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("Why; kept in the card's history."),
    )
