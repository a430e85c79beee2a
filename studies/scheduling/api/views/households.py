"""Households and their consent."""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.common.audit import audit_personal_data_shown
from studies.common.roles import Capability
from studies.scheduling import access, selectors, services
from studies.scheduling.api import filters
from studies.scheduling.api import serializers as s
from studies.scheduling.api.views.base import study_to_manage, validated
from studies.scheduling.models import Household
from studies.scheduling.services import panel as panel_services


def _audit_contacts(request: Request, households: Iterable[Household], where: str) -> None:
    audit_personal_data_shown(
        request=request,
        household_codes=[
            household.code
            for household in households
            if getattr(household, "personal_data_visible", False)
            and getattr(household, "contact", None) is not None
        ],
        where=where,
    )


class HouseholdListApi(ListApiView):
    serializer_class = s.HouseholdOutputSerializer
    filterset_class = filters.HouseholdFilter

    def get_queryset(self) -> Any:
        return selectors.household_list(user=self.request.user)

    @extend_schema(
        operation_id="households_list",
        tags=["households"],
        summary="Households in the panels of your studies",
        description=(
            "`contact` (name, address, phone, e-mail) is filled only for research leads and "
            "researchers; product and marketing see the pseudonym code and segment."
        ),
        responses={200: s.HouseholdOutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        response = self.list_response()
        _audit_contacts(request, self.paginator.page.object_list, "api household list")
        return response

    @extend_schema(
        operation_id="households_create",
        tags=["households"],
        summary="Add a household to a study's panel (research lead of that study)",
        description=(
            "Checked as a row of a panel import is: a bad phone or e-mail, a code or contact "
            "already in the panel, or a consent date without its text version is a 400 by "
            "field, and nothing is saved. A blank code gets a new pseudonym."
        ),
        request=s.HouseholdInputSerializer,
        responses={201: s.HouseholdOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = dict(validated(s.HouseholdInputSerializer, request.data))
        study = study_to_manage(request.user, data.pop("study"))
        segment = {str(key): str(value) for key, value in data.pop("segment", {}).items()}
        values = {
            name: value.isoformat() if isinstance(value, dt.date) else str(value or "")
            for name, value in data.items()
        }
        household = panel_services.panel_household_add(
            study=study, actor=request.user, values=values, segment=segment, request=request
        )
        household = selectors.household_detail(user=request.user, household=household)
        _audit_contacts(request, [household], "api household created")
        return Response(s.HouseholdOutputSerializer(household).data, status=status.HTTP_201_CREATED)


class HouseholdDetailApi(ApiView):
    @extend_schema(
        operation_id="households_retrieve",
        tags=["households"],
        responses={200: s.HouseholdOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(user=request.user, household_id=household_id)
        household = selectors.household_detail(user=request.user, household=household)
        _audit_contacts(request, [household], "api household")
        return Response(s.HouseholdOutputSerializer(household).data)

    @extend_schema(
        operation_id="households_partial_update",
        tags=["households"],
        summary="Change a household (research lead)",
        request=s.HouseholdUpdateInputSerializer,
        responses={200: s.HouseholdOutputSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(
            user=request.user, household_id=household_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.HouseholdUpdateInputSerializer, request.data)
        services.household_update(household=household, actor=request.user, request=request, **data)
        household = selectors.household_detail(user=request.user, household=household)
        _audit_contacts(request, [household], "api household")
        return Response(s.HouseholdOutputSerializer(household).data)
