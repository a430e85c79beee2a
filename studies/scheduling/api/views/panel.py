"""A study's panel from a file, with a preview first, and the panel as a file."""

import uuid

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, FileOrJsonErrors
from studies.common.errors import ConflictError
from studies.common.roles import Capability
from studies.scheduling import access
from studies.scheduling.api.serializers.panel import (
    PanelExportQueryInputSerializer,
    PanelImportInputSerializer,
    PanelImportOutputSerializer,
)
from studies.scheduling.api.views.base import validated
from studies.scheduling.models import PanelImport, PanelImportStatus, Study
from studies.scheduling.services import panel

_IMPORT_DESCRIPTION = (
    "The first row names the columns, case, spaces and hyphens aside: `code` (empty: a new "
    "pseudonym is made), `name` (required), `address`, `phone`, `email`, `quote attribution`, "
    "any number of `segment: <name>` columns, `<kind> consent given on` for participation, "
    "photos and marketing (2026-03-31, 31/03/2026 or 31.03.2026), and `consent text version` "
    "(or `<kind> consent version`). Other columns are reported as unknown."
)


def _study(request: Request, study_id: uuid.UUID) -> Study:
    return access.study_get_for_user(
        user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
    )


def _import_of(study: Study, import_id: uuid.UUID) -> PanelImport:
    found = PanelImport.objects.filter(pk=import_id, study=study).first()
    if found is None:
        raise Http404
    return found


class PanelImportListApi(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="panel_imports_create",
        tags=["panel"],
        summary="Upload a CSV or XLSX file of households and get its preview (research lead)",
        description=(
            "Nothing joins the panel yet: the answer lists every row's outcome (new, "
            "unchanged, problem) and problems by column. With a task queue the check may "
            "still be running (`status`: checking): follow it with GET. An empty, binary or "
            "unreadable file, or one over 10 MB, is a 400 and nothing is kept. "
            + _IMPORT_DESCRIPTION
        ),
        request={"multipart/form-data": PanelImportInputSerializer},
        responses={201: PanelImportOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, study_id: uuid.UUID) -> Response:
        study = _study(request, study_id)
        data = validated(PanelImportInputSerializer, request.data)
        made = panel.panel_import_receive(study=study, actor=request.user, upload=data["file"])
        made.refresh_from_db()
        return Response(PanelImportOutputSerializer(made).data, status=status.HTTP_201_CREATED)


class PanelImportDetailApi(ApiView):
    @extend_schema(
        operation_id="panel_imports_retrieve",
        tags=["panel"],
        summary="An import's status, progress and preview (research lead)",
        responses={200: PanelImportOutputSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, study_id: uuid.UUID, import_id: uuid.UUID) -> Response:
        made = _import_of(_study(request, study_id), import_id)
        return Response(PanelImportOutputSerializer(made).data)


class PanelImportConfirmApi(ApiView):
    @extend_schema(
        operation_id="panel_imports_confirm",
        tags=["panel"],
        summary="Import a checked file: every new row, or none (research lead)",
        description=(
            "The rows are checked again against the panel as it is now. 200: imported. 202: "
            "queued (a task queue runs it; follow it with GET). 409: a row has a problem (now "
            "listed in the preview), the file is still being checked, or it was imported "
            "already, or the study is closed."
        ),
        request=None,
        responses={
            200: OpenApiResponse(PanelImportOutputSerializer, description="Imported."),
            202: OpenApiResponse(PanelImportOutputSerializer, description="Being imported."),
            **error_responses(403, 404, 409),
        },
    )
    def post(self, request: Request, study_id: uuid.UUID, import_id: uuid.UUID) -> Response:
        made = _import_of(_study(request, study_id), import_id)
        panel.panel_import_confirm(panel_import=made, actor=request.user)
        made.refresh_from_db()
        if made.status == PanelImportStatus.CHECKED:
            raise ConflictError({"import": [panel.problems_message(made)]})
        imported = made.status == PanelImportStatus.IMPORTED
        return Response(
            PanelImportOutputSerializer(made).data,
            status=status.HTTP_200_OK if imported else status.HTTP_202_ACCEPTED,
        )


class PanelExportApi(ApiView):
    content_negotiation_class = FileOrJsonErrors

    @extend_schema(
        operation_id="panel_export",
        tags=["panel"],
        summary="The panel as a CSV or XLSX file (research lead; audited)",
        description=(
            "The households now in the panel with their contact, segments and the consents in "
            "force, in the import's columns: the file imports back into the study unchanged. "
            "Cells that a spreadsheet would run as a formula are written as text."
        ),
        parameters=[PanelExportQueryInputSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV."),
            (200, panel.FORMATS["xlsx"]): OpenApiResponse(
                OpenApiTypes.BINARY, description="An XLSX workbook."
            ),
            **error_responses(400, 403, 404),
        },
    )
    def get(self, request: Request, study_id: uuid.UUID) -> HttpResponse:
        study = _study(request, study_id)
        query = validated(PanelExportQueryInputSerializer, request.query_params)
        made = panel.panel_export(study=study, file_format=query["format"], request=request)
        response = HttpResponse(made.content, content_type=made.content_type)
        response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
        response["Cache-Control"] = "no-store"
        return response
