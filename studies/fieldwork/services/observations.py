"""Capture sync: every write of an observation, sent by devices as batches of operations.

Exactly once. An operation is remembered by its operation_id (SyncOperation), so a replay
is answered `duplicate`, with the observation as it now stands, and changes nothing.
Rejections are not remembered: they changed nothing, and the same operation may succeed
once its cause is gone (a delete sent before its capture, say). An observation is unique by its
device_id, so the same capture sent twice, even by two requests at the same instant, makes
one row: the loser of the race meets the unique index, rolls back its own item only and
takes the replay or edit path. Each operation runs in its own savepoint, in the order
sent, so a bad item is reported and the good ones around it are stored.

Offline edits, last write wins by `edited_at` (the device time of each version):
- an incoming version older than the server's is not applied: the server's version is
  kept and a SyncConflict(incoming_ignored) records what was sent;
- a same-time or newer version is applied. When the version it replaces was last written
  by someone else (a lead's correction, typically), the device cannot have seen that edit,
  so the overwrite is recorded as SyncConflict(incoming_applied).
Deletes leave a tombstone (deleted_at) under the same rule; a newer upsert revives one.
Without a "base version" from the client this is the simplest rule that never drops an
edit silently: each conflict row keeps both versions for a person to look at.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studies.common.models import User
from studies.fieldwork import selectors
from studies.fieldwork.access import CaptureVisits, capture_visits_for_user
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    SyncConflict,
    SyncOperation,
    Tag,
)
from studies.fieldwork.services.photos import photos_link_observations
from studies.scheduling.models import GuideQuestion, Study, Visit, VisitStatus

MAX_OPERATIONS = 500
MAX_TAGS = 20
MAX_TAG_LENGTH = 80
MAX_SPEAKER_LENGTH = 100
# A device clock more than a day ahead is a wrong date setting, not a time zone.
FUTURE_TOLERANCE = dt.timedelta(days=1)
# Phone clocks drift by minutes: an item captured just before "Finish" on a phone that runs
# a little fast must not be refused as captured after the visit.
FINISH_GRACE = dt.timedelta(minutes=10)
# A lost race costs one retry; a third loss in a row means heavy contention on one item.
ATTEMPTS = 3
# PostgreSQL's deadlock_detected and serialization_failure.
LOCK_CYCLE_STATES = {"40P01", "40001"}


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


@dataclass(frozen=True)
class ObservationDelete:
    operation_id: uuid.UUID
    device_id: uuid.UUID
    edited_at: dt.datetime


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
    observation_pk: uuid.UUID | None = field(default=None, repr=False)


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
    batch = _Batch.load(user=user, operations=operations)
    results = [_sync_one(batch, operation) for operation in operations]
    # Photos travel separately and may arrive first; they wait for their observation.
    photos_link_observations(
        device_ids=[r.device_id for r in results if r.status == SyncStatus.APPLIED and r.device_id]
    )
    return results


def normalise_tag_names(names: Iterable[str]) -> list[str]:
    """Names with runs of spaces collapsed, blanks dropped, case-insensitive repeats once."""
    unique: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if clean:
            unique.setdefault(clean.casefold(), clean)
    return list(unique.values())


@dataclass(frozen=True)
class _Known:
    """An observation the server holds, as far as checks before its lock need to know."""

    visit_id: uuid.UUID
    author_id: int


@dataclass
class _Batch:
    user: User
    now: dt.datetime
    received: dict[uuid.UUID, SyncOperation]
    known: dict[uuid.UUID, _Known]  # by device_id
    visits: CaptureVisits
    guide_rounds: dict[uuid.UUID, uuid.UUID]  # guide question → its round
    tags: dict[uuid.UUID, dict[str, Tag]]  # study → casefolded name → tag

    @classmethod
    def load(cls, *, user: User, operations: Sequence[Operation]) -> "_Batch":
        readable = [op for op in operations if not isinstance(op, UnreadableOperation)]
        upserts = [op for op in readable if isinstance(op, ObservationUpsert)]
        received = SyncOperation.objects.in_bulk([op.operation_id for op in readable])
        known = {
            device_id: _Known(visit_id=visit_id, author_id=author_id)
            for device_id, visit_id, author_id in Observation.objects.filter(
                device_id__in={op.device_id for op in readable}
            ).values_list("device_id", "visit_id", "author_id")
        }
        visits = capture_visits_for_user(
            user=user,
            visit_ids={op.visit_id for op in upserts} | {k.visit_id for k in known.values()},
        )
        questions = {op.guide_question_id for op in upserts if op.guide_question_id}
        guide_rounds = (
            dict(GuideQuestion.objects.filter(pk__in=questions).values_list("pk", "round_id"))
            if questions
            else {}
        )
        batch = cls(
            user=user,
            now=timezone.now(),
            received=received,
            known=known,
            visits=visits,
            guide_rounds=guide_rounds,
            tags={},
        )
        tagged_studies = {
            batch.visits.allowed[op.visit_id].round.study_id
            for op in upserts
            if op.tags and op.visit_id in batch.visits.allowed
        }
        for study_id in tagged_studies:
            batch.tags[study_id] = {}
        for tag in Tag.objects.filter(study_id__in=tagged_studies):
            batch.tags[tag.study_id][tag.name.casefold()] = tag
        return batch

    def reload(self, operation: Applicable) -> None:
        """After a lost race: learn what the winning request stored."""
        stored = SyncOperation.objects.filter(pk=operation.operation_id).first()
        if stored is not None:
            self.received[stored.pk] = stored
        row = (
            Observation.objects.filter(device_id=operation.device_id)
            .values_list("visit_id", "author_id")
            .first()
        )
        if row is not None:
            self.known[operation.device_id] = _Known(visit_id=row[0], author_id=row[1])
            seen = self.visits.allowed.keys() | self.visits.forbidden
            if row[0] not in seen:
                self.visits = capture_visits_for_user(user=self.user, visit_ids={*seen, row[0]})

    def remember(self, operation: Applicable, result: SyncResult) -> None:
        self.received[operation.operation_id] = SyncOperation(
            operation_id=operation.operation_id,
            author_id=self.user.pk,
            observation_id=result.observation_pk,
            result={"device_id": str(operation.device_id)},
        )
        if isinstance(operation, ObservationUpsert) and operation.device_id not in self.known:
            self.known[operation.device_id] = _Known(
                visit_id=operation.visit_id, author_id=self.user.pk
            )


def _rejected(operation: Applicable, errors: dict[str, list[str]]) -> SyncResult:
    return SyncResult(
        operation_id=str(operation.operation_id),
        device_id=str(operation.device_id),
        status=SyncStatus.REJECTED,
        errors=errors,
    )


def _sync_one(batch: _Batch, operation: Operation) -> SyncResult:
    if isinstance(operation, UnreadableOperation):
        return SyncResult(
            operation_id=operation.operation_id,
            device_id=operation.device_id,
            status=SyncStatus.REJECTED,
            errors=operation.errors,
        )
    for _attempt in range(ATTEMPTS):
        stored = batch.received.get(operation.operation_id)
        if stored is not None:
            return _replayed(batch, operation, stored)
        errors = _errors(batch, operation)
        if errors:
            return _rejected(operation, errors)
        new_tags: dict[uuid.UUID, dict[str, Tag]] = {}
        try:
            with transaction.atomic():
                result = _apply(batch, operation, new_tags)
        except IntegrityError:
            batch.reload(operation)
            continue
        if result.status != SyncStatus.REJECTED:
            batch.remember(operation, result)
        for study_id, tags in new_tags.items():
            batch.tags.setdefault(study_id, {}).update(tags)
        return result
    return _rejected(
        operation,
        {"device_id": [_("Other requests were changing this item at once; send it again.")]},
    )


def _replayed(batch: _Batch, operation: Applicable, stored: SyncOperation) -> SyncResult:
    if stored.author_id != batch.user.pk or stored.result.get("device_id") != str(
        operation.device_id
    ):
        return _rejected(
            operation, {"operation_id": [_("This operation id was already used for another item.")]}
        )
    return SyncResult(
        operation_id=str(operation.operation_id),
        device_id=str(operation.device_id),
        status=SyncStatus.DUPLICATE,
        observation_pk=stored.observation_id,
    )


def _closed(visit: Visit, at: dt.datetime) -> bool:
    if visit.status in (VisitStatus.CANCELLED, VisitStatus.NO_SHOW):
        return True
    return (
        visit.status == VisitStatus.COMPLETED
        and visit.finished_at is not None
        and at > visit.finished_at + FINISH_GRACE
    )


def _visit_errors(batch: _Batch, visit_id: uuid.UUID) -> list[str]:
    if visit_id in batch.visits.allowed:
        return []
    if visit_id in batch.visits.forbidden:
        return [_("Only the visit's researcher or a research lead may capture on this visit.")]
    return [_("Not found, or not in a study of yours.")]


def _future_error() -> str:
    return _("This is more than a day ahead of the server's clock; check the device's date.")


def _errors(batch: _Batch, operation: Applicable) -> dict[str, list[str]]:
    """What keeps the operation from being applied, by field; empty when nothing does."""
    errors: dict[str, list[str]] = {}
    known = batch.known.get(operation.device_id)
    horizon = batch.now + FUTURE_TOLERANCE
    if operation.edited_at > horizon:
        errors["edited_at"] = [_future_error()]

    if isinstance(operation, ObservationDelete):
        if known is None:
            errors["device_id"] = [
                _("No observation with this id has reached the server; send its capture first.")
            ]
            return errors
        visit_id, where = known.visit_id, "device_id"
    else:
        visit_id, where = operation.visit_id, "visit"
        if known is not None and known.visit_id != operation.visit_id:
            errors["visit"] = [_("This observation belongs to another visit.")]
            return errors
        if operation.captured_at > horizon:
            errors["captured_at"] = [_future_error()]
        if operation.edited_at < operation.captured_at:
            errors["edited_at"] = [_("An edit cannot be older than the capture.")]
        if operation.kind not in ObservationKind.values:
            errors["kind"] = [_("Unknown kind of observation.")]
        if not operation.text.strip():
            errors["text"] = [_("Write something to capture.")]
        if len(operation.speaker) > MAX_SPEAKER_LENGTH:
            errors["speaker"] = [_("At most 100 characters.")]
        names = normalise_tag_names(operation.tags)
        if len(names) > MAX_TAGS:
            errors["tags"] = [_("At most 20 tags per item.")]
        elif any(len(name) > MAX_TAG_LENGTH for name in names):
            errors["tags"] = [_("A tag name has at most 80 characters.")]

    visit_errors = _visit_errors(batch, visit_id)
    if visit_errors:
        errors[where] = visit_errors
        return errors
    visit = batch.visits.allowed[visit_id]
    if known is not None and not batch.visits.may_change(
        user=batch.user, visit_id=visit_id, author_id=known.author_id
    ):
        errors["device_id"] = [_("Only its author or a research lead may change this item.")]
    if _closed(visit, operation.edited_at):
        errors.setdefault(where, []).append(_("This visit is closed."))
    if isinstance(operation, ObservationUpsert):
        question = operation.guide_question_id
        if question is not None and batch.guide_rounds.get(question) != visit.round_id:
            errors["guide_question"] = [_("This question is not in the guide of this round.")]
        elif question is None and operation.kind == ObservationKind.ANSWER:
            errors["guide_question"] = [_("Say which guide question this answers.")]
    return errors


def _apply(
    batch: _Batch,
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
            return _rejected(operation, {"device_id": [_("Not found.")]})
        return _delete(batch, operation, observation)
    if observation is None:
        return _create(batch, operation, new_tags)
    return _edit(batch, operation, observation, new_tags)


def _create(
    batch: _Batch, operation: ObservationUpsert, new_tags: dict[uuid.UUID, dict[str, Tag]]
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
        captured_at=operation.captured_at,
        edited_at=operation.edited_at,
    )
    tags = _tags(batch, visit.round.study_id, operation.tags, new_tags)
    _set_tags(observation, {tag.pk for tag in tags}, current=set())
    return _record(batch, operation, observation, SyncStatus.APPLIED, wrote=True)


def _edit(
    batch: _Batch,
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
    observation.guide_question_id = operation.guide_question_id
    observation.edited_at = operation.edited_at
    observation.deleted_at = None
    observation.save(
        update_fields=[
            "kind",
            "text",
            "speaker",
            "guide_question",
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


def _delete(batch: _Batch, operation: ObservationDelete, observation: Observation) -> SyncResult:
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
    batch: _Batch,
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
    batch: _Batch,
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
    batch: _Batch,
    operation: Applicable,
    observation: Observation,
    status: str,
    *,
    wrote: bool,
    conflict: str | None = None,
) -> SyncResult:
    # The first answer, kept so a replay can be recognised; `wrote` tells later edits
    # whose version is on the server.
    SyncOperation.objects.create(
        operation_id=operation.operation_id,
        author=batch.user,
        observation=observation,
        result={
            "device_id": str(operation.device_id),
            "status": str(status),
            "conflict": str(conflict) if conflict else None,
            "wrote": wrote,
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
    batch: _Batch,
    study_id: uuid.UUID,
    raw_names: Sequence[str],
    new_tags: dict[uuid.UUID, dict[str, Tag]],
) -> list[Tag]:
    """The study's tags by these names, matched case-insensitively, missing ones created.

    Creation holds the study's row lock, so two requests adding "Storage" and "storage"
    at once both find one tag instead of one of them failing on the case-insensitive
    unique constraint. Names are created
    in sorted order so two items never wait on each other's tags in opposite orders.
    """
    names = normalise_tag_names(raw_names)
    if not names:
        return []
    known = batch.tags.setdefault(study_id, {})
    missing = [name for name in names if name.casefold() not in known]
    if not missing:
        return [known[name.casefold()] for name in names]
    list(Study.objects.select_for_update().filter(pk=study_id).values_list("pk", flat=True))
    fresh = {tag.name.casefold(): tag for tag in Tag.objects.filter(study_id=study_id)}
    for name in sorted(missing, key=str.casefold):
        if name.casefold() not in fresh:
            fresh[name.casefold()] = Tag.objects.create(study_id=study_id, name=name)
    new_tags[study_id] = fresh
    return [fresh[name.casefold()] for name in names]


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
    if isinstance(operation, ObservationDelete):
        return {"type": SyncOperationType.DELETE.value, "edited_at": _iso(operation.edited_at)}
    return {
        "type": SyncOperationType.UPSERT.value,
        "kind": operation.kind,
        "text": operation.text,
        "speaker": operation.speaker,
        "guide_question": str(operation.guide_question_id) if operation.guide_question_id else None,
        "tags": normalise_tag_names(operation.tags),
        "captured_at": _iso(operation.captured_at),
        "edited_at": _iso(operation.edited_at),
    }
