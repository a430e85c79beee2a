"""Reads the field pages (Today, capture) need, shaped for a phone that may go offline.

Everything here ends up in pages the service worker keeps on the device, so the rule is
strict: household code, segment and address only, never a participant's name, phone or
e-mail (the contact row is read with `values_list("address")` so those are never loaded).
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from studies.common.models import User
from studies.fieldwork.models import Observation, Photo, Tag
from studies.scheduling import selectors as scheduling_selectors
from studies.scheduling.models import HouseholdContact, Study, Visit, VisitStatus

# A visit in one of these states takes no more captures, edits or deletions.
CLOSED_STATUSES = frozenset({VisitStatus.COMPLETED, VisitStatus.CANCELLED, VisitStatus.NO_SHOW})


@dataclass
class FieldVisit:
    visit: Visit
    address: str


def address_map(household_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = HouseholdContact.objects.filter(household_id__in=household_ids).values_list(
        "household_id", "address"
    )
    return dict(rows)


def today_visit_list(*, user: User, days: int, now: dt.datetime | None = None) -> list[FieldVisit]:
    """The researcher's live visits from now for `days` days, each with its address."""
    visits = list(scheduling_selectors.visit_list_upcoming(user=user, days=days, now=now))
    addresses = address_map([visit.household_id for visit in visits])
    return [
        FieldVisit(visit=visit, address=addresses.get(visit.household_id, "")) for visit in visits
    ]


def visit_address(*, visit: Visit) -> str:
    return address_map([visit.household_id]).get(visit.household_id, "")


def capture_observation_list(*, visit: Visit) -> QuerySet[Observation]:
    return (
        Observation.objects.filter(visit=visit, deleted_at__isnull=True)
        .prefetch_related("tags")
        .order_by("captured_at")
    )


def capture_photo_list(*, visit: Visit) -> QuerySet[Photo]:
    return Photo.objects.shown().filter(visit=visit).order_by("captured_at")


def capture_tag_list(*, study: Study, user: User) -> list[Tag]:
    """The study's tags for the chip row: the user's recently used first (newest first),
    then the suggested ones (those in a default group), then the rest by name."""
    tags = list(
        Tag.objects.filter(study=study).annotate(
            last_used=Max(
                "observationtag__observation__captured_at",
                filter=Q(observationtag__observation__author=user),
            )
        )
    )
    return sorted(
        tags,
        key=lambda tag: (
            tag.last_used is None,
            -tag.last_used.timestamp() if tag.last_used else 0,
            not tag.group,
            tag.name.casefold(),
        ),
    )
