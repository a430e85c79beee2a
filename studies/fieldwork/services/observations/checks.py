"""Why an operation is refused: field errors, before anything is written."""

import uuid

from django.utils.translation import gettext as _

from studies.fieldwork import policies
from studies.fieldwork.models import ObservationKind
from studies.fieldwork.services.observations.batch import Batch
from studies.fieldwork.services.observations.types import (
    MAX_SPEAKER_LENGTH,
    Applicable,
    ObservationDelete,
    ObservationUpsert,
)
from studies.fieldwork.services.tags import tag_names_error


def _visit_errors(batch: Batch, visit_id: uuid.UUID) -> list[str]:
    if visit_id in batch.visits.allowed:
        return []
    if visit_id in batch.visits.forbidden:
        return [_("Only the visit's researcher or a research lead may capture on this visit.")]
    return [_("Not found, or not in a study of yours.")]


def operation_errors(batch: Batch, operation: Applicable) -> dict[str, list[str]]:
    """What keeps the operation from being applied, by field; empty when nothing does.

    The device's times are judged as it sent them; an edited_at already replaced by the
    server's time (policies.edit_time_kept) is what the visit judges an edit by.
    """
    errors: dict[str, list[str]] = {}
    known = batch.known.get(operation.device_id)
    sent_edited_at = operation.sent_edited_at or operation.edited_at
    if refusal := policies.edit_time_refusal(sent_edited_at, now=batch.now):
        errors["edited_at"] = [refusal]

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
        if sent_edited_at < operation.captured_at:
            errors["edited_at"] = [_("An edit cannot be older than the capture.")]
        if operation.kind not in ObservationKind.values:
            errors["kind"] = [_("Unknown kind of observation.")]
        if not operation.text.strip():
            errors["text"] = [_("Write something to capture.")]
        if len(operation.speaker) > MAX_SPEAKER_LENGTH:
            errors["speaker"] = [_("At most 100 characters.")]
        if tags_error := tag_names_error(operation.tags):
            errors["tags"] = [tags_error]

    visit_errors = _visit_errors(batch, visit_id)
    if visit_errors:
        errors[where] = visit_errors
        return errors
    visit = batch.visits.allowed[visit_id]
    if isinstance(operation, ObservationUpsert) and (
        refusal := policies.captured_at_refusal(visit, operation.captured_at, now=batch.now)
    ):
        errors["captured_at"] = [refusal]
    if known is not None and not batch.visits.may_change(
        user=batch.user, visit_id=visit_id, author_id=known.author_id
    ):
        errors["device_id"] = [_("Only its author or a research lead may change this item.")]
    # A capture is judged by when it was captured, an edit or a delete by when it was made.
    at = operation.edited_at if known is not None else operation.captured_at
    if refusal := policies.capture_refusal(visit, at):
        errors.setdefault(where, []).append(refusal)
    if isinstance(operation, ObservationUpsert):
        question = operation.guide_question_id
        asked = batch.guide.get(question) if question is not None else None
        if question is not None and (asked is None or asked.round_id != visit.round_id):
            errors["guide_question"] = [_("This question is not in the guide of this round.")]
        elif question is None and operation.kind == ObservationKind.ANSWER:
            errors["guide_question"] = [_("Say which guide question this answers.")]
    return errors
