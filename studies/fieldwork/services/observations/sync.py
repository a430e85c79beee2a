"""Running a batch: one savepoint per operation, in the order sent."""

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _

from studies.common.models import User
from studies.fieldwork import policies, selectors
from studies.fieldwork.models import (
    SyncOperation,
    Tag,
)
from studies.fieldwork.services.observations.batch import Batch
from studies.fieldwork.services.observations.checks import operation_errors
from studies.fieldwork.services.observations.types import (
    ATTEMPTS,
    CLAMPED,
    LOCK_CYCLE_STATES,
    MAX_OPERATIONS,
    Applicable,
    ObservationUpsert,
    Operation,
    SyncResult,
    SyncStatus,
    UnreadableOperation,
    rejected,
)
from studies.fieldwork.services.observations.writes import apply_operation
from studies.fieldwork.services.photos import photos_link_observations
from studies.scheduling.services import visits_start_by_capture

logger = logging.getLogger(__name__)


def observation_sync(*, user: User, operations: Sequence[Operation]) -> list[SyncResult]:
    """Apply a device's operations in order; one result per operation, in the same order.

    Queries: a handful to load what the batch refers to, then four per new item
    (savepoint, insert, remembered operation, release; one more to link tags) and about
    nine per edit.
    """
    if len(operations) > MAX_OPERATIONS:
        raise ValidationError(
            {"operations": [_("At most %(max)d operations per request.") % {"max": MAX_OPERATIONS}]}
        )
    try:
        # One transaction for the batch, a savepoint per item: one commit (one WAL flush)
        # instead of a hundred is most of what keeps a batch of 100 within 300 ms.
        with transaction.atomic():
            results = _sync_all(user, operations)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) not in LOCK_CYCLE_STATES:
            raise
        # Two batches holding some of the same new items in different orders each wait for
        # the other (a resend racing its original). PostgreSQL breaks the cycle by failing
        # one; that one runs again item by item, so it never holds two items' locks at once.
        results = _sync_all(user, operations)
    loaded = selectors.observations_by_pk(
        pks=[result.observation_pk for result in results if result.observation_pk]
    )
    for result in results:
        result.observation = loaded.get(result.observation_pk) if result.observation_pk else None
    return results


def _sync_all(user: User, operations: Sequence[Operation]) -> list[SyncResult]:
    batch = Batch.load(user=user, operations=operations)
    results = [_sync_one(batch, operation) for operation in operations]
    # Photos travel separately and may arrive first; they wait for their observation.
    photos_link_observations(
        device_ids=[r.device_id for r in results if r.status == SyncStatus.APPLIED and r.device_id]
    )
    _start_visits(batch, operations, results)
    return results


def _start_visits(batch: Batch, operations: Sequence[Operation], results: list[SyncResult]) -> None:
    """Scheduled visits that took their first items are started, at the earliest capture."""
    first: dict[uuid.UUID, dt.datetime] = {}
    for operation, result in zip(operations, results, strict=True):
        if result.created and isinstance(operation, ObservationUpsert):
            visit = batch.visits.allowed[operation.visit_id]
            if policies.capture_starts_visit(visit):
                earlier = first.get(visit.pk, operation.captured_at)
                first[visit.pk] = min(earlier, operation.captured_at)
    visits_start_by_capture(first_capture=first, actor=batch.user)


def _sync_one(batch: Batch, operation: Operation) -> SyncResult:
    if isinstance(operation, UnreadableOperation):
        return SyncResult(
            operation_id=operation.operation_id,
            device_id=operation.device_id,
            status=SyncStatus.REJECTED,
            errors=operation.errors,
        )
    operation = _with_kept_edit_time(batch, operation)
    for _attempt in range(ATTEMPTS):
        stored = batch.received.get(operation.operation_id)
        if stored is not None:
            return _replayed(batch, operation, stored)
        errors = operation_errors(batch, operation)
        if errors:
            return rejected(operation, errors)
        new_tags: dict[uuid.UUID, dict[str, Tag]] = {}
        try:
            with transaction.atomic():
                result = apply_operation(batch, operation, new_tags)
        except IntegrityError:
            batch.reload(operation)
            continue
        if result.status != SyncStatus.REJECTED:
            batch.remember(operation, result)
            if operation.sent_edited_at is not None:
                result.clamped = CLAMPED
                logger.warning(
                    "Sync operation %s by user %s: edited_at %s is ahead of the server's "
                    "clock; recorded at the server's time, %s.",
                    operation.operation_id,
                    batch.user.pk,
                    operation.sent_edited_at.isoformat(),
                    operation.edited_at.isoformat(),
                )
        for study_id, tags in new_tags.items():
            batch.tags.setdefault(study_id, {}).update(tags)
        return result
    return rejected(
        operation,
        {"device_id": [_("Other requests were changing this item at once; send it again.")]},
    )


def _with_kept_edit_time(batch: Batch, operation: Applicable) -> Applicable:
    """The operation with the edit time last-write-wins will compare: a device clock far
    ahead gives way to the server's (policies.edit_time_kept), and what it sent is kept."""
    kept = policies.edit_time_kept(operation.edited_at, now=batch.now)
    if kept == operation.edited_at:
        return operation
    return dataclasses.replace(operation, edited_at=kept, sent_edited_at=operation.edited_at)


def _replayed(batch: Batch, operation: Applicable, stored: SyncOperation) -> SyncResult:
    if stored.author_id != batch.user.pk or stored.result.get("device_id") != str(
        operation.device_id
    ):
        return rejected(
            operation, {"operation_id": [_("This operation id was already used for another item.")]}
        )
    return SyncResult(
        operation_id=str(operation.operation_id),
        device_id=str(operation.device_id),
        status=SyncStatus.DUPLICATE,
        clamped=CLAMPED if stored.result.get("sent_edited_at") else (),
        observation_pk=stored.observation_id,
    )
