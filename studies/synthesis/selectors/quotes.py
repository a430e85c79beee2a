"""The quote bank: verbatim quotes marketing may use, and how they are attributed."""

import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from studies.common.models import User
from studies.fieldwork.models import Observation, ObservationKind, ObservationTag
from studies.scheduling.access import studies_for_user
from studies.scheduling.models import Consent, ConsentKind
from studies.synthesis.models import BoardCard, BoardKind, Evidence, QuoteUse
from studies.synthesis.selectors.common import TAGS_IN_ORDER, segment_filter


@dataclass(frozen=True)
class QuoteFilters:
    study_id: uuid.UUID | None = None
    round_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    segment: str = ""
    text: str = ""


def marketing_consent_in_force(household: str = "visit__household_id") -> Exists:
    """The quote's household lets marketing use its words, now. Evaluated at query time, so
    withdrawing consent takes a quote out of the bank, its exports and the API at once, and
    labels it "Not for marketing use" wherever else it is shown. `household` is the path
    from the rows being filtered or annotated to the household's id."""
    return Exists(
        Consent.objects.in_force().filter(
            household_id=OuterRef(household), kind=ConsentKind.MARKETING
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
        TAGS_IN_ORDER,
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
