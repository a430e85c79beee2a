"""Every read of synthesis that shapes a queryset: browsing observations, insights with
their evidence, board pages, the quote bank and tag counts.

Board and quote-bank pages are built so the number of queries per page does not grow
with the data: counts are kept on the insight (services/insights.py), and what a page
lists is fetched with select_related and one prefetch per relation.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, TextChoices
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from studies.common.models import User
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    PhotoStatus,
    Tag,
)
from studies.scheduling.access import studies_for_user
from studies.scheduling.models import Consent, ConsentKind, Round, Study
from studies.synthesis.models import (
    Board,
    BoardCard,
    BoardKind,
    CardEvent,
    Comment,
    Evidence,
    Insight,
    QuoteUse,
)

_TAGS = Prefetch("tags", queryset=Tag.objects.order_by(Lower("name"), "pk"))


@dataclass(frozen=True)
class ObservationFilters:
    round_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    segment: str = ""  # "key=value", matched against the household's segment
    tag_id: uuid.UUID | None = None
    kind: str = ""
    text: str = ""


def segment_filter(prefix: str, segment: str) -> Q:
    """`key=value` matches that pair in the segment; any other text matches the phrase."""
    key, sep, value = segment.partition("=")
    if sep and key.strip():
        # The key is the client's text: taken as one literal key, never parsed as lookups
        # ("region__regex" would otherwise reach the database as a regex lookup).
        return Q(Exact(KeyTextTransform(key.strip(), f"{prefix}segment"), value.strip()))
    return Q(**{f"{prefix}segment_phrase__icontains": segment.strip()})


def observation_browse(*, study: Study, filters: ObservationFilters) -> QuerySet[Observation]:
    """A study's live observations for the synthesis screen, newest first."""
    observations = Observation.objects.filter(visit__round__study=study, deleted_at__isnull=True)
    if filters.round_id:
        observations = observations.filter(visit__round_id=filters.round_id)
    if filters.household_id:
        observations = observations.filter(visit__household_id=filters.household_id)
    if filters.segment:
        observations = observations.filter(segment_filter("visit__household__", filters.segment))
    if filters.tag_id:
        observations = observations.filter(
            Exists(ObservationTag.objects.filter(observation=OuterRef("pk"), tag_id=filters.tag_id))
        )
    if filters.kind:
        observations = observations.filter(kind=filters.kind)
    if filters.text:
        observations = observations.filter(text__icontains=filters.text)
    return (
        observations.select_related("visit__household", "visit__round", "author")
        .prefetch_related(
            _TAGS,
            Prefetch(
                "photos",
                queryset=Photo.objects.shown().filter(status=PhotoStatus.READY),
            ),
        )
        .order_by("-captured_at", "pk")
    )


def insight_list(*, user: User, study: Study | None = None, text: str = "") -> QuerySet[Insight]:
    insights = Insight.objects.filter(study__in=studies_for_user(user))
    if study is not None:
        insights = insights.filter(study=study)
    if text:
        insights = insights.filter(Q(statement__icontains=text) | Q(description__icontains=text))
    return insights.select_related(
        "study", "latest_round", "cover_photo", "research_question"
    ).prefetch_related(_TAGS)


def rounds_backing(*, insight_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Round]]:
    """Which rounds back each insight, oldest first: one query for a whole page of cards."""
    pairs = Evidence.objects.filter(insight_id__in=list(insight_ids)).values_list(
        "insight_id", "observation__visit__round_id", "photo__visit__round_id"
    )
    wanted: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for insight_id, via_observation, via_photo in pairs:
        wanted[insight_id].add(via_observation or via_photo)
    rounds = {
        round_.pk: round_
        for round_ in Round.objects.filter(pk__in={pk for ids in wanted.values() for pk in ids})
    }
    return {
        insight_id: sorted((rounds[pk] for pk in ids), key=lambda round_: round_.window_start)
        for insight_id, ids in wanted.items()
    }


def insight_evidence(*, insight: Insight) -> QuerySet[Evidence]:
    return (
        Evidence.objects.filter(insight=insight)
        # A photo whose household withdrew photo consent is hidden, not shown as missing.
        .filter(Q(photo__isnull=True) | Q(photo__in=Photo.objects.shown()))
        .select_related(
            "observation__visit__household",
            "observation__visit__round",
            "photo__visit__household",
            "photo__visit__round",
            "added_by",
        )
        .prefetch_related(
            Prefetch(
                "observation__photos",
                queryset=Photo.objects.shown().filter(status=PhotoStatus.READY),
            ),
            Prefetch("observation__uses", queryset=QuoteUse.objects.select_related("recorded_by")),
        )
        .order_by("created_at", "pk")
    )


def insight_cards(*, insight: Insight) -> QuerySet[BoardCard]:
    """Every board the insight is or was on, each with its history, latest first."""
    return (
        BoardCard.objects.filter(insight=insight)
        .select_related("board", "moved_by")
        .prefetch_related(
            Prefetch(
                "events", queryset=CardEvent.objects.select_related("actor").order_by("-created_at")
            )
        )
        .order_by("board__kind", "board__name")
    )


def insight_comments(*, insight: Insight) -> QuerySet[Comment]:
    return Comment.objects.filter(insight=insight).select_related("author").order_by("created_at")


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


@dataclass(frozen=True)
class QuoteFilters:
    study_id: uuid.UUID | None = None
    round_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    segment: str = ""
    text: str = ""


def marketing_consent_in_force() -> Exists:
    """The quote's household lets marketing use its words, now. Evaluated at query time, so
    withdrawing consent takes a quote out of the bank, its exports and the API at once."""
    return Exists(
        Consent.objects.in_force().filter(
            household_id=OuterRef("visit__household_id"), kind=ConsentKind.MARKETING
        )
    )


def quote_bank(*, user: User, filters: QuoteFilters) -> QuerySet[Observation]:
    """Verbatim quotes marketing may use: evidence of an insight on a marketing board, from
    a household whose marketing consent is in force, in the user's studies."""
    # Written with as few joins as it can: the planner's time grows with them, and this
    # query runs for every page of the bank and every export.
    on_marketing_board = Exists(
        Evidence.objects.filter(
            observation_id=OuterRef("pk"),
            insight_id__in=BoardCard.objects.filter(
                board__kind=BoardKind.MARKETING, removed_at__isnull=True
            ).values("insight_id"),
        )
    )
    quotes = Observation.objects.filter(
        kind=ObservationKind.QUOTE,
        deleted_at__isnull=True,
        visit__round__study__in=studies_for_user(user),
    ).filter(on_marketing_board, marketing_consent_in_force())
    if filters.study_id:
        quotes = quotes.filter(visit__round__study_id=filters.study_id)
    if filters.round_id:
        quotes = quotes.filter(visit__round_id=filters.round_id)
    if filters.tag_id:
        quotes = quotes.filter(
            Q(
                Exists(
                    ObservationTag.objects.filter(observation=OuterRef("pk"), tag_id=filters.tag_id)
                )
            )
            | Q(
                Exists(
                    Evidence.objects.filter(
                        observation=OuterRef("pk"), insight__tags=filters.tag_id
                    )
                )
            )
        )
    if filters.segment:
        quotes = quotes.filter(segment_filter("visit__household__", filters.segment))
    if filters.text:
        quotes = quotes.filter(text__icontains=filters.text)
    return quotes.select_related("visit__household", "visit__round__study").order_by(
        "-captured_at", "pk"
    )


# What a row of the bank shows, and nothing more: whole rows of studies and insights
# (their why, descriptions, audit times) cost more to build than the queries take.
QUOTE_ROW_FIELDS = (
    "id",
    "text",
    "speaker",
    "kind",
    "captured_at",
    "visit_id",
    "visit__household_id",
    "visit__round_id",
    "visit__household__code",
    "visit__household__segment",
    "visit__household__segment_phrase",
    "visit__round__label",
    "visit__round__study_id",
    "visit__round__study__title",
)


def quote_bank_page(quotes: QuerySet[Observation]) -> QuerySet[Observation]:
    """A page of the bank with what each row shows: its tags, uses and insights."""
    return quotes.only(*QUOTE_ROW_FIELDS).prefetch_related(
        _TAGS,
        Prefetch("uses", queryset=QuoteUse.objects.order_by("-used_on", "-created_at")),
        Prefetch(
            "evidence",
            queryset=Evidence.objects.select_related("insight").only(
                "id", "observation_id", "insight_id", "insight__statement"
            ),
        ),
    )


def attribution(household) -> str:
    """“H-014, parent of three, suburban”: the pseudonym and a segment phrase, never a name."""
    phrase = household.segment_phrase or ", ".join(
        f"{key} {value}" for key, value in sorted(household.segment.items())
    )
    return f"{household.code}, {phrase}" if phrase else household.code


@dataclass(frozen=True)
class TagCount:
    tag: Tag
    observations: int
    insights: int
    by_round: dict[uuid.UUID, int]


def tag_counts(*, study: Study) -> tuple[list[Round], list[TagCount]]:
    """Each tag of the study with how many live observations and insights carry it, in all
    and per round: three queries whatever the size of the study."""
    rounds = list(Round.objects.filter(study=study).order_by("window_start"))
    tags = list(
        Tag.objects.filter(study=study)
        .annotate(
            insight_count=Count("insights", distinct=True),
        )
        .order_by(Lower("name"), "pk")
    )
    per_round: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(dict)
    rows = (
        ObservationTag.objects.filter(tag__study=study, observation__deleted_at__isnull=True)
        .values_list("tag_id", "observation__visit__round_id")
        .annotate(count=Count("pk"))
    )
    for tag_id, round_id, count in rows:
        per_round[tag_id][round_id] = count
    return rounds, [
        TagCount(
            tag=tag,
            observations=sum(per_round[tag.pk].values()),
            insights=tag.insight_count,
            by_round=per_round[tag.pk],
        )
        for tag in tags
    ]
