from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from studies.scheduling import services
from studies.scheduling.models import CalendarFeed


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A researcher's visits as iCalendar. The secret token in the URL is the credential."""
    feed = (
        CalendarFeed.objects.select_related("researcher")
        .filter(token=token, revoked_at__isnull=True, researcher__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    response = HttpResponse(
        services.calendar_feed_render(feed=feed), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="researchhub-visits.ics"'
    return response
