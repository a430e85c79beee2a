import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.exceptions import NotFound

from studies.common.health import CHECKS
from studies.common.transient import RETRY_AFTER_SECONDS, busy_message, is_transient


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = {name: check() for name, check in CHECKS.items()}
    healthy = all(result.ok for result in results.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": {
                name: {"ok": result.ok, "detail": result.detail} for name, result in results.items()
            },
        },
        status=200 if healthy else 503,
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL that matches nothing (a malformed id, a typo): the API's error shape under /api/,
    so clients parse one format, and the site's page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": {"detail": [str(NotFound.default_detail)]}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """An exception no view answered. A dependency out of reach for a moment (the database
    restarting, the broker down) is 503 with Retry-After — the API's error shape under
    /api/, a short "busy" page elsewhere —; anything else is a fault of ours: 500."""
    if not is_transient(sys.exc_info()[1]):
        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"errors": {"service": [busy_message()]}}, status=503)
    else:
        # Rendered without the request: its context (the user, the session) needs the
        # database that may be what is down.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
