"""The synthesis screen's reads: a study's observations, filtered."""

import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from studies.fieldwork.models import Observation, ObservationTag, Photo, PhotoStatus
from studies.scheduling.models import Study
from studies.synthesis.selectors.common import TAGS_IN_ORDER, segment_filter


@dataclass(frozen=True)
class ObservationFilters:
    round_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    segment: str = ""  # "key=value", matched against the household's segment
    tag_id: uuid.UUID | None = None
    kind: str = ""
    text: str = ""


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
            TAGS_IN_ORDER,
            Prefetch(
                "photos",
                queryset=Photo.objects.shown().filter(status=PhotoStatus.READY),
            ),
        )
        .order_by("-captured_at", "pk")
    )
