"""What a batch refers to, loaded in a few queries before any operation runs."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from studies.common.models import User
from studies.fieldwork.access import CaptureVisits, capture_visits_for_user
from studies.fieldwork.models import (
    Observation,
    SyncOperation,
    Tag,
)
from studies.fieldwork.services.observations.types import (
    Applicable,
    ObservationUpsert,
    Operation,
    SyncResult,
    UnreadableOperation,
)
from studies.scheduling.models import GuideQuestion


@dataclass(frozen=True)
class _Known:
    """An observation the server holds, as far as checks before its lock need to know."""

    visit_id: uuid.UUID
    author_id: int


@dataclass
class Batch:
    user: User
    now: dt.datetime
    received: dict[uuid.UUID, SyncOperation]
    known: dict[uuid.UUID, _Known]  # by device_id
    visits: CaptureVisits
    guide: dict[uuid.UUID, GuideQuestion]  # the guide questions answered, by id
    tags: dict[uuid.UUID, dict[str, Tag]]  # study → casefolded name → tag

    @classmethod
    def load(cls, *, user: User, operations: Sequence[Operation]) -> "Batch":
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
        guide = (
            GuideQuestion.objects.only("pk", "round_id", "text").in_bulk(list(questions))
            if questions
            else {}
        )
        batch = cls(
            user=user,
            now=timezone.now(),
            received=received,
            known=known,
            visits=visits,
            guide=guide,
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
            result={
                "device_id": str(operation.device_id),
                "sent_edited_at": (
                    operation.sent_edited_at.isoformat() if operation.sent_edited_at else None
                ),
            },
        )
        if isinstance(operation, ObservationUpsert) and operation.device_id not in self.known:
            self.known[operation.device_id] = _Known(
                visit_id=operation.visit_id, author_id=self.user.pk
            )
