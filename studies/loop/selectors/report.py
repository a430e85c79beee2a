"""A round on one page: what a lead sends round once a quarter's fieldwork is done.

Pseudonyms and segments only, never a name. Quotes come from households whose
participation consent is in force now, photos only where photo consent is (the same
`Photo.objects.shown()` every page uses), so a report made after a withdrawal leaves the
household's words and pictures out. Each quote carries `marketing_cleared`, whether its
household's marketing consent is in force now (the one rule, `marketing_consent_in_force`):
the report is read by marketing too, and a quote without it is labelled "Not for marketing
use" for every reader. The report shows quotes only, never answers, so no question is lost.

A household counts as visited from its visit's status (`VISITED_STATUSES`, the trends'
own): the first item captured on a scheduled visit starts it, wherever it is captured.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.errors import ConflictError
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    PhotoStatus,
    TagGroup,
)
from studies.loop.selectors.health import LoopHealth, loop_health
from studies.loop.selectors.trends import VISITED_STATUSES, Trends, study_trends
from studies.scheduling.models import (
    Consent,
    ConsentKind,
    Household,
    Round,
    Study,
    Visit,
    VisitStatus,
)
from studies.synthesis.models import Evidence, Insight
from studies.synthesis.selectors import marketing_consent_in_force

MISSED = (VisitStatus.NO_SHOW, VisitStatus.CANCELLED)
TOP_INSIGHTS = 5
QUOTES_PER_INSIGHT = 2
PHOTOS_PER_INSIGHT = 2


class RoundNotVisited(ConflictError):
    """There is nothing to report: no household has been visited in the round."""


@dataclass(frozen=True)
class ReportInsight:
    insight: Insight
    households: int  # households of this round behind it
    quotes: list[Observation]
    photos: list[Photo]


@dataclass(frozen=True)
class RoundReport:
    round: Round
    study: Study
    visited: list[Household]  # pseudonyms and segments are all a report shows of them
    to_go: int  # visits still scheduled
    missed: int  # no-shows and cancellations
    insights: list[ReportInsight]
    trends: Trends  # of the whole study, for what changed since the round before
    previous: Round | None  # the visited round before this one; None: nothing to compare
    health: LoopHealth
    made_at: dt.datetime

    @property
    def finished(self) -> bool:
        return self.to_go == 0 and self.round.window_end < self.made_at.date()

    @property
    def quotes_not_for_marketing(self) -> bool:
        """Some quote shown comes from a household without marketing consent in force."""
        return any(not quote.marketing_cleared for item in self.insights for quote in item.quotes)


def round_report(*, round_: Round, now: dt.datetime | None = None) -> RoundReport:
    now = now or timezone.now()
    study = round_.study
    visited = list(
        Household.objects.filter(
            erased_at__isnull=True,
            visits__round=round_,
            visits__status__in=VISITED_STATUSES,
        )
        .distinct()
        .order_by("code")
    )
    if not visited:
        raise RoundNotVisited(
            {
                "round": _(
                    "No household has been visited in %(label)s yet: a round report is made "
                    "once its visits have happened."
                )
                % {"label": round_.label}
            }
        )
    trends = study_trends(study=study)
    visited_rounds = [column.round.pk for column in trends.rounds]
    position = visited_rounds.index(round_.pk) if round_.pk in visited_rounds else 0
    previous = trends.rounds[position - 1].round if position > 0 else None
    visits = Visit.objects.filter(round=round_).aggregate(
        to_go=Count("pk", filter=Q(status=VisitStatus.SCHEDULED)),
        missed=Count("pk", filter=Q(status__in=MISSED)),
    )
    return RoundReport(
        round=round_,
        study=study,
        visited=visited,
        to_go=visits["to_go"],
        missed=visits["missed"],
        insights=_top_insights(round_),
        previous=previous,
        trends=trends,
        health=loop_health(study=study, round_=round_, now=now),
        made_at=now,
    )


def _top_insights(round_: Round) -> list[ReportInsight]:
    """The insights this round backs most, by households of the round, with the round's
    best quotes (quote-worthy first) and photos."""
    from_round = Q(observation__visit__round=round_, observation__deleted_at__isnull=True) | Q(
        photo__visit__round=round_, photo__deleted_at__isnull=True
    )
    households: dict[object, set[object]] = defaultdict(set)
    for insight_id, via_observation, via_photo in (
        Evidence.objects.filter(from_round)
        .filter(insight__study=round_.study_id)
        .values_list("insight_id", "observation__visit__household_id", "photo__visit__household_id")
    ):
        households[insight_id].add(via_observation or via_photo)
    insights = {
        insight.pk: insight
        for insight in Insight.objects.filter(pk__in=households).select_related("study")
    }
    ranked = sorted(
        insights.values(),
        key=lambda insight: (
            -len(households[insight.pk]),
            -insight.household_count,
            insight.statement,
        ),
    )[:TOP_INSIGHTS]
    chosen = [insight.pk for insight in ranked]
    quotes = _quotes(round_, chosen)
    photos = _photos(round_, chosen)
    return [
        ReportInsight(
            insight=insight,
            households=len(households[insight.pk]),
            quotes=quotes[insight.pk][:QUOTES_PER_INSIGHT],
            photos=photos.get(insight.pk, [])[:PHOTOS_PER_INSIGHT],
        )
        for insight in ranked
    ]


def _quotes(round_: Round, insight_ids: list[object]) -> dict[object, list[Observation]]:
    participating = Consent.objects.in_force().filter(
        kind=ConsentKind.PARTICIPATION, household_id=OuterRef("visit__household_id")
    )
    quote_worthy = ObservationTag.objects.filter(
        observation=OuterRef("pk"), tag__group=TagGroup.QUOTE_WORTHY
    )
    quotes = {
        quote.pk: quote
        for quote in Observation.objects.filter(
            kind=ObservationKind.QUOTE,
            deleted_at__isnull=True,
            visit__round=round_,
            visit__household__erased_at__isnull=True,
            evidence__insight_id__in=insight_ids,
        )
        .filter(Exists(participating))
        .annotate(quote_worthy=Exists(quote_worthy), marketing_cleared=marketing_consent_in_force())
        .select_related("visit__household")
        .distinct()
    }
    by_insight: dict[object, list[Observation]] = defaultdict(list)
    for insight_id, observation_id in Evidence.objects.filter(
        insight_id__in=insight_ids, observation_id__in=list(quotes)
    ).values_list("insight_id", "observation_id"):
        by_insight[insight_id].append(quotes[observation_id])
    for listed in by_insight.values():
        listed.sort(key=lambda quote: (not quote.quote_worthy, quote.captured_at, str(quote.pk)))
    return by_insight


def _photos(round_: Round, insight_ids: list[object]) -> dict[object, list[Photo]]:
    """Photos backing each insight, as evidence or attached to an observation that is."""
    shown = {
        photo.pk: photo
        for photo in Photo.objects.shown()
        .filter(status=PhotoStatus.READY, visit__round=round_)
        .filter(
            Q(evidence__insight_id__in=insight_ids)
            | Q(observation__evidence__insight_id__in=insight_ids)
        )
        .distinct()
    }
    on_observation: dict[object, list[Photo]] = defaultdict(list)
    for photo in shown.values():
        if photo.observation_id:
            on_observation[photo.observation_id].append(photo)
    by_insight: dict[object, list[Photo]] = defaultdict(list)
    for insight_id, photo_id, observation_id in (
        Evidence.objects.filter(insight_id__in=insight_ids)
        .filter(Q(photo_id__in=list(shown)) | Q(observation_id__in=list(on_observation)))
        .values_list("insight_id", "photo_id", "observation_id")
    ):
        by_insight[insight_id] += [shown[photo_id]] if photo_id else on_observation[observation_id]
    # A photo that is evidence itself and also hangs off an observation that is: once.
    return {
        insight_id: sorted(set(listed), key=lambda photo: (photo.captured_at, str(photo.pk)))
        for insight_id, listed in by_insight.items()
    }
