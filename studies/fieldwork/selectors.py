"""Reads of the fieldwork app that shape a queryset: what is joined, prefetched, annotated.

Callers have reached the visit or study through an access function first; these only
decide how rows are loaded. Personal data (HouseholdContact) is read in one place, the
offline bundle, and only the address and phone a researcher needs at the door.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields import CharField
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from studies.common.models import User
from studies.common.roles import Capability
from studies.fieldwork import policies
from studies.fieldwork.models import Observation, Photo, PhotoStatus, PhotoTag, Tag
from studies.scheduling import access
from studies.scheduling import policies as scheduling_policies
from studies.scheduling import selectors as scheduling_selectors
from studies.scheduling.models import GuideQuestion, HouseholdContact, Study, Visit
from studies.scheduling.selectors import zone_or_utc

OFFLINE_BUNDLE_DEFAULT_DAYS = 3
OFFLINE_BUNDLE_MAX_DAYS = 7


def _observations() -> QuerySet[Observation]:
    return Observation.objects.select_related("author", "guide_question").prefetch_related(
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


def study_tag_list(*, study: Study, user: User) -> list[Tag]:
    """The study's tags in chip order (policies.tag_chip_order) for this user, each with
    `last_used_at`: when the user last captured a live note or photo with it. Two queries."""
    return _chip_tags(Tag.objects.filter(study=study), user)


def _chip_tags(tags: QuerySet[Tag], user: User) -> list[Tag]:
    loaded = list(
        tags.annotate(
            noted_at=Max(
                "observations__captured_at",
                filter=Q(observations__author=user, observations__deleted_at__isnull=True),
            )
        )
    )
    pictured = dict(
        PhotoTag.objects.filter(
            tag__in=[tag.pk for tag in loaded], photo__author=user, photo__deleted_at__isnull=True
        )
        .values_list("tag_id")
        .annotate(at=Max("photo__captured_at"))
        .order_by()
    )
    for tag in loaded:
        uses = [moment for moment in (tag.noted_at, pictured.get(tag.pk)) if moment is not None]
        tag.last_used_at = max(uses, default=None)  # type: ignore[attr-defined]
    return policies.tag_chip_order(loaded)


@dataclass(frozen=True)
class OfflineBundle:
    time_zone: str
    first_day: dt.date
    last_day: dt.date
    generated_at: dt.datetime
    visits: list[Visit]  # each with `household_address`, guide prefetched on its round
    studies: list[Study]  # each with `bundle_tags`: study_tag_list for the user


def offline_bundle(
    *, user: User, days: int = OFFLINE_BUNDLE_DEFAULT_DAYS, now: dt.datetime | None = None
) -> OfflineBundle:
    """What the phone keeps to work offline: the visits of the researcher's field window
    (scheduling.policies.field_window: the same visits Today lists), with guides and tags.

    The household's address and phone are included where the user may see personal data
    (researchers need them to get there and ring the bell) and the household is still in
    the panel; its name and e-mail are never read.
    """
    now = now or timezone.now()
    window = scheduling_policies.field_window(now=now, zone=zone_or_utc(user.time_zone), days=days)
    contact = HouseholdContact.objects.filter(
        household=OuterRef("household_id"),
        household__enrolments__study=OuterRef("round__study_id"),
        household__enrolments__left_at__isnull=True,
    )
    personal = Q(round__study__in=access.studies_for_user(user, Capability.VIEW_PERSONAL_DATA))
    visits = list(
        scheduling_selectors.field_visit_list(user=user, window=window)
        .annotate(
            household_address=Case(
                When(personal, then=Coalesce(Subquery(contact.values("address")[:1]), Value(""))),
                default=Value(""),
                output_field=CharField(),
            ),
            household_phone=Case(
                When(personal, then=Coalesce(Subquery(contact.values("phone")[:1]), Value(""))),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .prefetch_related(Prefetch("round__guide", queryset=GuideQuestion.objects.asked()))
    )
    for visit in visits:
        visit.takes_captures = policies.takes_captures_now(visit, now)  # type: ignore[attr-defined]
    studies = {visit.round.study_id: visit.round.study for visit in visits}
    tags: dict[uuid.UUID, list[Tag]] = {study_id: [] for study_id in studies}
    for tag in _chip_tags(Tag.objects.filter(study_id__in=studies), user):
        tags[tag.study_id].append(tag)
    for study_id, study in studies.items():
        study.bundle_tags = tags[study_id]  # type: ignore[attr-defined]
    return OfflineBundle(
        time_zone=window.time_zone,
        first_day=window.first_day,
        last_day=window.last_day,
        generated_at=now,
        visits=visits,
        studies=sorted(studies.values(), key=lambda study: (study.title, str(study.pk))),
    )


@dataclass(frozen=True)
class CapturedItem:
    """One item captured on a visit: an observation (with `shown_photos`, the photos
    attached to it) or a photo of its own."""

    captured_at: dt.datetime
    observation: Observation | None = None
    photo: Photo | None = None


def visit_captured_list(*, visit: Visit) -> list[CapturedItem]:
    """What was captured on a visit, in the order it was taken: its live observations, each
    with the photos attached to it, and the photos of their own (no note, or a note since
    deleted). Photos are those anyone may see (consented, not deleted), failed ones left
    out. Four queries: observations with their guide question, their tags, the photos,
    their tags."""
    observations = {
        observation.pk: observation for observation in visit_observation_list(visit=visit)
    }
    for observation in observations.values():
        observation.shown_photos = []  # type: ignore[attr-defined]
    items = [
        CapturedItem(captured_at=observation.captured_at, observation=observation)
        for observation in observations.values()
    ]
    photos = (
        Photo.objects.shown()
        .filter(visit=visit)
        .exclude(status=PhotoStatus.FAILED)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by(Lower("name"), "pk")))
        .order_by("captured_at", "pk")
    )
    for photo in photos:
        if photo.observation_id in observations:
            observations[photo.observation_id].shown_photos.append(photo)  # type: ignore[attr-defined]
        else:
            items.append(CapturedItem(captured_at=photo.captured_at, photo=photo))
    items.sort(key=lambda item: item.captured_at)
    return items
