"""Base classes for ResearchHub's API views."""

from typing import Any

from rest_framework import generics, views
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

# Authentication comes from REST_FRAMEWORK's defaults in settings: token first, so that an
# anonymous request gets 401 with a WWW-Authenticate header naming the scheme to use.


class ApiView(views.APIView):
    pass


# A paginated, filterable GET over `get_queryset()`, rendered with `serializer_class`. (A
# comment, not a docstring: the OpenAPI generator would publish it as every list's description.)
class ListApiView(generics.GenericAPIView):
    def list_response(self) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FileOrJsonErrors(BaseContentNegotiation):
    """For views that answer with a file (an export): the file when all is well, JSON for
    errors, whatever the Accept header — a client asking for text/csv must still be able to
    read why it got a 401 or a 400 — and `format` picks the file, not a renderer."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type
