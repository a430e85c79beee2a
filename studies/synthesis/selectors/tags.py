"""Tag counts: how many observations and insights carry each tag, per round."""

import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Lower

from studies.fieldwork.models import ObservationTag, Tag
from studies.scheduling.models import Round, Study


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
