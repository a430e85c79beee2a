"""The marketing quote bank: list, export, and record where a quote was used."""

import uuid
from typing import Any

from django.http import Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.pagination import NewestFirstCursorPagination
from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, FileOrJsonErrors, ListApiView
from studies.common.audit import audit_record
from studies.common.models import AuditAction
from studies.scheduling.api.views.base import validated
from studies.synthesis import exports, selectors
from studies.synthesis.access import QuoteNotInBank, quote_get_for_use
from studies.synthesis.api import filters
from studies.synthesis.api import serializers as s
from studies.synthesis.services import quotes as services

__all__ = ["QuoteCsvExportApi", "QuoteListApi", "QuoteMarkdownExportApi", "QuoteUseCreateApi"]

_BANK_DESCRIPTION = (
    "Verbatim quotes that are evidence of an insight on a marketing board, from households "
    "whose marketing consent is in force now: withdrawing consent takes a quote out at "
    "once. Attribution is the pseudonym and segment phrase, never a name."
)


class QuoteListApi(ListApiView):
    serializer_class = s.QuoteOutputSerializer
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self) -> Any:
        quotes = selectors.quote_bank(
            user=self.request.user, filters=filters.quote_filters(self.request.query_params)
        )
        return selectors.quote_bank_page(quotes)

    @extend_schema(
        operation_id="quotes_list",
        tags=["quotes"],
        summary="The quote bank, newest first",
        description=_BANK_DESCRIPTION,
        parameters=[filters.QuoteQueryInputSerializer],
        responses={200: s.QuoteOutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()


class _QuoteExportApi(ApiView):
    content_negotiation_class = FileOrJsonErrors

    def quotes(self, request: Request) -> Any:
        return selectors.quote_bank(
            user=request.user, filters=filters.quote_filters(request.query_params)
        )

    def audit(self, request: Request, file_format: str) -> None:
        # Recorded once the filters are known to be valid, before the file streams out.
        audit_record(
            actor=request.user,
            action=AuditAction.QUOTES_EXPORTED,
            detail={"format": file_format, "filters": dict(request.query_params.items())},
            request=request,
        )


class QuoteCsvExportApi(_QuoteExportApi):
    @extend_schema(
        operation_id="quotes_export_csv",
        tags=["quotes"],
        summary="The quote bank as CSV (streamed; same filters as the list)",
        description=_BANK_DESCRIPTION,
        parameters=[filters.QuoteQueryInputSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV."),
            **error_responses(400),
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        quotes = self.quotes(request)
        self.audit(request, "csv")
        return exports.quote_bank_csv(quotes=quotes, user=request.user)


class QuoteMarkdownExportApi(_QuoteExportApi):
    @extend_schema(
        operation_id="quotes_export_markdown",
        tags=["quotes"],
        summary="The quote bank as Markdown (streamed; same filters as the list)",
        description=_BANK_DESCRIPTION,
        parameters=[filters.QuoteQueryInputSerializer],
        responses={
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, description="Markdown."),
            **error_responses(400),
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        quotes = self.quotes(request)
        self.audit(request, "markdown")
        return exports.quote_bank_markdown(quotes=quotes, user=request.user)


class QuoteUseCreateApi(ApiView):
    @extend_schema(
        operation_id="quotes_uses_create",
        tags=["quotes"],
        summary="Record where a quote was used (research lead, marketing)",
        description="Only quotes in the bank can be recorded; any other is a 404.",
        request=s.QuoteUseInputSerializer,
        responses={201: s.QuoteUseOutputSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, quote_id: uuid.UUID) -> Response:
        try:
            quote = quote_get_for_use(user=request.user, quote_id=quote_id)
        except QuoteNotInBank as not_banked:
            # For the API a quote outside the bank is not there to use: 404, as documented.
            raise Http404 from not_banked
        data = validated(s.QuoteUseInputSerializer, request.data)
        use = services.quote_use_record(
            quote=quote,
            actor=request.user,
            campaign=data["campaign"],
            link=data["link"],
            used_on=data["used_on"],
        )
        return Response(s.QuoteUseOutputSerializer(use).data, status=status.HTTP_201_CREATED)
