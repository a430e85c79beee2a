"""Board pages: the cards a user may see, filtered and sorted, a page of each column
in a fixed number of queries."""

import uuid
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, TextChoices
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from studies.common.models import User
from studies.fieldwork.models import Tag
from studies.scheduling.access import studies_for_user
from studies.synthesis.models import Board, BoardCard, Evidence
from studies.synthesis.selectors.common import segment_filter


class BoardSort(TextChoices):
    MOVED = "moved", _("Most recently moved")
    PRESSURE = "pressure", _("Pressure-test score")


@dataclass(frozen=True)
class BoardFilters:
    study_id: uuid.UUID | None = None
    round_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    segment: str = ""
    column: str = ""
    sort: str = BoardSort.MOVED


# The pressure test's stored aggregate (studies.loop) read through the reverse one-to-one:
# the card face shows it and the board sorts by it without another query. Highest score
# first; at an equal score more teams (so a complete test) first; untested cards last.
_BY_PRESSURE = (
    F("insight__pressure_test__score").desc(nulls_last=True),
    F("insight__pressure_test__teams_scored").desc(nulls_last=True),
)


def board_cards(*, board: Board, user: User, filters: BoardFilters) -> QuerySet[BoardCard]:
    """The cards on a board the user may see (their studies only), most recently moved first,
    or by pressure-test score (see _BY_PRESSURE)."""
    cards = BoardCard.objects.filter(
        board=board, removed_at__isnull=True, study__in=studies_for_user(user)
    )
    if filters.study_id:
        cards = cards.filter(study_id=filters.study_id)
    if filters.column:
        cards = cards.filter(column=filters.column)
    if filters.tag_id:
        cards = cards.filter(insight__tags=filters.tag_id)
    if filters.round_id:
        cards = cards.filter(
            Exists(
                Evidence.objects.filter(insight=OuterRef("insight_id")).filter(
                    Q(observation__visit__round_id=filters.round_id)
                    | Q(photo__visit__round_id=filters.round_id)
                )
            )
        )
    if filters.segment:
        segment = segment_filter(
            "observation__visit__household__", filters.segment
        ) | segment_filter("photo__visit__household__", filters.segment)
        cards = cards.filter(
            Exists(Evidence.objects.filter(insight=OuterRef("insight_id")).filter(segment))
        )
    by_pressure = _BY_PRESSURE if filters.sort == BoardSort.PRESSURE else ()
    return (
        cards.select_related(
            "insight__study",
            "insight__latest_round",
            "insight__cover_photo",
            "insight__research_question",
            "insight__pressure_test",
            "moved_by",
        )
        .prefetch_related(
            Prefetch("insight__tags", queryset=Tag.objects.order_by(Lower("name"), "pk"))
        )
        .order_by(*by_pressure, "-moved_at", "pk")
    )


@dataclass(frozen=True)
class ColumnsPage:
    cards: list[BoardCard]  # at most `per_column` of each column, in the board's order
    totals: dict[str, int]  # how many cards each column holds in all


CARD_FACE_FIELDS = (
    "id",
    "board_id",
    "insight_id",
    "column",
    "moved_at",
    "moved_by_id",
    "removed_at",
    "insight__study_id",
    "insight__statement",
    "insight__evidence_count",
    "insight__household_count",
    "insight__latest_round_id",
    "insight__cover_photo_id",
    "insight__research_question_id",
    "insight__study__title",
    "insight__latest_round__label",
    "insight__cover_photo__status",
    # A photo deleted after it became the cover is not shown (the cover is recounted with
    # the evidence, not when a phone deletes a photo).
    "insight__cover_photo__deleted_at",
    "insight__research_question__text",
    "insight__pressure_test__id",
    "insight__pressure_test__insight_id",
    "insight__pressure_test__score",
    "insight__pressure_test__teams_scored",
    "insight__pressure_test__completed_at",
    "moved_by__username",
    "moved_by__first_name",
    "moved_by__last_name",
)


def board_columns_page(
    *, board: Board, user: User, filters: BoardFilters, per_column: int, page: int = 1
) -> ColumnsPage:
    """One page of every column: a small query per column that the (board, column, moved_at)
    index answers without sorting the board, then the chosen cards with what they show, so
    the cost does not grow with the board. Sorted by pressure test, each column's query
    joins the tests and sorts that column's cards: still one query a column."""
    cards = board_cards(board=board, user=user, filters=filters)
    totals = dict(
        cards.order_by().values("column").annotate(total=Count("pk")).values_list("column", "total")
    )
    start = (page - 1) * per_column
    chosen: list[uuid.UUID] = []
    for column in board.columns:
        chosen += cards.filter(column=column).values_list("pk", flat=True)[
            start : start + per_column
        ]
    # Only what a card on the page shows: building whole rows (descriptions, audit times,
    # the study's why) took longer than the queries themselves.
    shown = cards.filter(pk__in=chosen).only(*CARD_FACE_FIELDS)
    return ColumnsPage(cards=list(shown), totals=totals)
