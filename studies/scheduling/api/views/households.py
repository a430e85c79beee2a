"""Households and their consent."""

import uuid
from typing import Any

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.common.roles import Capability
from studies.scheduling import access, selectors, services
from studies.scheduling.api import filters
from studies.scheduling.api import serializers as s
from studies.scheduling.api.views.base import study_to_manage, validated


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
        return self.list_response()

    @extend_schema(
        operation_id="households_create",
        tags=["households"],
        summary="Add a household to a study's panel (research lead of that study)",
        request=s.HouseholdInputSerializer,
        responses={201: s.HouseholdOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = dict(validated(s.HouseholdInputSerializer, request.data))
        study = study_to_manage(request.user, data.pop("study"))
        with transaction.atomic():
            household = services.household_create(**data)
            services.household_enrol(study=study, household=household)
        household = selectors.household_detail(user=request.user, household=household)
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
        services.household_update(household=household, **data)
        household = selectors.household_detail(user=request.user, household=household)
        return Response(s.HouseholdOutputSerializer(household).data)


class HouseholdConsentListApi(ApiView):
    @extend_schema(
        operation_id="households_consents_list",
        tags=["households"],
        summary="A household's consent records, current and withdrawn",
        responses={200: s.ConsentOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(user=request.user, household_id=household_id)
        consents = selectors.consent_list(household=household)
        return Response(s.ConsentOutputSerializer(consents, many=True).data)

    @extend_schema(
        operation_id="households_consents_create",
        tags=["households"],
        summary="Record consent (research lead)",
        request=s.ConsentInputSerializer,
        responses={201: s.ConsentOutputSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(
            user=request.user, household_id=household_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.ConsentInputSerializer, request.data)
        consent = services.consent_give(household=household, actor=request.user, **data)
        return Response(s.ConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawApi(ApiView):
    @extend_schema(
        operation_id="consents_withdraw",
        tags=["households"],
        summary="Withdraw consent (research lead); withdrawing twice changes nothing",
        request=None,
        responses={200: s.ConsentOutputSerializer, **error_responses(403, 404)},
    )
    def post(self, request: Request, consent_id: uuid.UUID) -> Response:
        consent = selectors.consent_get(consent_id=consent_id)
        if consent is None:
            raise Http404
        # A consent is as visible as its household: the household's access function decides.
        access.household_get_for_user(
            user=request.user,
            household_id=consent.household_id,
            capability=Capability.MANAGE_STUDY,
        )
        consent = services.consent_withdraw(consent=consent)
        return Response(s.ConsentOutputSerializer(consent).data)
