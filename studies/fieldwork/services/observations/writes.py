"""Creating, editing and deleting observations, with conflicts recorded."""

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from studies.fieldwork.models import (
    Observation,
    ObservationTag,
    SyncConflict,
    SyncOperation,
    Tag,
)
from studies.fieldwork.services.observations.batch import Batch
from studies.fieldwork.services.observations.types import (
    Applicable,
    ObservationDelete,
    ObservationUpsert,
    SyncOperationType,
    SyncResult,
    SyncStatus,
    rejected,
)
from studies.fieldwork.services.tags import normalise_tag_names, tags_by_name


def apply_operation(
    batch: Batch,
    operation: Applicable,
    new_tags: dict[uuid.UUID, dict[str, Tag]],
) -> SyncResult:
    observation = None
    if operation.device_id in batch.known:
        observation = (
            Observation.objects.select_for_update().filter(device_id=operation.device_id).first()
        )
    if isinstance(operation, ObservationDelete):
        if observation is None:
            # Its visit was deleted since the batch was loaded.
            return rejected(operation, {"device_id": [_("Not found.")]})
        return _delete(batch, operation, observation)
    if observation is None:
        return _create(batch, operation, new_tags)
    return _edit(batch, operation, observation, new_tags)


def _create(
    batch: Batch, operation: ObservationUpsert, new_tags: dict[uuid.UUID, dict[str, Tag]]
) -> SyncResult:
    visit = batch.visits.allowed[operation.visit_id]
    observation = Observation.objects.create(
        visit=visit,
        author=batch.user,
        device_id=operation.device_id,
        kind=operation.kind,
        text=operation.text,
        speaker=operation.speaker,
        guide_question_id=operation.guide_question_id,
        question_text=_wording(batch, operation),
        captured_at=operation.captured_at,
        edited_at=operation.edited_at,
    )
    tags = _tags(batch, visit.round.study_id, operation.tags, new_tags)
    _set_tags(observation, {tag.pk for tag in tags}, current=set())
    result = _record(batch, operation, observation, SyncStatus.APPLIED, wrote=True)
    result.created = True
    return result


def _edit(
    batch: Batch,
    operation: ObservationUpsert,
    observation: Observation,
    new_tags: dict[uuid.UUID, dict[str, Tag]],
) -> SyncResult:
    current = dict(observation.tags.values_list("pk", "name"))
    server_edited_at = observation.edited_at or observation.captured_at
    if operation.edited_at < server_edited_at:
        return _conflict_ignored(batch, operation, observation, sorted(current.values()))
    names = normalise_tag_names(operation.tags)
    unchanged = (
        observation.deleted_at is None
        and operation.edited_at == server_edited_at
        and (observation.kind, observation.text, observation.speaker)
        == (operation.kind, operation.text, operation.speaker)
        and observation.guide_question_id == operation.guide_question_id
        and {name.casefold() for name in current.values()} == {n.casefold() for n in names}
    )
    if unchanged:
        # The same version again under a new operation id (a device that lost its outbox
        # entry's id): nothing to write, but it is delivered.
        return _record(batch, operation, observation, SyncStatus.APPLIED, wrote=False)
    previous = _snapshot(observation, sorted(current.values()))
    overwrites_someone_else = _last_writer(observation) != batch.user.pk
    observation.kind = operation.kind
    observation.text = operation.text
    observation.speaker = operation.speaker
    if observation.guide_question_id != operation.guide_question_id:
        observation.question_text = _wording(batch, operation)
    observation.guide_question_id = operation.guide_question_id
    observation.edited_at = operation.edited_at
    observation.deleted_at = None
    observation.save(
        update_fields=[
            "kind",
            "text",
            "speaker",
            "guide_question",
            "question_text",
            "edited_at",
            "deleted_at",
            "updated_at",
        ]
    )
    study_id = batch.visits.allowed[observation.visit_id].round.study_id
    tags = _tags(batch, study_id, operation.tags, new_tags)
    _set_tags(observation, {tag.pk for tag in tags}, current=set(current))
    if overwrites_someone_else:
        return _conflict_applied(batch, operation, observation, previous, server_edited_at)
    return _record(batch, operation, observation, SyncStatus.APPLIED, wrote=True)


def _wording(batch: Batch, operation: ObservationUpsert) -> str | None:
    """The question's words as the answer is given to them (None for no question)."""
    if operation.guide_question_id is None:
        return None
    return batch.guide[operation.guide_question_id].text


def _delete(batch: Batch, operation: ObservationDelete, observation: Observation) -> SyncResult:
    if observation.deleted_at is not None:
        return _record(batch, operation, observation, SyncStatus.APPLIED, wrote=False)
    names = sorted(observation.tags.values_list("name", flat=True))
    server_edited_at = observation.edited_at or observation.captured_at
    if operation.edited_at < server_edited_at:
        return _conflict_ignored(batch, operation, observation, names)
    previous = _snapshot(observation, names)
    overwrites_someone_else = _last_writer(observation) != batch.user.pk
    observation.deleted_at = batch.now
    observation.edited_at = operation.edited_at
    observation.save(update_fields=["deleted_at", "edited_at", "updated_at"])
    if overwrites_someone_else:
        return _conflict_applied(batch, operation, observation, previous, server_edited_at)
    return _record(batch, operation, observation, SyncStatus.APPLIED, wrote=True)


def _last_writer(observation: Observation) -> int:
    """Who wrote the server's current version: the author of the last applied operation."""
    writer = (
        SyncOperation.objects.filter(observation=observation, result__wrote=True)
        .order_by("-received_at")
        .values_list("author_id", flat=True)
        .first()
    )
    return writer if writer is not None else observation.author_id


def _conflict_ignored(
    batch: Batch,
    operation: Applicable,
    observation: Observation,
    tag_names: list[str],
) -> SyncResult:
    SyncConflict.objects.create(
        observation=observation,
        operation_id=operation.operation_id,
        outcome=SyncConflict.Outcome.INCOMING_IGNORED,
        incoming=_incoming(operation),
        previous=_snapshot(observation, tag_names),
        incoming_edited_at=operation.edited_at,
        previous_edited_at=observation.edited_at or observation.captured_at,
    )
    return _record(
        batch,
        operation,
        observation,
        SyncStatus.CONFLICT,
        wrote=False,
        conflict=SyncConflict.Outcome.INCOMING_IGNORED,
    )


def _conflict_applied(
    batch: Batch,
    operation: Applicable,
    observation: Observation,
    previous: dict[str, Any],
    previous_edited_at: dt.datetime,
) -> SyncResult:
    SyncConflict.objects.create(
        observation=observation,
        operation_id=operation.operation_id,
        outcome=SyncConflict.Outcome.INCOMING_APPLIED,
        incoming=_incoming(operation),
        previous=previous,
        incoming_edited_at=operation.edited_at,
        previous_edited_at=previous_edited_at,
    )
    return _record(
        batch,
        operation,
        observation,
        SyncStatus.CONFLICT,
        wrote=True,
        conflict=SyncConflict.Outcome.INCOMING_APPLIED,
    )


def _record(
    batch: Batch,
    operation: Applicable,
    observation: Observation,
    status: str,
    *,
    wrote: bool,
    conflict: str | None = None,
) -> SyncResult:
    # The first answer, kept so a replay can be recognised; `wrote` tells later edits
    # whose version is on the server, `sent_edited_at` what a device clock running ahead
    # stamped before the server's time replaced it.
    SyncOperation.objects.create(
        operation_id=operation.operation_id,
        author=batch.user,
        observation=observation,
        result={
            "device_id": str(operation.device_id),
            "status": str(status),
            "conflict": str(conflict) if conflict else None,
            "wrote": wrote,
            "sent_edited_at": _iso(operation.sent_edited_at),
        },
    )
    return SyncResult(
        operation_id=str(operation.operation_id),
        device_id=str(operation.device_id),
        status=status,
        conflict=conflict,
        observation_pk=observation.pk,
    )


def _tags(
    batch: Batch,
    study_id: uuid.UUID,
    raw_names: Sequence[str],
    new_tags: dict[uuid.UUID, dict[str, Tag]],
) -> list[Tag]:
    """The tags by these names. What is created lands in `new_tags`, which the batch learns
    only once the item's savepoint holds (a rolled-back tag must not be remembered)."""
    known = dict(batch.tags.get(study_id, {}))
    tags = tags_by_name(study_id=study_id, names=raw_names, known=known)
    if len(known) != len(batch.tags.get(study_id, {})):
        new_tags[study_id] = known
    return tags


def _set_tags(observation: Observation, wanted: set[uuid.UUID], *, current: set[uuid.UUID]) -> None:
    if current - wanted:
        ObservationTag.objects.filter(observation=observation, tag_id__in=current - wanted).delete()
    if wanted - current:
        ObservationTag.objects.bulk_create(
            [ObservationTag(observation=observation, tag_id=tag_id) for tag_id in wanted - current]
        )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _snapshot(observation: Observation, tag_names: list[str]) -> dict[str, Any]:
    return {
        "kind": observation.kind,
        "text": observation.text,
        "speaker": observation.speaker,
        "guide_question": str(observation.guide_question_id)
        if observation.guide_question_id
        else None,
        "tags": tag_names,
        "captured_at": _iso(observation.captured_at),
        "edited_at": _iso(observation.edited_at),
        "deleted_at": _iso(observation.deleted_at),
    }


def _incoming(operation: Applicable) -> dict[str, Any]:
    sent = {"sent_edited_at": _iso(operation.sent_edited_at)} if operation.sent_edited_at else {}
    if isinstance(operation, ObservationDelete):
        return {
            "type": SyncOperationType.DELETE.value,
            "edited_at": _iso(operation.edited_at),
            **sent,
        }
    return {
        "type": SyncOperationType.UPSERT.value,
        "kind": operation.kind,
        "text": operation.text,
        "speaker": operation.speaker,
        "guide_question": str(operation.guide_question_id) if operation.guide_question_id else None,
        "tags": normalise_tag_names(operation.tags),
        "captured_at": _iso(operation.captured_at),
        "edited_at": _iso(operation.edited_at),
        **sent,
    }
