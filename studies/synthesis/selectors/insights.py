"""Reads of insights: lists, the evidence behind one, its cards and comments."""

import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from studies.common.models import User
from studies.fieldwork.models import Photo, PhotoStatus
from studies.scheduling.access import studies_for_user
from studies.scheduling.models import Round, Study
from studies.synthesis.models import BoardCard, CardEvent, Comment, Evidence, Insight, QuoteUse
from studies.synthesis.selectors.common import TAGS_IN_ORDER, tags_in_order
from studies.synthesis.selectors.quotes import marketing_consent_in_force


def insight_list(*, user: User, study: Study | None = None, text: str = "") -> QuerySet[Insight]:
    insights = Insight.objects.filter(study__in=studies_for_user(user))
    if study is not None:
        insights = insights.filter(study=study)
    if text:
        insights = insights.filter(Q(statement__icontains=text) | Q(description__icontains=text))
    return insights.select_related(
        "study", "latest_round", "cover_photo", "research_question"
    ).prefetch_related(TAGS_IN_ORDER)


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
    """The evidence, oldest first, each with `marketing_cleared`: whether its household's
    marketing consent is in force now (what labels a quote "Not for marketing use")."""
    return (
        Evidence.objects.filter(insight=insight)
        .annotate(marketing_cleared=marketing_consent_in_force("observation__visit__household_id"))
        # A photo whose household withdrew photo consent is hidden, not shown as missing.
        .filter(Q(photo__isnull=True) | Q(photo__in=Photo.objects.shown()))
        .select_related(
            "observation__guide_question",
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
            tags_in_order("photo__tags"),
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
