"""Query-string filters of the synthesis lists, read into the selectors' filter objects.

A malformed value (an id that is not a UUID, an unknown kind) is a 400 naming it. Ids
the user cannot see simply match nothing: the selectors only look inside their studies.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.models import ObservationKind
from studies.synthesis.models import Column
from studies.synthesis.selectors import BoardFilters, BoardSort, ObservationFilters, QuoteFilters

_TEXT = {"max_length": 200, "required": False, "allow_blank": True, "default": ""}
_SEGMENT_HELP = _(
    "`key=value` matches that pair of the household's segment; other text matches its "
    "segment phrase, e.g. `suburban`."
)


def _read(serializer_class: type[serializers.Serializer], query: Any) -> dict[str, Any]:
    serializer = serializer_class(data=query)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ObservationBrowseQueryInputSerializer(serializers.Serializer):
    round = serializers.UUIDField(required=False, allow_null=True, default=None)
    household = serializers.UUIDField(required=False, allow_null=True, default=None)
    segment = serializers.CharField(**_TEXT, help_text=_SEGMENT_HELP)
    tag = serializers.UUIDField(required=False, allow_null=True, default=None)
    # No default: OpenAPI would document "" as the default of an enum that does not have it.
    # Left out, every kind; given, one of them ("" is refused as before).
    kind = NamedChoiceField(ObservationKind, required=False)
    text = serializers.CharField(**_TEXT, help_text=_("Words the observation contains."))
    question = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "A guide question's key: the answers to that question in every round of the study."
        ),
    )


def observation_filters(query: Any) -> ObservationFilters:
    data = _read(ObservationBrowseQueryInputSerializer, query)
    return ObservationFilters(
        round_id=data["round"],
        household_id=data["household"],
        segment=data["segment"],
        tag_id=data["tag"],
        kind=data.get("kind", ""),
        text=data["text"],
        question_key=data["question"],
    )


class InsightQueryInputSerializer(serializers.Serializer):
    study = serializers.UUIDField(required=False, allow_null=True, default=None)
    text = serializers.CharField(
        **_TEXT, help_text=_("Words the statement or description contains.")
    )


def insight_filters(query: Any) -> dict[str, Any]:
    return _read(InsightQueryInputSerializer, query)


class BoardCardQueryInputSerializer(serializers.Serializer):
    study = serializers.UUIDField(required=False, allow_null=True, default=None)
    round = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Cards with evidence from this round."),
    )
    tag = serializers.UUIDField(required=False, allow_null=True, default=None)
    segment = serializers.CharField(**_TEXT, help_text=_SEGMENT_HELP)
    # No default, like the browse query's kind: left out, every column.
    column = NamedChoiceField(Column, required=False, help_text=_("One of the board's columns."))
    sort = NamedChoiceField(
        BoardSort,
        required=False,
        default=BoardSort.MOVED,
        help_text=_(
            "`moved` (default): most recently moved first. `pressure`: highest pressure-test "
            "score first, a complete test before an incomplete one at an equal score, cards "
            "never scored last."
        ),
    )

    def validate_column(self, column: str) -> str:
        board = self.context["board"]
        if column and column not in board.columns:
            raise serializers.ValidationError(
                _("“%(column)s” is not a column of %(board)s. Choose one of: %(choices)s.")
                % {"column": column, "board": board.name, "choices": ", ".join(board.columns)}
            )
        return column


def board_filters(query: Any, *, board: Any) -> BoardFilters:
    serializer = BoardCardQueryInputSerializer(data=query, context={"board": board})
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return BoardFilters(
        study_id=data["study"],
        round_id=data["round"],
        tag_id=data["tag"],
        segment=data["segment"],
        column=data.get("column", ""),
        sort=data["sort"],
    )


class QuoteQueryInputSerializer(serializers.Serializer):
    study = serializers.UUIDField(required=False, allow_null=True, default=None)
    round = serializers.UUIDField(required=False, allow_null=True, default=None)
    tag = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Quotes carrying the tag, or evidence of an insight carrying it."),
    )
    segment = serializers.CharField(**_TEXT, help_text=_SEGMENT_HELP)
    text = serializers.CharField(**_TEXT, help_text=_("Words the quote contains."))


def quote_filters(query: Any) -> QuoteFilters:
    data = _read(QuoteQueryInputSerializer, query)
    return QuoteFilters(
        study_id=data["study"],
        round_id=data["round"],
        tag_id=data["tag"],
        segment=data["segment"],
        text=data["text"],
    )
