"""The OpenAPI schema at /api/schema/, built once per process and then served from memory.

drf-spectacular's own view builds the whole schema on every request. That is CPU anyone
can spend (the schema is public), and the build is not safe in two threads at once: the
first time it runs, it turns the target classes of its extensions from import paths into
classes, and another thread meanwhile reads a half-loaded one. So the first concurrent
requests after a start answered 500.

Here each variant (a renderer — YAML or JSON — a language and an API version) is built
and rendered once, under a lock, the first time it is asked for; every later request gets
the same bytes. The variants are few and known ahead: a language is one of LANGUAGES and a
version one of ALLOWED_VERSIONS, whatever the query string says, so no client can fill the
memory with variants of its own.
"""

import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings

# (renderer media type, language, API version) → the rendered schema.
type _Variant = tuple[str, str, str | None]

_built: dict[_Variant, bytes] = {}
_building = threading.Lock()


class SchemaView(SpectacularAPIView):
    # Built for whoever asks first and then served to everyone, so it must not depend on
    # who asks: the public schema, every operation, as `make schema` writes it.
    serve_public = True

    @extend_schema(**SCHEMA_KWARGS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        renderer = request.accepted_renderer
        language = _supported_language(
            request.query_params.get("lang") or translation.get_language() or ""
        )
        version = self.api_version or request.version or self._get_version_parameter(request)
        variant = (renderer.media_type, language, version)

        content = _built.get(variant)
        if content is None:
            with _building:
                content = _built.get(variant)
                if content is None:
                    content = _built[variant] = self._build(renderer, language, version)

        if renderer.charset:
            content_type = f"{renderer.media_type}; charset={renderer.charset}"
        else:
            content_type = renderer.media_type
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = (
            f'inline; filename="{self._get_filename(request, version)}"'
        )
        return response

    def _build(self, renderer: BaseRenderer, language: str, version: str | None) -> bytes:
        generator = self.generator_class(
            urlconf=self.urlconf, api_version=version, patterns=self.patterns
        )
        with patched_settings(self.custom_settings), translation.override(language):
            # No request: the schema of no one in particular (see serve_public).
            schema = generator.get_schema(request=None, public=self.serve_public)
            # Rendered for the renderer's own media type, not the Accept header: parameters
            # a client adds there (JSON's `indent=`) would make variants of its choosing.
            return renderer.render(schema, renderer.media_type, {})

    def _get_version_parameter(self, request: Request) -> str | None:
        # drf-spectacular takes any ?version= when ALLOWED_VERSIONS is unset, and writes it
        # into the schema: only a version the API declares makes a variant.
        version = request.query_params.get("version")
        return version if version in (api_settings.ALLOWED_VERSIONS or ()) else None


def _supported_language(language: str) -> str:
    # Any other ?lang= is answered in the default language: Django keeps every language it
    # is asked to activate, so made-up ones would pile up in memory.
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGE_CODE


@receiver(setting_changed)
def forget_built_schemas(**kwargs: Any) -> None:
    """Drop every built schema: the settings it was built from have changed (tests change
    settings; a running server never does)."""
    with _building:
        _built.clear()
