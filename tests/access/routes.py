"""Every route the site serves, read from Django's URL resolver, and the methods each takes.

The admin's own pages are left out (its index stands for them: it lets in staff only) and so
are static and media files. Methods come from the view itself: a DRF view's handlers, a
class-based view's handlers, and for a function view the methods its `require_*`
decorators let through, found by asking it (they answer 405 to anything else before
looking at who is asking). HEAD is listed only where a view defines its own handler: where
Django derives it from GET it runs GET's code and access check. OPTIONS is left out: DRF
answers it with the view's description after the same authentication and permission
checks, and it shows no data.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ADMIN_INDEX = "admin:index"
# Values for a URL's parameters when only the route, not an object, matters.
_PLACEHOLDERS = {"uuid": uuid.UUID(int=1), "str": "x", "slug": "x", "int": 1, "path": "x"}


@dataclass(frozen=True)
class Route:
    name: str  # with its namespace: "frontend:visit", "api-visit"
    path: str  # the pattern as written, e.g. /api/v1/visits/<uuid:visit_id>/
    callback: object
    converters: dict[str, str]  # parameter → converter name

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def placeholder_url(self) -> str:
        kwargs = {name: _PLACEHOLDERS[kind] for name, kind in self.converters.items()}
        return reverse(self.name, kwargs=kwargs)


def _converters(pattern: object) -> dict[str, str]:
    converters = getattr(pattern, "converters", {})
    names = {}
    for name, converter in converters.items():
        kind = type(converter).__name__.removesuffix("Converter").lower()
        names[name] = {"string": "str"}.get(kind, kind)
    return names


def _walk(
    patterns: list, prefix: str = "", namespace: str = "", converters: dict | None = None
) -> Iterator[Route]:
    for entry in patterns:
        here = prefix + str(entry.pattern)
        found = {**(converters or {}), **_converters(entry.pattern)}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, here, inner, found)
        elif isinstance(entry, URLPattern):
            if entry.callback is serve:
                continue
            name = f"{namespace}{entry.name}" if entry.name else ""
            if here.startswith("admin/") and name != ADMIN_INDEX:
                continue
            yield Route(name=name, path="/" + here, callback=entry.callback, converters=found)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def declared_methods(route: Route) -> list[str] | None:
    """The methods a class-based view defines, or None for a function view."""
    view_class = getattr(route.callback, "cls", None) or getattr(route.callback, "view_class", None)
    if view_class is None:
        return None
    methods = [
        m
        for m in METHODS
        if m.lower() in view_class.http_method_names and hasattr(view_class, m.lower())
    ]
    if "head" in view_class.__dict__:
        methods.append("HEAD")
    return methods


def route_methods(route: Route, client: object) -> list[str]:
    """Every method the route takes; function views are asked, as an anonymous client."""
    if route.name == ADMIN_INDEX:
        # The admin's views take any method and send everyone but staff to its sign-in.
        return ["GET"]
    methods = declared_methods(route)
    if methods is not None:
        return methods
    url = route.placeholder_url()
    return [
        method
        for method in METHODS
        if client.generic(method, url).status_code != 405  # type: ignore[attr-defined]
    ]
