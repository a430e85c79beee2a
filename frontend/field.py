"""The researcher's field app: Today, the capture screen, and what makes it an installable,
offline-first web app (the manifest and the service worker).

The capture screen is rendered once by the server with everything it needs to work
offline (visit, guide, tags, the items already received) in a JSON island; the JavaScript
modules keep new items in the device's outbox until our server confirms them.
"""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from studies.common.audit import audit_personal_data_shown
from studies.common.roles import Capability, role_can
from studies.fieldwork import policies as fieldwork_policies
from studies.fieldwork import selectors as fieldwork_selectors
from studies.fieldwork.models import Observation, Photo, PhotoStatus
from studies.fieldwork.services import photos as photo_services
from studies.scheduling import access
from studies.scheduling import policies as scheduling_policies
from studies.scheduling import selectors as scheduling_selectors
from studies.scheduling.models import VisitStatus

# How many days ahead the phone keeps its visits (the offline bundle, the capture pages with
# addresses and phones, Today) offline: they stay on the phone only for the next days.
OFFLINE_DAYS = 3
# The bundle's path: the service worker keeps its answer beside the pages, and the capture
# screen reads it there (the visits an item can be moved to, offline too).
OFFLINE_BUNDLE_URL = f"/api/v1/me/offline-bundle/?days={OFFLINE_DAYS}"
THEME_COLOUR = "#1f5f8b"

# The app shell the service worker keeps, as static paths.
SHELL_FILES = [
    "frontend/app.css",
    "frontend/icon.svg",
    "frontend/icons/icon-192.png",
    "frontend/icons/icon-512.png",
    "frontend/icons/icon-maskable-192.png",
    "frontend/icons/icon-maskable-512.png",
    "frontend/icons/apple-touch-icon.png",
    "frontend/copy.js",
    "frontend/js/register.js",
    "frontend/js/logout.js",
    "frontend/js/outbox.js",
    "frontend/js/sync.js",
    "frontend/js/transport.js",
    "frontend/js/upload.js",
    "frontend/js/status.js",
    "frontend/js/camera.js",
    "frontend/js/capture.js",
    "frontend/js/captured.js",
    "frontend/js/chips.js",
    "frontend/js/clock.js",
    "frontend/js/held.js",
    "frontend/js/items.js",
    "frontend/js/move.js",
    "frontend/js/photo-edit.js",
    "frontend/js/progress.js",
    "frontend/js/scale.js",
    "frontend/js/today.js",
]


def ui_text() -> dict[str, str]:
    """What the scripts say, translated here so the pages need no extra catalogue request.
    `{n}`, `{list}`, `{reason}`, `{time}` and the like are filled in by the scripts."""
    return {
        "itemOne": _("{n} item"),
        "itemMany": _("{n} items"),
        "photoOne": _("{n} photo"),
        "photoMany": _("{n} photos"),
        "waiting": _("{list} waiting to sync."),
        "synced": _("Everything is synced."),
        "offline": _("You are offline: they are safe on this phone and will be sent later."),
        "sending": _("Sending…"),
        "retry": _("Could not reach ResearchHub ({reason}). Trying again in {time}."),
        "signIn": _("Your session has ended: sign in again to send them."),
        "failedOne": _("1 item could not be sent:"),
        "failedMany": _("{n} items could not be sent:"),
        "note": _("Note"),
        "quote": _("Quote"),
        "answer": _("Answer"),
        "photo": _("Photo"),
        "photoChange": _("Change to a photo"),
        "waitingBadge": _("Waiting to sync"),
        "syncedBadge": _("Synced"),
        "failedBadge": _("Not sent"),
        "processing": _("Processing…"),
        "photoFailed": _("Photo failed: {reason}"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "discard": _("Discard"),
        "discardChange": _("Discard the change"),
        "move": _("Move"),
        "confirmDelete": _("Delete this item? This cannot be undone."),
        "confirmDiscard": _("Discard this item? It was never sent and will be lost."),
        "confirmDiscardChange": _("Discard this change? The item stays as ResearchHub has it."),
        "saved": _("Saved on this phone."),
        "photosSaved": _("Photos saved on this phone."),
        "remove": _("Remove"),
        "removePhoto": _("Remove photo {n}"),
        "caption": _("Caption for photo {n}"),
        "capturedAt": _("captured {time}"),
        "storageFull": _("This phone has no room left to keep the item. Free some space."),
        "network": _("no connection"),
        "busy": _("it is busy for a moment"),
        "server": _("server error {status}"),
        "notConfirmed": _("the answer did not come from ResearchHub"),
        "goesWith": _("Goes with {item}"),
        "goesWithNothing": _("Nothing: the photo on its own"),
        "editPhoto": _("Edit photo"),
        "confirmDeletePhoto": _("Delete this photo? It leaves every page. This cannot be undone."),
        "photoSaved": _("The change is saved on this phone."),
        "moved": _("Moved to {code}. It is sent with that visit."),
        "preparing": _("Preparing photo {n} of {count}…"),
        "sendingPhoto": _("Sending photo {n} of {count} — {percent} %, {left} left"),
        "sendingPhotoLabel": _("Photo {n} of {count} sent"),
        "cancelUploadLabel": _("Cancel sending photo {n}"),
        "confirmCancelUpload": _(
            "Stop sending this photo and remove it from this phone? It has not reached "
            "ResearchHub and will be lost."
        ),
        "megabytes": _("{n} MB"),
        "kilobytes": _("{n} KB"),
    }


@require_GET
@login_required
def today(request: HttpRequest) -> HttpResponse:
    # Exactly the visits the phone holds: the offline bundle's, with the address and phone
    # the researcher needs at the door (research roles, households still in the panel).
    bundle = fieldwork_selectors.offline_bundle(user=request.user, days=OFFLINE_DAYS)
    audit_personal_data_shown(
        request=request,
        household_codes=[
            visit.household.code
            for visit in bundle.visits
            if visit.household_address or visit.household_phone  # type: ignore[attr-defined]
        ],
        where="today page",
    )
    context = {"visits": bundle.visits, "days": OFFLINE_DAYS, "ui_text": ui_text()}
    return render(request, "frontend/today.html", context)


def _observation_data(observation: Observation, user_id: object) -> dict[str, Any]:
    return {
        "device_id": str(observation.device_id),
        "kind": observation.kind,
        "text": observation.text,
        "speaker": observation.speaker,
        "guide_question": str(observation.guide_question_id or "") or None,
        "tags": [tag.name for tag in observation.tags.all()],
        "captured_at": observation.captured_at.isoformat(),
        "edited_at": (observation.edited_at or observation.captured_at).isoformat(),
        "mine": observation.author_id == user_id,
    }


def _photo_data(photo: Photo, user_id: object) -> dict[str, Any]:
    return {
        "id": str(photo.pk),
        "device_id": str(photo.device_id),
        "caption": photo.caption,
        "tags": [tag.name for tag in photo.tags.all()],
        "observation": str(photo.observation.device_id) if photo.observation else None,
        "status": photo.status,
        "failure_reason": photo.failure_reason,
        "thumb": (
            reverse(
                "photo-file",
                kwargs={"photo_id": photo.pk, "rendition": "thumb", "extension": "webp"},
            )
            if photo.status == PhotoStatus.READY
            else ""
        ),
        "captured_at": photo.captured_at.isoformat(),
        "edited_at": (photo.edited_at or photo.captured_at).isoformat(),
        "mine": photo.author_id == user_id,
    }


@require_GET
@login_required
def visit_capture(request: HttpRequest, visit_id: object) -> HttpResponse:
    visit = access.visit_get_for_user(
        user=request.user, visit_id=visit_id, capability=Capability.CONDUCT_VISITS
    )
    study = visit.round.study
    role = study.viewer_role
    now = timezone.now()
    guide = list(scheduling_selectors.guide_list(round_=visit.round))
    closed = not fieldwork_policies.takes_captures_now(visit, now)
    can_reopen = scheduling_policies.may_reopen_visit(
        role=role, visit=visit, user_id=request.user.pk, now=now
    )
    tags = fieldwork_selectors.study_tag_list(study=study, user=request.user)
    island = {
        "visit": str(visit.pk),
        "study": str(study.pk),
        "user": str(request.user.pk),
        "status": visit.status,
        "closed": closed,
        "time_zone": study.time_zone,
        "send_original_photos": study.send_original_photos,
        # Chips used on the phone after this moment may go before the server's order.
        "rendered_at": now.isoformat(),
        "bundle": OFFLINE_BUNDLE_URL,
        "guide": [
            {"id": str(question.pk), "key": str(question.key), "text": question.text}
            for question in guide
        ],
        "tags": [{"name": tag.name, "group": tag.group} for tag in tags],
        "observations": [
            _observation_data(observation, request.user.pk)
            for observation in fieldwork_selectors.visit_observation_list(visit=visit)
        ],
        "photos": [
            _photo_data(photo, request.user.pk)
            for photo in photo_services.visit_photo_list(visit=visit)
        ],
    }
    # The research team's details for the door: address and phone, never name or e-mail.
    contact = (
        scheduling_selectors.household_contact_get(household=visit.household, study=study)
        if role_can(role, Capability.VIEW_PERSONAL_DATA)
        else None
    )
    address, phone = (contact.address, contact.phone) if contact else ("", "")
    if address or phone:
        audit_personal_data_shown(
            request=request,
            household_codes=[visit.household.code],
            where="capture page",
            study_id=study.pk,
        )
    context = {
        "visit": visit,
        "round": visit.round,
        "study": study,
        "address": address,
        "phone": phone,
        "guide": guide,
        "closed": closed,
        "island": island,
        "ui_text": ui_text(),
        "can_start": visit.status == VisitStatus.SCHEDULED,
        # Finishing asks first (the confirmation page says what it means); a scheduled
        # visit is started by its first item, so it may be ready to finish by then.
        "can_finish": not closed
        and visit.status in (VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS),
        "can_reopen": can_reopen,
        "reopen_until": (
            visit.finished_at + scheduling_policies.REOPEN_GRACE
            if can_reopen and visit.finished_at and not role_can(role, Capability.MANAGE_STUDY)
            else None
        ),
    }
    return render(request, "frontend/capture.html", context)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {"src": static("frontend/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("frontend/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("frontend/icons/icon-maskable-192.png"),
            "sizes": "192x192",
            "type": "image/png",
            "purpose": "maskable",
        },
        {
            "src": static("frontend/icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static("frontend/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    body = {
        "id": "/today/",
        "name": "ResearchHub",
        "short_name": "ResearchHub",
        "description": _("Your visits, discussion guides and field capture, online or not."),
        "start_url": reverse("frontend:today"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f5f6f8",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/manifest+json"
    return response


def _shell_urls() -> list[str]:
    """Each shell file under the URL pages use; JS modules also under their plain name,
    because `import "./outbox.js"` resolves against the importing module's URL, which
    a hashed storage may not have rewritten."""
    urls: list[str] = []
    for path in SHELL_FILES:
        for url in (static(path), settings.STATIC_URL.rstrip("/") + "/" + path):
            if not url.startswith("/"):
                url = "/" + url
            if url not in urls:
                urls.append(url)
    return urls


def _shell_version(rendered: str) -> str:
    # A change to any shell file changes sw.js itself, which is what makes browsers
    # install the new worker and refresh the cached copies.
    digest = hashlib.sha256(rendered.encode())
    for path in SHELL_FILES:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:16]


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    config = {
        "shell": _shell_urls(),
        "today": reverse("frontend:today"),
        "login": reverse("login"),
        # The sync API's path, fixed by the shared API contract.
        "bundle": OFFLINE_BUNDLE_URL,
        "language": get_language() or settings.LANGUAGE_CODE,
        "offlineTitle": _("You are offline"),
        "offlineText": _(
            "This page was not saved on this phone. Your captured items are safe and "
            "will be sent when you are back online."
        ),
        "offlineLink": _("Open Today"),
    }
    script = render_to_string("frontend/sw.js", {"config": json.dumps(config, ensure_ascii=False)})
    script = script.replace("__VERSION__", _shell_version(script))
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response
