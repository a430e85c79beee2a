"""Celery entry points. Each takes ids or nothing, calls a service, and returns a summary."""

from celery import shared_task

from studies.scheduling import services


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
