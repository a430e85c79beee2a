"""Reads the field pages (Today, capture) need, shaped for a phone that may go offline.

Everything here ends up in pages the service worker keeps on the device, so the rule is
strict: household code, segment and address only, never a participant's name, phone or
e-mail (the contact row is read with `values_list("address")` so those are never loaded).
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from studies.common.models import User
from studies.fieldwork.models import Observation, Photo
from studies.scheduling import policies as scheduling_policies
from studies.scheduling import selectors as scheduling_selectors
from studies.scheduling.models import HouseholdContact, Visit
from studies.scheduling.selectors import zone_or_utc


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
    """The visits of the researcher's field window (the ones her phone keeps offline, see
    studies.fieldwork.selectors.offline_bundle), each with its address."""
    window = scheduling_policies.field_window(
        now=now or timezone.now(), zone=zone_or_utc(user.time_zone), days=days
    )
    visits = list(scheduling_selectors.field_visit_list(user=user, window=window))
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
