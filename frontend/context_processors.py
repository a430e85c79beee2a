"""What base.html needs on every page: the menu of what the signed-in person's roles use,
and the hour cycle the scripts format times with (so they write times as the pages do)."""

import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.formats import get_format
from django.utils.functional import SimpleLazyObject

from studies.common.roles import Capability
from studies.scheduling import access

# Django's time format characters for a 12-hour clock ("g", "h", and "P" as in "2:30 p.m."),
# unless escaped with a backslash.
_TWELVE_HOUR = re.compile(r"(?<!\\)[ghP]")


@dataclass(frozen=True)
class Menu:
    # Today and Calendar (visits and availability): for people who conduct visits in some
    # study. Product, marketing and sales have none to conduct.
    field: bool


def menu_for(request: HttpRequest) -> Menu:
    """The menu of this request's user, worked out once per request (one query)."""
    cached = getattr(request, "_menu", None)
    if cached is None:
        user = request.user
        field = user.is_authenticated and (
            access.studies_for_user(user, Capability.CONDUCT_VISITS).exists()
        )
        cached = request._menu = Menu(field=field)  # type: ignore[attr-defined]
    return cached


def hour_cycle() -> str:
    """The Intl.DateTimeFormat hourCycle of the active language's TIME_FORMAT."""
    return "h12" if _TWELVE_HOUR.search(str(get_format("TIME_FORMAT"))) else "h23"


def site(request: HttpRequest) -> dict[str, Any]:
    # Lazy: pages that never show the menu (the login page, e-mails) cost no query.
    return {"menu": SimpleLazyObject(lambda: menu_for(request)), "hour_cycle": hour_cycle()}
