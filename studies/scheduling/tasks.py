"""Celery entry points. Each takes ids or nothing, calls a service, and returns a summary."""

import uuid

from celery import shared_task

from studies.scheduling import services
from studies.scheduling.models import PanelImport
from studies.scheduling.services import panel
from studies.scheduling.services.calendar import calendar_departures_forget


@shared_task(name="scheduling.plan_due_rounds", time_limit=600, soft_time_limit=540)
def plan_due_rounds() -> list[dict[str, object]]:
    """Plan the next round of every active study whose lead time has begun."""
    return [
        {
            "study": str(outcome.round.study_id),
            "round": outcome.round.label,
            "created": outcome.created,
            "visits": len(outcome.visits),
            "unplaced": [household.code for household in outcome.unplaced],
        }
        for outcome in services.rounds_plan_due()
    ]


@shared_task(name="scheduling.send_visit_reminders", time_limit=300, soft_time_limit=240)
def send_visit_reminders() -> int:
    """E-mail researchers about tomorrow's visits; run hourly, it sends each reminder once."""
    return services.visit_reminders_send()


@shared_task(name="scheduling.check_panel_import", time_limit=300, soft_time_limit=240)
def check_panel_import(panel_import_id: str) -> dict[str, object]:
    """Make an uploaded panel file's preview: every row's outcome and problems."""
    panel_import = panel.panel_import_check(panel_import_id=uuid.UUID(panel_import_id))
    return _summary(panel_import)


@shared_task(name="scheduling.import_panel", time_limit=300, soft_time_limit=240)
def import_panel(panel_import_id: str, actor_id: int | None) -> dict[str, object]:
    """Import a confirmed panel file, all rows or none."""
    panel_import = panel.panel_import_apply(
        panel_import_id=uuid.UUID(panel_import_id), actor_id=actor_id
    )
    return _summary(panel_import)


@shared_task(name="scheduling.forget_panel_imports", time_limit=300, soft_time_limit=240)
def forget_panel_imports() -> int:
    """Delete panel uploads left unconfirmed for a day, with the contacts they hold."""
    return panel.panel_imports_forget()


@shared_task(name="scheduling.forget_calendar_departures", time_limit=300, soft_time_limit=240)
def forget_calendar_departures() -> int:
    """Delete the visits that left a researcher once her feed no longer lists them."""
    return calendar_departures_forget()


def _summary(panel_import: PanelImport | None) -> dict[str, object]:
    if panel_import is None:
        return {}
    return {
        "import": str(panel_import.pk),
        "status": panel_import.status,
        "new": panel_import.new_count,
        "unchanged": panel_import.unchanged_count,
        "problems": panel_import.problem_count,
    }
