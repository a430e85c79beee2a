"""Researchers' private iCalendar feeds: issuing, revoking and rendering them."""

import datetime as dt

import icalendar
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.models import User
from studies.scheduling.models import CalendarFeed, Visit, VisitStatus

# How far back a feed reaches: recent past visits stay visible in the phone's calendar.
FEED_HISTORY = dt.timedelta(days=60)

ICAL_STATUS = {
    VisitStatus.SCHEDULED: "CONFIRMED",
    VisitStatus.IN_PROGRESS: "CONFIRMED",
    VisitStatus.COMPLETED: "CONFIRMED",
    VisitStatus.CANCELLED: "CANCELLED",
    VisitStatus.NO_SHOW: "CANCELLED",
}


def calendar_feed_get_or_create(*, researcher: User) -> CalendarFeed:
    """The researcher's live feed, issued on first request.

    Two first requests at once race to issue it; the constraint allowing one live feed
    per researcher lets one win, and the other reads the winner's feed.
    """
    feed = CalendarFeed.objects.filter(researcher=researcher, revoked_at__isnull=True).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(researcher=researcher)
    except IntegrityError:
        return CalendarFeed.objects.get(researcher=researcher, revoked_at__isnull=True)


@transaction.atomic
def calendar_feed_revoke(*, researcher: User) -> None:
    """The current URL stops working at once; a new one is issued on request."""
    CalendarFeed.objects.filter(researcher=researcher, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_feed_url(feed: CalendarFeed) -> str:
    return settings.RESEARCHHUB_SITE_URL + reverse("calendar-feed", args=[feed.token])


def calendar_feed_render(*, feed: CalendarFeed, now: dt.datetime | None = None) -> bytes:
    """The feed as iCalendar text.

    Times are UTC instants. A VTIMEZONE block would let clients show the study's zone,
    but parsers read those blocks differently (dateutil, behind several clients, reads
    the RDATE form as one fixed offset), while a UTC instant is read the same way by
    all, and the phone shows it in its own zone: 09:00 stays 09:00 across a
    daylight-saving change. The feed holds pseudonyms only: calendar URLs end up at
    calendar providers, so no name or address goes in.
    """
    now = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//ResearchHub//Visits//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("ResearchHub visits"))
    visits = (
        Visit.objects.filter(researcher=feed.researcher, scheduled_end__gte=now - FEED_HISTORY)
        .select_related("round__study", "household")
        # Each change bumps SEQUENCE, which tells calendar apps to take the new version.
        .annotate(change_count=Count("changes"))
        .order_by("scheduled_start")
    )
    for visit in visits:
        study = visit.round.study
        event = icalendar.Event()
        event.add("uid", f"{visit.pk}@researchhub")
        event.add("dtstamp", visit.updated_at.astimezone(dt.UTC))
        event.add("last-modified", visit.updated_at.astimezone(dt.UTC))
        event.add("sequence", visit.change_count)
        event.add("dtstart", visit.scheduled_start.astimezone(dt.UTC))
        event.add("dtend", visit.scheduled_end.astimezone(dt.UTC))
        event.add(
            "summary",
            _("Visit %(code)s — %(study)s") % {"code": visit.household.code, "study": study.title},
        )
        event.add(
            "description",
            _("Round %(round)s. Open in ResearchHub: %(url)s")
            % {
                "round": visit.round.label,
                "url": settings.RESEARCHHUB_SITE_URL + f"/visits/{visit.pk}/",
            },
        )
        event.add("status", ICAL_STATUS[visit.status])
        calendar.add_component(event)
    return calendar.to_ical()
