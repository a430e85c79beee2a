"""Reads of the fieldwork app that shape a queryset: what is joined, prefetched, annotated.

Callers have reached the visit or study through an access function first; these only
decide how rows are loaded. Personal data (HouseholdContact) is read in one place, the
offline bundle, and only its address.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    F,
    IntegerField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields import CharField
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from studies.common.models import User
from studies.common.roles import Capability
from studies.fieldwork.models import Observation, Tag, TagGroup
from studies.scheduling import access
from studies.scheduling.models import GuideQuestion, Study, Visit, VisitStatus
from studies.scheduling.selectors import local_day_bounds, zone_or_utc

OFFLINE_BUNDLE_DEFAULT_DAYS = 3
OFFLINE_BUNDLE_MAX_DAYS = 7


def _observations() -> QuerySet[Observation]:
    return Observation.objects.select_related("author").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by(Lower("name"), "pk"))
    )


def visit_observation_list(*, visit: Visit) -> QuerySet[Observation]:
    """The visit's live observations (tombstones left out), in the order they were taken."""
    return (
        _observations().filter(visit=visit, deleted_at__isnull=True).order_by("captured_at", "pk")
    )


def observations_by_pk(*, pks: Iterable[uuid.UUID]) -> dict[uuid.UUID, Observation]:
    """Observations with their tags and author, tombstones included (sync reports them)."""
    wanted = set(pks)
    if not wanted:
        return {}
    return {observation.pk: observation for observation in _observations().filter(pk__in=wanted)}


# Tags of the default groups in the order capture suggests them, then ungrouped ones.
GROUP_ORDER = Case(
    *(When(group=group, then=Value(index)) for index, group in enumerate(TagGroup.values)),
    default=Value(len(TagGroup.values)),
    output_field=IntegerField(),
)


def _tags_for_user(user: User) -> QuerySet[Tag]:
    """Tags with `last_used_at`: when the user last captured a live item with it."""
    return Tag.objects.annotate(
        last_used_at=Max(
            "observations__captured_at",
            filter=Q(observations__author=user, observations__deleted_at__isnull=True),
        ),
        group_order=GROUP_ORDER,
    ).order_by(F("last_used_at").desc(nulls_last=True), "group_order", Lower("name"), "pk")


def study_tag_list(*, study: Study, user: User) -> QuerySet[Tag]:
    """The study's tags: the user's recently used first, then the default groups, then the rest."""
    return _tags_for_user(user).filter(study=study)


@dataclass(frozen=True)
class OfflineBundle:
    time_zone: str
    first_day: dt.date
    last_day: dt.date
    generated_at: dt.datetime
    visits: list[Visit]  # each with `household_address`, guide prefetched on its round
    studies: list[Study]  # each with `bundle_tags`: study_tag_list for the user


def offline_bundle(*, user: User, days: int = OFFLINE_BUNDLE_DEFAULT_DAYS) -> OfflineBundle:
    """What the phone keeps to work offline: the researcher's own visits from today (in their
    zone) for `days` days, plus any visit still under way, with guides and tags.

    The household's address is included where the user may see personal data (researchers
    need it to get there); its name, phone and e-mail are never read.
    """
    zone = zone_or_utc(user.time_zone)
    now = timezone.now()
    first_day = timezone.localdate(now, zone)
    last_day = first_day + dt.timedelta(days=days - 1)
    start, _ = local_day_bounds(first_day, zone)
    _, end = local_day_bounds(last_day, zone)
    personal_studies = access.studies_for_user(user, Capability.VIEW_PERSONAL_DATA)
    visits = list(
        Visit.objects.filter(
            Q(scheduled_start__gte=start, scheduled_start__lt=end)
            | Q(status=VisitStatus.IN_PROGRESS),
            researcher=user,
            round__study__in=access.studies_for_user(user, Capability.CONDUCT_VISITS),
        )
        .select_related("round__study", "household")
        .annotate(
            household_address=Case(
                When(
                    round__study__in=personal_studies,
                    then=Coalesce(F("household__contact__address"), Value("")),
                ),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .prefetch_related(
            Prefetch("round__guide", queryset=GuideQuestion.objects.order_by("position"))
        )
        .order_by("scheduled_start", "pk")
    )
    studies = {visit.round.study_id: visit.round.study for visit in visits}
    tags: dict[uuid.UUID, list[Tag]] = {study_id: [] for study_id in studies}
    for tag in _tags_for_user(user).filter(study_id__in=studies):
        tags[tag.study_id].append(tag)
    for study_id, study in studies.items():
        study.bundle_tags = tags[study_id]  # type: ignore[attr-defined]
    return OfflineBundle(
        time_zone=zone.key,
        first_day=first_day,
        last_day=last_day,
        generated_at=now,
        visits=visits,
        studies=sorted(studies.values(), key=lambda study: (study.title, str(study.pk))),
    )
