"""The shapes of sync operations and results, and the limits they are held to."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy

from studies.fieldwork.models import (
    Observation,
)

MAX_OPERATIONS = 500
MAX_SPEAKER_LENGTH = 100
# A lost race costs one retry; a third loss in a row means heavy contention on one item.
ATTEMPTS = 3
# PostgreSQL's deadlock_detected and serialization_failure.
LOCK_CYCLE_STATES = {"40P01", "40001"}
# What an answer names when the device's edit time gave way to the server's.
CLAMPED = ("edited_at",)


class SyncOperationType(models.TextChoices):
    UPSERT = "upsert", gettext_lazy("Create or edit")
    DELETE = "delete", gettext_lazy("Delete")


class SyncStatus(models.TextChoices):
    APPLIED = "applied", gettext_lazy("Applied")
    DUPLICATE = "duplicate", gettext_lazy("Already received")
    CONFLICT = "conflict", gettext_lazy("Met a different version; conflict recorded")
    REJECTED = "rejected", gettext_lazy("Rejected")


@dataclass(frozen=True)
class ObservationUpsert:
    operation_id: uuid.UUID
    device_id: uuid.UUID
    visit_id: uuid.UUID
    kind: str
    text: str
    captured_at: dt.datetime
    edited_at: dt.datetime
    speaker: str = ""
    guide_question_id: uuid.UUID | None = None
    tags: tuple[str, ...] = ()
    # The edited_at the device sent, when it ran too far ahead of the server's clock and
    # edited_at holds the server's time instead (policies.edit_time_kept).
    sent_edited_at: dt.datetime | None = None


@dataclass(frozen=True)
class ObservationDelete:
    operation_id: uuid.UUID
    device_id: uuid.UUID
    edited_at: dt.datetime
    sent_edited_at: dt.datetime | None = None


@dataclass(frozen=True)
class UnreadableOperation:
    """An item the caller could not read; reported back as rejected, in its place."""

    operation_id: str | None
    device_id: str | None
    errors: dict[str, list[str]]


Applicable = ObservationUpsert | ObservationDelete
Operation = Applicable | UnreadableOperation


@dataclass
class SyncResult:
    operation_id: str | None
    device_id: str | None
    status: str
    observation: Observation | None = None
    errors: dict[str, list[str]] | None = None
    conflict: str | None = None
    # Fields whose device time was replaced by the server's (policies.edit_time_kept).
    clamped: tuple[str, ...] = ()
    observation_pk: uuid.UUID | None = field(default=None, repr=False)
    # Made now, not edited: the first of these on a scheduled visit starts it.
    created: bool = field(default=False, repr=False)


def rejected(operation: Applicable, errors: dict[str, list[str]]) -> SyncResult:
    return SyncResult(
        operation_id=str(operation.operation_id),
        device_id=str(operation.device_id),
        status=SyncStatus.REJECTED,
        errors=errors,
    )
