"""An import's steps: the file received (`panel_import_receive`), checked into a preview in
a task (`panel_import_check`), confirmed (`panel_import_confirm`), and imported in another
task (`panel_import_apply`), all rows or none, with its progress kept in the cache."""

import datetime as dt
import logging
import uuid
from collections.abc import Mapping, Sequence
from functools import partial
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.common.audit import audit_record
from studies.common.errors import ConflictError
from studies.common.models import AuditAction, User
from studies.scheduling import policies
from studies.scheduling.models import (
    Consent,
    Enrolment,
    Household,
    HouseholdContact,
    PanelImport,
    PanelImportStatus,
    Study,
)
from studies.scheduling.selectors import local_day_bounds, zone_or_utc
from studies.scheduling.services.panel.files import MAX_IMPORT_BYTES, _refuse_file, file_cells
from studies.scheduling.services.panel.preview import CheckOutcome, rows_check

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


def _progress_key(panel_import_id: uuid.UUID) -> str:
    return f"panel-import:{panel_import_id}:done"


def _record_progress(panel_import_id: uuid.UUID, done: int) -> None:
    # The cache, not the row: the import runs in one transaction, and what it wrote is
    # invisible to the page asking how far it got until it commits.
    cache.set(_progress_key(panel_import_id), done, timeout=3600)


def panel_import_progress(panel_import: PanelImport) -> int:
    """How many rows the check or the import has got through."""
    if panel_import.status in (PanelImportStatus.CHECKED, PanelImportStatus.IMPORTED):
        return panel_import.rows_total
    return int(cache.get(_progress_key(panel_import.pk), panel_import.rows_done))


@transaction.atomic
def panel_import_receive(
    *, study: Study, actor: User, upload: UploadedFile, language: str = ""
) -> PanelImport:
    """Read an uploaded file into cells and queue its check. A file that is empty, too
    large, or not a spreadsheet is refused (400) and nothing is kept."""
    policies.refuse_if_closed(study)
    size = upload.size or 0
    if size > MAX_IMPORT_BYTES:
        raise _refuse_file(
            _("The file is %(size)s MB; the largest accepted is %(limit)s MB.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_IMPORT_BYTES // 1024 // 1024}
        )
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise _refuse_file(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_IMPORT_BYTES // 1024 // 1024}
        )
    header, cells = file_cells(data)
    panel_import = PanelImport.objects.create(
        study=study,
        created_by=actor,
        file_name=(upload.name or "")[:255],
        file_size=len(data),
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        header=header,
        cells=cells,
        rows_total=len(cells),
    )
    transaction.on_commit(partial(_enqueue, "check", panel_import.pk))
    return panel_import


def _enqueue(step: str, panel_import_id: uuid.UUID, actor_id: int | None = None) -> None:
    from studies.scheduling import tasks

    task = tasks.check_panel_import if step == "check" else tasks.import_panel
    args = [str(panel_import_id)] if step == "check" else [str(panel_import_id), actor_id]
    try:
        task.delay(*args)
    except Exception:
        # No broker: do it now rather than leave the import waiting for ever.
        logger.exception("Could not queue the panel import's %s; running it inline", step)
        task(*args)


def panel_import_check(*, panel_import_id: uuid.UUID) -> PanelImport | None:
    """Make the preview: every row's outcome and problems. Writes nothing but the import."""
    panel_import = PanelImport.objects.select_related("study").filter(pk=panel_import_id).first()
    if panel_import is None or panel_import.status != PanelImportStatus.CHECKING:
        return panel_import

    def progress(done: int) -> None:
        _record_progress(panel_import.pk, done)

    with translation.override(panel_import.language or settings.LANGUAGE_CODE):
        outcome = rows_check(
            study=panel_import.study,
            header=panel_import.header,
            cells=panel_import.cells,
            on_progress=progress,
        )
    _store(panel_import, outcome)
    return panel_import


def _store(panel_import: PanelImport, outcome: CheckOutcome) -> None:
    panel_import.rows = outcome.rows
    panel_import.file_problems = outcome.file_problems
    panel_import.new_count = outcome.new
    panel_import.unchanged_count = outcome.unchanged
    panel_import.problem_count = outcome.problems
    panel_import.rows_done = panel_import.rows_total
    panel_import.status = PanelImportStatus.CHECKED
    panel_import.save(
        update_fields=[
            "rows",
            "file_problems",
            "new_count",
            "unchanged_count",
            "problem_count",
            "rows_done",
            "status",
            "updated_at",
        ]
    )


def problems_message(panel_import: PanelImport) -> str:
    if panel_import.file_problems:
        return _("The file's columns have problems: fix them and upload the file again.")
    return ngettext(
        "%(count)d row has a problem: fix it and upload the file again.",
        "%(count)d rows have problems: fix them and upload the file again.",
        panel_import.problem_count,
    ) % {"count": panel_import.problem_count}


@transaction.atomic
def panel_import_confirm(*, panel_import: PanelImport, actor: User) -> PanelImport:
    """Import a checked file: queued, all rows or none (409 if it cannot be imported)."""
    locked = PanelImport.objects.select_for_update().select_related("study").get(pk=panel_import.pk)
    policies.refuse_if_closed(locked.study)
    refusals = {
        PanelImportStatus.IMPORTED: _("This file was imported already."),
        PanelImportStatus.IMPORTING: _("This file is being imported."),
        PanelImportStatus.CHECKING: _("This file is still being checked: wait for the preview."),
    }
    if locked.status in refusals:
        raise ConflictError({"import": [refusals[locked.status]]})
    if locked.has_problems:
        raise ConflictError({"import": [problems_message(locked)]})
    locked.status = PanelImportStatus.IMPORTING
    locked.rows_done = 0
    locked.save(update_fields=["status", "rows_done", "updated_at"])
    _record_progress(locked.pk, 0)
    transaction.on_commit(partial(_enqueue, "import", locked.pk, actor.pk))
    return locked


def panel_import_apply(*, panel_import_id: uuid.UUID, actor_id: int | None) -> PanelImport | None:
    """Check the rows again against the panel as it is now, then import them all in one
    transaction; if any row has a problem now, nothing is imported and the preview shows
    the problems."""
    with transaction.atomic():
        panel_import = (
            PanelImport.objects.select_for_update()
            .select_related("study")
            .filter(pk=panel_import_id)
            .first()
        )
        if panel_import is None or panel_import.status != PanelImportStatus.IMPORTING:
            return panel_import
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        previous = {row["line"]: row["code"] for row in panel_import.rows if row["generated"]}
        with translation.override(panel_import.language or settings.LANGUAGE_CODE):
            outcome = rows_check(
                study=panel_import.study,
                header=panel_import.header,
                cells=panel_import.cells,
                previous_codes=previous,
            )
        if outcome.file_problems or outcome.problems:
            _store(panel_import, outcome)
            return panel_import
        _create(panel_import, outcome.rows, actor)
        panel_import.status = PanelImportStatus.IMPORTED
        panel_import.imported_at = timezone.now()
        panel_import.new_count, panel_import.unchanged_count = outcome.new, outcome.unchanged
        panel_import.rows_done = panel_import.rows_total
        # What the lead needs to see afterwards: codes and outcomes, no names or contacts.
        panel_import.rows = [
            {"line": row["line"], "code": row["code"], "outcome": row["outcome"]}
            for row in outcome.rows
        ]
        panel_import.cells = []
        panel_import.save(
            update_fields=[
                "status",
                "imported_at",
                "new_count",
                "unchanged_count",
                "rows_done",
                "rows",
                "cells",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.PANEL_IMPORTED,
            study_id=panel_import.study_id,
            detail={
                "import": str(panel_import.pk),
                "file": panel_import.file_name,
                "new": outcome.new,
                "unchanged": outcome.unchanged,
                "households": [row["code"] for row in outcome.rows if row["outcome"] == "new"],
            },
        )
    return panel_import


def _create(
    panel_import: PanelImport, rows: Sequence[Mapping[str, Any]], actor: User | None
) -> None:
    """The new rows' households, contacts, enrolments and consents: bulk inserts, a batch
    at a time, recording progress as they go."""
    study = panel_import.study
    zone = zone_or_utc(study.time_zone)
    new_rows = [row for row in rows if row["outcome"] == "new"]
    done = len(rows) - len(new_rows)
    for batch in batched(new_rows, BATCH_SIZE):
        households = [
            Household(
                code=row["code"], segment=row["segment"], segment_phrase=row["segment_phrase"]
            )
            for row in batch
        ]
        Household.objects.bulk_create(households)
        HouseholdContact.objects.bulk_create(
            HouseholdContact(
                household=household,
                name=row["name"],
                address=row["address"],
                phone=row["phone"],
                email=row["email"],
            )
            for household, row in zip(households, batch, strict=True)
        )
        Enrolment.objects.bulk_create(
            Enrolment(study=study, household=household) for household in households
        )
        Consent.objects.bulk_create(
            Consent(
                household=household,
                kind=kind,
                version=version,
                given_at=local_day_bounds(dt.date.fromisoformat(day), zone)[0],
                recorded_by=actor,
            )
            for household, row in zip(households, batch, strict=True)
            for kind, (day, version) in row["consents"].items()
        )
        done += len(batch)
        _record_progress(panel_import.pk, done)


# An upload never confirmed holds the file's names and contacts: kept this long for its lead
# to come back to, then forgotten.
UNCONFIRMED_KEPT = dt.timedelta(days=1)


def panel_imports_forget(*, now: dt.datetime | None = None) -> int:
    """Delete uploads left unconfirmed for UNCONFIRMED_KEPT. Returns how many went."""
    cutoff = (now or timezone.now()) - UNCONFIRMED_KEPT
    deleted, _per_model = PanelImport.objects.filter(
        status__in=[PanelImportStatus.CHECKING, PanelImportStatus.CHECKED], created_at__lt=cutoff
    ).delete()
    return deleted
