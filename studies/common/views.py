from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.exceptions import NotFound

from studies.common.health import CHECKS


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
