"""Trends across rounds: for each tag and insight, the share of households visited that
showed it in each round, and how that share changed from the round before.

Definitions (the Trends page repeats them in a short legend):

    households visited   of a round: distinct households with a visit in that round whose
                         status is in progress or completed, leaving out erased households
                         (Household.erased_at set) and, when one is chosen, households
                         outside the segment. A round with none is not a column of the trend
                         (`Trends.not_visited`: the upcoming round, say).
    showed a tag         a household did, in a round, when a live observation (not deleted)
                         or a photo (not deleted, not failed in processing) carrying the tag
                         was captured on such a visit of that round. A household counts once
                         whether the tag is on an observation, a photo or both. A photo
                         counts whatever its household's photo consent: consent decides who
                         sees a photo, not whether the household was seen showing the tag
                         (as an observation counts without marketing consent).
    showed an insight    the insight has evidence from such a visit of that round: a live
                         observation, or a photo that is not deleted.
    share                households that showed it ÷ households visited, the same segment
                         filter on both.

Change of an item in round R against P, the visited round before it:

    NEW       share_R > 0 and it was never seen in any earlier round (in the first round,
              everything seen is new)
    GONE      share_R == 0 and share_P > 0: was the need answered by something shipped?
    GROWING   seen before, seen in R, and the share rose by at least CHANGE_THRESHOLD
    FADING    seen before, seen in R, and the share fell by at least CHANGE_THRESHOLD
    STEADY    seen before and in R, the share moved by less than the threshold
    None      not seen in R (and not gone): nothing to say

Shares are compared as exact fractions, so 3 of 10 against 2 of 10 is a rise of exactly ten
points, which is growing, not a hair under it.

A gone tag lists the study's insights carrying that tag whose product card is in the Shipped
column; a gone insight, itself when its own product card is Shipped.

`study_trends` reads a study in a fixed number of queries, whatever its size: rounds,
households visited per round, households per tag and round (observations and photos in
one query), households per insight and round, the tags and insights shown, and the
shipped insights with their tags: at most eight.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from studies.common.models import User
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    PhotoStatus,
    PhotoTag,
    Tag,
)
from studies.scheduling.models import Household, Round, Study, Visit, VisitStatus
from studies.synthesis.models import BoardKind, Column, Evidence, Insight
from studies.synthesis.search.service import marketing_only_studies
from studies.synthesis.selectors import marketing_consent_in_force, segment_filter

# Ten percentage points. A panel is about a dozen households, so one household is about
# eight points: a change of a single household reads as steady, two or more as a trend.
CHANGE_THRESHOLD = 0.10
_THRESHOLD = Fraction(str(CHANGE_THRESHOLD))

# Longer text cannot be a segment anyone chose from the menu.
SEGMENT_MAX_LENGTH = 200

# A visit in one of these statuses means the household was seen in that round.
VISITED_STATUSES = (VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED)

TAG = "tag"
INSIGHT = "insight"


class Change(models.TextChoices):
    NEW = "new", _("New")
    GROWING = "growing", _("Growing")
    STEADY = "steady", _("Steady")
    FADING = "fading", _("Fading")
    GONE = "gone", _("Gone")


@dataclass(frozen=True)
class RoundColumn:
    round: Round
    visited: int  # households visited in the round (in the segment)


@dataclass(frozen=True)
class Cell:
    round_id: uuid.UUID
    households: int  # households that showed the item in the round
    share: float  # households ÷ households visited, 0 to 1
    change: Change | None  # against the visited round before; None: nothing to say


@dataclass(frozen=True)
class TrendRow:
    subject: Tag | Insight
    kind: str  # "tag" or "insight"
    label: str  # the tag's name or the insight's statement
    cells: list[Cell]  # one per column of Trends.rounds, oldest first
    shipped: list[Insight] = field(default_factory=list)  # for a gone item: shipped insights


@dataclass(frozen=True)
class Trends:
    rounds: list[RoundColumn]  # rounds with households visited, oldest first
    tags: list[TrendRow]  # most households in the latest round first, then by name
    insights: list[TrendRow]
    not_visited: list[Round]  # rounds with no household visited (in the segment)

    @property
    def comparable(self) -> bool:
        """A trend needs at least two rounds with visits."""
        return len(self.rounds) >= 2


def not_comparable_message(trends: Trends, segment: str) -> str:
    """Why there is no trend yet, in words a person reads (the page says the same)."""
    count = len(trends.rounds)
    if segment:
        return ngettext(
            "Trends compare rounds: in the segment “%(segment)s” %(count)d round has visits "
            "so far. Choose another segment, or come back after the next round.",
            "Trends compare rounds: in the segment “%(segment)s” %(count)d rounds have visits "
            "so far. Choose another segment, or come back after the next round.",
            count,
        ) % {"segment": segment, "count": count}
    return ngettext(
        "Trends compare rounds: this study has %(count)d round with visits so far. Come "
        "back after the next round's visits.",
        "Trends compare rounds: this study has %(count)d rounds with visits so far. Come "
        "back after the next round's visits.",
        count,
    ) % {"count": count}


def _segment(prefix: str, segment: str) -> Q:
    return segment_filter(prefix, segment) if segment else Q()


def _clean(segment: str) -> str:
    # PostgreSQL text cannot hold NUL; no segment needs one.
    return segment.replace("\x00", "").strip()


def _visited(prefix: str, segment: str) -> Q:
    """A visit (reached through `prefix`) that counts: held, household not erased, in the
    segment."""
    return Q(
        **{
            f"{prefix}status__in": VISITED_STATUSES,
            f"{prefix}household__erased_at__isnull": True,
        }
    ) & _segment(f"{prefix}household__", segment)


def _cells(counts: dict[uuid.UUID, int], rounds: list[RoundColumn]) -> list[Cell]:
    """Each round's cell, with its change against the round before (module docstring)."""
    cells: list[Cell] = []
    seen_before = False
    previous: Fraction | None = None
    for column in rounds:
        households = counts.get(column.round.pk, 0)
        share = Fraction(households, column.visited)
        change: Change | None = None
        if share > 0 and not seen_before:
            change = Change.NEW
        elif share == 0 and previous:
            change = Change.GONE
        elif share > 0 and previous is not None:
            if share - previous >= _THRESHOLD:
                change = Change.GROWING
            elif previous - share >= _THRESHOLD:
                change = Change.FADING
            else:
                change = Change.STEADY
        cells.append(Cell(column.round.pk, households, float(share), change))
        seen_before = seen_before or share > 0
        previous = share
    return cells


def _sorted(rows: list[TrendRow]) -> list[TrendRow]:
    return sorted(rows, key=lambda row: (-row.cells[-1].households, row.label.casefold()))


def _by_round(
    rows: Iterable[tuple[uuid.UUID, uuid.UUID, int]],
) -> dict[uuid.UUID, dict[uuid.UUID, int]]:
    """(item id, round id, households) rows as {item id: {round id: households}}."""
    counts: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(dict)
    for item_id, round_id, households in rows:
        counts[item_id][round_id] = households
    return counts


def _row(
    subject: Tag | Insight,
    kind: str,
    label: str,
    counts: dict[uuid.UUID, int],
    columns: list[RoundColumn],
    shipped: list[Insight],
) -> TrendRow:
    """One item's row; `shipped` (what may have answered it) is kept only if it went."""
    cells = _cells(counts, columns)
    gone = any(cell.change == Change.GONE for cell in cells)
    return TrendRow(
        subject=subject, kind=kind, label=label, cells=cells, shipped=shipped if gone else []
    )


def _counted_photo(prefix: str) -> Q:
    """A photo (reached through `prefix`) that shows its tags: not deleted, and not failed in
    processing (nobody but the phone ever saw it, so nothing could be listed behind it)."""
    return Q(**{f"{prefix}deleted_at__isnull": True}) & ~Q(
        **{f"{prefix}status": PhotoStatus.FAILED}
    )


_UUID = models.UUIDField()


def _tag_counts(study: Study, segment: str) -> dict[uuid.UUID, dict[uuid.UUID, int]]:
    """Households that showed each tag, per round: {tag id: {round id: households}}.

    The (tag, round, household) triples of tagged observations and of tagged photos are put
    together with UNION, which keeps one of each, then counted per tag and round: a
    household counts once, in one query, with the counting left to the database."""
    observed = ObservationTag.objects.filter(
        Q(tag__study=study, observation__deleted_at__isnull=True)
        & Q(observation__visit__round__study=study)
        & _visited("observation__visit__", segment)
    ).values_list("tag_id", "observation__visit__round_id", "observation__visit__household_id")
    photographed = PhotoTag.objects.filter(
        Q(tag__study=study, photo__visit__round__study=study)
        & _counted_photo("photo__")
        & _visited("photo__visit__", segment)
    ).values_list("tag_id", "photo__visit__round_id", "photo__visit__household_id")
    shown, params = observed.order_by().union(photographed.order_by()).query.sql_with_params()
    statement = f"""
        WITH shown (tag_id, round_id, household_id) AS ({shown})
        SELECT tag_id, round_id, COUNT(*) FROM shown GROUP BY tag_id, round_id
    """  # noqa: S608 - compiled from querysets above; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    # Raw rows hold ids as the database stores them (hex text on SQLite).
    return _by_round(
        (_UUID.to_python(tag_id), _UUID.to_python(round_id), households)
        for tag_id, round_id, households in rows
    )


def _insight_counts(study: Study, segment: str) -> dict[uuid.UUID, dict[uuid.UUID, int]]:
    """Households that showed each insight, per round. A household counts once whether its
    evidence is an observation, a photo or both, so the two paths meet in one query."""
    via_observation = (
        Q(observation__isnull=False, observation__deleted_at__isnull=True)
        & Q(observation__visit__round__study=study)
        & _visited("observation__visit__", segment)
    )
    via_photo = (
        Q(photo__isnull=False, photo__deleted_at__isnull=True)
        & Q(photo__visit__round__study=study)
        & _visited("photo__visit__", segment)
    )
    rows = (
        Evidence.objects.filter(insight__study=study)
        .filter(via_observation | via_photo)
        .annotate(
            round_id=Coalesce("observation__visit__round_id", "photo__visit__round_id"),
            household_id=Coalesce("observation__visit__household_id", "photo__visit__household_id"),
        )
        .values_list("insight_id", "round_id")
        .annotate(households=Count("household_id", distinct=True))
        .order_by()
    )
    return _by_round(rows)


def _shipped_insights(study: Study) -> list[Insight]:
    """The study's insights whose product card sits in the Shipped column, with their tags."""
    return list(
        Insight.objects.filter(
            study=study,
            cards__board__kind=BoardKind.PRODUCT,
            cards__column=Column.SHIPPED,
            cards__removed_at__isnull=True,
        )
        .distinct()
        .only("pk", "study_id", "statement")
        .prefetch_related("tags")
        .order_by("statement", "pk")
    )


def study_trends(*, study: Study, segment: str = "") -> Trends:
    """Every tag and insight of the study round by round, in a bounded number of queries
    (at most eight, whatever the study's size; see the module docstring for the definitions)."""
    segment = _clean(segment)
    rounds = list(Round.objects.filter(study=study).order_by("window_start", "label"))
    visited = dict(
        Visit.objects.filter(Q(round__study=study) & _visited("", segment))
        .values_list("round_id")
        .annotate(households=Count("household_id", distinct=True))
        .order_by()
    )
    columns = [
        RoundColumn(round_, visited[round_.pk]) for round_ in rounds if visited.get(round_.pk)
    ]
    not_visited = [round_ for round_ in rounds if not visited.get(round_.pk)]
    if not columns:
        return Trends(rounds=[], tags=[], insights=[], not_visited=not_visited)

    tag_counts = _tag_counts(study, segment)
    insight_counts = _insight_counts(study, segment)
    column_ids = {column.round.pk for column in columns}
    shown_tags = {pk for pk, by_round in tag_counts.items() if column_ids & by_round.keys()}
    shown_insights = {pk for pk, by_round in insight_counts.items() if column_ids & by_round.keys()}
    tags = Tag.objects.filter(pk__in=shown_tags).only("pk", "study_id", "name", "colour")
    insights = Insight.objects.filter(pk__in=shown_insights).only("pk", "study_id", "statement")
    shipped = _shipped_insights(study)

    tag_rows = [
        _row(
            tag,
            TAG,
            tag.name,
            tag_counts[tag.pk],
            columns,
            [insight for insight in shipped if tag in insight.tags.all()],
        )
        for tag in tags
    ]
    insight_rows = [
        _row(
            insight,
            INSIGHT,
            insight.statement,
            insight_counts[insight.pk],
            columns,
            [one for one in shipped if one.pk == insight.pk],
        )
        for insight in insights
    ]
    return Trends(
        rounds=columns,
        tags=_sorted(tag_rows),
        insights=_sorted(insight_rows),
        not_visited=not_visited,
    )


# The changes a round report lists; STEADY is what nobody needs told.
REPORTED_CHANGES = (Change.NEW, Change.GROWING, Change.FADING, Change.GONE)


def round_changes(trends: Trends, round_id: uuid.UUID) -> dict[Change, list[TrendRow]]:
    """What was new, growing, fading and gone in one round, tags and insights together, most
    households first (for gone: most households in the round before). A round that is not a
    column of the trend has no changes: every list is empty."""
    changes: dict[Change, list[TrendRow]] = {change: [] for change in REPORTED_CHANGES}
    index = next((i for i, column in enumerate(trends.rounds) if column.round.pk == round_id), None)
    if index is None:
        return changes

    def weight(row: TrendRow) -> int:
        cell = row.cells[index]
        return row.cells[index - 1].households if cell.change == Change.GONE else cell.households

    for row in [*trends.tags, *trends.insights]:
        change = row.cells[index].change
        if change in changes:
            changes[change].append(row)
    for rows in changes.values():
        rows.sort(key=lambda row: (-weight(row), row.kind != TAG, row.label.casefold()))
    return changes


def segment_choices(*, study: Study) -> list[str]:
    """The `key=value` pairs found among the study's enrolled households' segments, sorted:
    what the segment filter offers. One query."""
    pairs = set()
    segments = Household.objects.filter(enrolments__study=study, erased_at__isnull=True)
    for segment in segments.values_list("segment", flat=True):
        if not isinstance(segment, dict):
            continue
        for key, value in segment.items():
            # Only plain values: a nested list or object cannot be matched as text.
            if isinstance(value, str | int) and not isinstance(value, bool) and str(key).strip():
                pairs.add(f"{str(key).strip()}={str(value).strip()}")
    return sorted(pairs, key=str.casefold)


@dataclass(frozen=True)
class TagEvidence:
    # What the viewer may see, by household then time; each with `marketing_cleared`
    # (its household's marketing consent is in force now) and an answer with its question.
    observations: list[Observation]
    # Photos carrying the tag that anyone may see, by household then time, with their
    # visit's household; a processed one attached to a listed observation is shown there.
    photos: list[Photo]
    households: int  # households behind them
    hidden_quotes: int  # quotes withheld from a marketing viewer (no marketing consent)
    hidden_photos: int  # tagged photos of households whose photo consent is not in force


def tag_evidence(
    *, user: User, study: Study, tag: Tag, round_: Round, segment: str = ""
) -> TagEvidence:
    """What is behind a tag's cell of the trend: the observations and photos carrying the
    tag on the same visits and households it counts.

    A quote of a household whose marketing consent is not in force now is labelled "Not
    for marketing use" for every viewer (`marketing_cleared`), and hidden from a marketing
    member, as search hides it (studies/synthesis/search/service.py). Photos are listed
    only while anyone may see them (`Photo.objects.shown()`). Four queries: the
    observations, their photos, the quotes withheld from marketing (counted), the tagged
    photos."""
    segment = _clean(segment)
    behind = Observation.objects.filter(
        Q(visit__round=round_, deleted_at__isnull=True, tags=tag) & _visited("visit__", segment)
    )
    restricted = marketing_only_studies(user)
    shown = behind
    if restricted is not None:
        shown = behind.filter(
            ~Q(kind=ObservationKind.QUOTE)
            | ~Q(visit__round__study__in=restricted)
            | Q(marketing_consent_in_force())
        )
    observations: QuerySet[Observation] = (
        shown.annotate(marketing_cleared=marketing_consent_in_force())
        .select_related("visit__household", "guide_question")
        .prefetch_related(
            models.Prefetch(
                "photos", queryset=Photo.objects.shown().filter(status=PhotoStatus.READY)
            )
        )
        .order_by("visit__household__code", "captured_at", "pk")
    )
    listed = list(observations)
    total = behind.count() if restricted is not None else len(listed)
    photos = list(
        Photo.objects.filter(
            Q(visit__round=round_, tags=tag) & _counted_photo("") & _visited("visit__", segment)
        )
        .annotate(anyone_may_see=Exists(Photo.objects.shown().filter(pk=OuterRef("pk"))))
        .select_related("visit__household")
        .order_by("visit__household__code", "captured_at", "pk")
    )
    seen = [photo for photo in photos if photo.anyone_may_see]
    shown_under = {photo.pk for observation in listed for photo in observation.photos.all()}
    return TagEvidence(
        observations=listed,
        photos=[photo for photo in seen if photo.pk not in shown_under],
        households=len(
            {observation.visit.household_id for observation in listed}
            | {photo.visit.household_id for photo in seen}
        ),
        hidden_quotes=total - len(listed),
        hidden_photos=len(photos) - len(seen),
    )
