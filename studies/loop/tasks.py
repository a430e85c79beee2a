"""Celery entry points of the loop. Each takes ids or nothing, calls a service, and returns a
summary."""

from celery import shared_task

from studies.loop.services.digest import digests_send


class DigestsIncomplete(Exception):
    """Some digests failed to send (their claims were given back): retry for those."""


@shared_task(
    name="loop.send_weekly_digests",
    time_limit=1800,
    soft_time_limit=1740,
    autoretry_for=(DigestsIncomplete,),
    retry_backoff=300,
    retry_jitter=False,
    max_retries=4,
)
def send_weekly_digests() -> dict[str, object]:
    """Last week's digests, once each; run by beat on Mondays at 07:00 UTC (migration
    loop/0002). A retry re-sends only what failed: what went out is recorded as sent."""
    summary = digests_send()
    if summary.failed:
        raise DigestsIncomplete(summary.as_dict())
    return summary.as_dict()
