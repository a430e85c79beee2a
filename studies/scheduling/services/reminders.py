"""E-mail reminders sent to researchers the evening before their visits."""

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.scheduling.models import Visit, VisitStatus


def _due_tomorrow(visit: Visit, now: dt.datetime) -> bool:
    zone = zoneinfo.ZoneInfo(visit.round.study.time_zone)
    local_now = now.astimezone(zone)
    return (
        local_now.hour >= settings.RESEARCHHUB_REMINDER_HOUR
        and visit.scheduled_start.astimezone(zone).date() == local_now.date() + dt.timedelta(1)
    )


def visit_reminders_send(*, now: dt.datetime | None = None) -> int:
    """E-mail each researcher once about tomorrow's visits, once evening comes in the
    study's zone. Safe to run every hour, or twice at once: each visit is reminded once.
    Returns the number of e-mails sent."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        candidates = (
            Visit.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=VisitStatus.SCHEDULED,
                reminder_sent_at__isnull=True,
                scheduled_start__gt=now,
                scheduled_start__lt=now + dt.timedelta(hours=48),
            )
            .select_related("round__study", "household", "researcher")
            .order_by("scheduled_start")
        )
        by_researcher: dict[int, list[Visit]] = defaultdict(list)
        for visit in candidates:
            if _due_tomorrow(visit, now):
                by_researcher[visit.researcher_id].append(visit)
        for visits in by_researcher.values():
            researcher = visits[0].researcher
            if researcher.email:
                _send(researcher.email, researcher.get_short_name() or researcher.username, visits)
                sent += 1
            Visit.objects.filter(pk__in=[visit.pk for visit in visits]).update(reminder_sent_at=now)
    return sent


def _send(address: str, name: str, visits: list[Visit]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        lines = []
        for visit in visits:
            zone = zoneinfo.ZoneInfo(visit.round.study.time_zone)
            lines.append(
                f"- {time_format(visit.scheduled_start.astimezone(zone), 'H:i')}"
                f"–{time_format(visit.scheduled_end.astimezone(zone), 'H:i')} "
                f"{visit.household.code} ({visit.round.study.title}, {visit.round.label})"
            )
        subject = ngettext(
            "Tomorrow: %(count)d visit", "Tomorrow: %(count)d visits", len(visits)
        ) % {"count": len(visits)}
        body = "\n".join(
            [
                _("Hello %(name)s,") % {"name": name},
                "",
                _("Your visits tomorrow:"),
                *lines,
                "",
                _("The discussion guide and the addresses are in the app: %(url)s")
                % {"url": settings.RESEARCHHUB_SITE_URL + "/"},
            ]
        )
    send_mail(subject, body, None, [address])
