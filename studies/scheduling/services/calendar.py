"""Researchers' private iCalendar feeds: issuing, revoking and rendering them, and
keeping the visits that leave a researcher in her feed, cancelled, for a while.

An event's SEQUENCE tells calendar apps which version of it is newest, so it must only
grow for a UID (the visit's UUID). A visit's event carries the number of changes in its
history (VisitChange rows, written with every move, reassignment and status change and
never edited or deleted while the visit lives). A visit leaving a researcher gets one more
than it had before it left, which is above every version her feed showed; if it comes back
to her, the change that brings it back lifts its count to above that again.
"""

import datetime as dt
import uuid

import icalendar
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.models import User
from studies.scheduling import selectors
from studies.scheduling.models import CalendarDeparture, CalendarFeed, Visit, VisitStatus

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


def calendar_departures_record(*, visits: QuerySet[Visit], now: dt.datetime | None = None) -> int:
    """The visits leave their researchers' calendars (handed to someone else; a way of
    deleting visits would call it too): each researcher's feed lists its visit, cancelled,
    as it shows it now.

    Call it before the change is written, while the visits read as her feed shows them.
    Returns how many departures it recorded.
    """
    now = now or timezone.now()
    departures = [
        CalendarDeparture(
            researcher_id=visit.researcher_id,
            visit_uuid=visit.pk,
            household_code=visit.household.code,
            study_title=visit.round.study.title,
            scheduled_start=visit.scheduled_start,
            scheduled_end=visit.scheduled_end,
            sequence=visit.change_count + 1,
            departed_at=now,
        )
        for visit in visits.select_related("household", "round__study").annotate(
            change_count=Count("changes")
        )
    ]
    # A visit that left her before, came back and leaves again: the newer departure wins.
    CalendarDeparture.objects.bulk_create(
        departures,
        update_conflicts=True,
        unique_fields=["researcher", "visit_uuid"],
        update_fields=[
            "household_code",
            "study_title",
            "scheduled_start",
            "scheduled_end",
            "sequence",
            "departed_at",
            "updated_at",
        ],
    )
    return len(departures)


def calendar_departure_withdraw(*, visit_id: uuid.UUID, researcher_id: int) -> None:
    """The visit is the researcher's again: her feed lists it live, no longer cancelled."""
    CalendarDeparture.objects.filter(researcher_id=researcher_id, visit_uuid=visit_id).delete()


def calendar_departures_forget(*, now: dt.datetime | None = None) -> int:
    """Delete the departures feeds no longer list; returns how many."""
    now = now or timezone.now()
    deleted, _per_model = CalendarDeparture.objects.filter(
        departed_at__lt=now - selectors.DEPARTED_EVENTS_KEPT
    ).delete()
    return deleted


def _summary(household_code: str, study_title: str) -> str:
    return _("Visit %(code)s — %(study)s") % {"code": household_code, "study": study_title}


def _event(
    *,
    visit_id: uuid.UUID,
    changed_at: dt.datetime,
    sequence: int,
    start: dt.datetime,
    end: dt.datetime,
    summary: str,
    description: str,
    status: str,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{visit_id}@researchhub")
    event.add("dtstamp", changed_at.astimezone(dt.UTC))
    event.add("last-modified", changed_at.astimezone(dt.UTC))
    event.add("sequence", sequence)
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", status)
    return event


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
    for visit in selectors.calendar_feed_visits(researcher=feed.researcher, now=now):
        calendar.add_component(
            _event(
                visit_id=visit.pk,
                changed_at=visit.updated_at,
                sequence=visit.change_count,
                start=visit.scheduled_start,
                end=visit.scheduled_end,
                summary=_summary(visit.household.code, visit.round.study.title),
                description=_("Round %(round)s. Open in ResearchHub: %(url)s")
                % {
                    "round": visit.round.label,
                    "url": settings.RESEARCHHUB_SITE_URL + f"/visits/{visit.pk}/",
                },
                status=ICAL_STATUS[visit.status],
            )
        )
    for departure in selectors.calendar_feed_departures(researcher=feed.researcher, now=now):
        calendar.add_component(
            _event(
                visit_id=departure.visit_uuid,
                changed_at=departure.departed_at,
                sequence=departure.sequence,
                start=departure.scheduled_start,
                end=departure.scheduled_end,
                summary=_summary(departure.household_code, departure.study_title),
                description=_("This visit is no longer on your ResearchHub schedule."),
                status="CANCELLED",
            )
        )
    return calendar.to_ical()
