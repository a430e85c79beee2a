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

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower, RowNumber
from django.db.models.lookups import Exact

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


def _segment_filter(prefix: str, segment: str) -> Q:
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
        observations = observations.filter(_segment_filter("visit__household__", filters.segment))
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
                queryset=Photo.objects.filter(status=PhotoStatus.READY, deleted_at__isnull=True),
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
                queryset=Photo.objects.filter(status=PhotoStatus.READY, deleted_at__isnull=True),
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


@dataclass(frozen=True)
class BoardFilters:
    study_id: uuid.UUID | None = None
    round_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    segment: str = ""
    column: str = ""


def board_cards(*, board: Board, user: User, filters: BoardFilters) -> QuerySet[BoardCard]:
    """The cards on a board the user may see (their studies only), most recently moved first."""
    cards = BoardCard.objects.filter(
        board=board, removed_at__isnull=True, insight__study__in=studies_for_user(user)
    )
    if filters.study_id:
        cards = cards.filter(insight__study_id=filters.study_id)
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
        segment = _segment_filter(
            "observation__visit__household__", filters.segment
        ) | _segment_filter("photo__visit__household__", filters.segment)
        cards = cards.filter(
            Exists(Evidence.objects.filter(insight=OuterRef("insight_id")).filter(segment))
        )
    return (
        cards.select_related(
            "insight__study", "insight__latest_round", "insight__cover_photo", "moved_by"
        )
        .prefetch_related(
            Prefetch("insight__tags", queryset=Tag.objects.order_by(Lower("name"), "pk"))
        )
        .order_by("-moved_at", "pk")
    )


@dataclass(frozen=True)
class ColumnsPage:
    cards: list[BoardCard]  # at most `per_column` of each column, most recently moved first
    totals: dict[str, int]  # how many cards each column holds in all


def board_columns_page(
    *, board: Board, user: User, filters: BoardFilters, per_column: int, page: int = 1
) -> ColumnsPage:
    """One page of every column at once: two queries for the cards (and a prefetch of their
    tags), whatever the number of cards on the board, instead of the whole board."""
    cards = board_cards(board=board, user=user, filters=filters)
    totals = dict(
        cards.order_by().values("column").annotate(total=Count("pk")).values_list("column", "total")
    )
    start = (page - 1) * per_column
    ranked = cards.annotate(
        rank=Window(RowNumber(), partition_by=F("column"), order_by=[F("moved_at").desc(), "pk"])
    ).filter(rank__gt=start, rank__lte=start + per_column)
    return ColumnsPage(cards=list(ranked), totals=totals)


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
    on_marketing_board = Exists(
        Evidence.objects.filter(
            observation_id=OuterRef("pk"),
            insight__cards__board__kind=BoardKind.MARKETING,
            insight__cards__removed_at__isnull=True,
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
        quotes = quotes.filter(_segment_filter("visit__household__", filters.segment))
    if filters.text:
        quotes = quotes.filter(text__icontains=filters.text)
    return quotes.select_related("visit__household", "visit__round__study").order_by(
        "-captured_at", "pk"
    )


def quote_bank_page(quotes: QuerySet[Observation]) -> QuerySet[Observation]:
    """A page of the bank with what each row shows: its tags, uses and insights."""
    return quotes.prefetch_related(
        _TAGS,
        Prefetch("uses", queryset=QuoteUse.objects.order_by("-used_on", "-created_at")),
        Prefetch("evidence", queryset=Evidence.objects.select_related("insight")),
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
