"""Why an operation is refused: field errors, before anything is written."""

import datetime as dt
import uuid

from django.utils.translation import gettext as _

from studies.fieldwork.models import (
    ObservationKind,
)
from studies.fieldwork.services.observations.batch import Batch, normalise_tag_names
from studies.fieldwork.services.observations.types import (
    FINISH_GRACE,
    FUTURE_TOLERANCE,
    MAX_SPEAKER_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    Applicable,
    ObservationDelete,
    ObservationUpsert,
)
from studies.scheduling.models import Visit, VisitStatus


def _closed(visit: Visit, at: dt.datetime) -> bool:
    # An erased household's visits take nothing more, not even items captured before the
    # erasure and synced after it: the household asked for all of it to go.
    if visit.status in (VisitStatus.CANCELLED, VisitStatus.NO_SHOW) or visit.household.erased_at:
        return True
    return (
        visit.status == VisitStatus.COMPLETED
        and visit.finished_at is not None
        and at > visit.finished_at + FINISH_GRACE
    )


def _visit_errors(batch: Batch, visit_id: uuid.UUID) -> list[str]:
    if visit_id in batch.visits.allowed:
        return []
    if visit_id in batch.visits.forbidden:
        return [_("Only the visit's researcher or a research lead may capture on this visit.")]
    return [_("Not found, or not in a study of yours.")]


def _future_error() -> str:
    return _("This is more than a day ahead of the server's clock; check the device's date.")


def operation_errors(batch: Batch, operation: Applicable) -> dict[str, list[str]]:
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
