"""Photo files, served only to the team of the photo's study.

Photos are taken inside people's homes: there is no public media URL. Every request goes
through the photo's access function (404 for anyone outside the study) and the answer
may be cached by the viewer's browser only.
"""

import uuid
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from studies.fieldwork.models import PhotoStatus
from studies.fieldwork.services import photos

# (rendition, extension) in the URL → the Photo field holding the file, and its type
RENDITIONS = {
    ("thumb", "webp"): ("thumb_webp", "image/webp"),
    ("thumb", "jpg"): ("thumb_jpeg", "image/jpeg"),
    ("web", "webp"): ("web_webp", "image/webp"),
    ("web", "jpg"): ("web_jpeg", "image/jpeg"),
    ("original", "jpg"): ("original", "image/jpeg"),
}
# The files at a URL only change if the photo is processed again, into the same bytes.
BROWSER_CACHE_SECONDS = 24 * 60 * 60


def _handed_to_the_proxy(name: str, content_type: str) -> HttpResponse:
    """Access is checked here; the proxy (nginx's X-Accel-Redirect) sends the bytes from an
    `internal` location that answers nothing to a request made from outside."""
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = settings.RESEARCHHUB_PHOTO_ACCEL_PREFIX + quote(name)
    patch_cache_control(response, private=True, max_age=BROWSER_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
@login_required
def photo_file(
    request: HttpRequest, photo_id: uuid.UUID, rendition: str, extension: str
) -> HttpResponse:
    field, content_type = RENDITIONS.get((rendition, extension), (None, None))
    if field is None:
        raise Http404
    photo = photos.photo_get_for_user(user=request.user, photo_id=photo_id)
    name = getattr(photo, field).name
    if photo.status != PhotoStatus.READY or not name:
        raise Http404
    if settings.RESEARCHHUB_PHOTO_ACCEL_PREFIX:
        return _handed_to_the_proxy(name, content_type)
    try:
        stored = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(stored, content_type=content_type)
    patch_cache_control(response, private=True, max_age=BROWSER_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response
