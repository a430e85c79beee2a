"""Consent and erasure: written through studies.privacy.services, audited there."""

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView
from studies.common.roles import Capability
from studies.privacy import services
from studies.privacy.api import serializers as s
from studies.scheduling import access, selectors
from studies.scheduling.api.serializers import ConsentInputSerializer, ConsentOutputSerializer
from studies.scheduling.api.views.base import validated


class HouseholdConsentListApi(ApiView):
    @extend_schema(
        operation_id="households_consents_list",
        tags=["households"],
        summary="A household's consent records, current and withdrawn",
        responses={200: ConsentOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(user=request.user, household_id=household_id)
        consents = selectors.consent_list(household=household)
        return Response(ConsentOutputSerializer(consents, many=True).data)

    @extend_schema(
        operation_id="households_consents_create",
        tags=["households"],
        summary="Record consent (research lead)",
        request=ConsentInputSerializer,
        responses={201: ConsentOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(
            user=request.user, household_id=household_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(ConsentInputSerializer, request.data)
        consent = services.consent_give(
            household=household, actor=request.user, request=request, **data
        )
        return Response(ConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawApi(ApiView):
    @extend_schema(
        operation_id="consents_withdraw",
        tags=["households"],
        summary="Withdraw consent (research lead); withdrawing twice changes nothing",
        description=(
            "Takes effect in the same request: a withdrawn marketing consent takes the "
            "household's quotes out of the quote bank, its exports, search and the API; a "
            "withdrawn photo consent hides its photos everywhere."
        ),
        request=None,
        responses={200: ConsentOutputSerializer, **error_responses(403, 404)},
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
        consent = services.consent_withdraw(consent=consent, actor=request.user, request=request)
        return Response(ConsentOutputSerializer(consent).data)


class HouseholdEraseApi(ApiView):
    @extend_schema(
        operation_id="households_erase",
        tags=["households"],
        summary="Carry out a household's erasure request (research lead); cannot be undone",
        description=(
            "Deletes the household's name, address, phone and e-mail, every observation and "
            "photo captured in its visits, and its segment; withdraws its consents, ends its "
            "enrolments and cancels its coming visits. The pseudonym, past visit dates and "
            "the insights (recounted) remain. The answer is the record that it was done."
        ),
        request=s.ErasureInputSerializer,
        responses={201: s.ErasureOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(
            user=request.user, household_id=household_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.ErasureInputSerializer, request.data)
        if data["confirm_code"].strip() != household.code:
            message = _("Type the household's code, %(code)s, to confirm.")
            raise ValidationError({"confirm_code": [message % {"code": household.code}]})
        erasure = services.household_erase(
            household=household,
            actor=request.user,
            requested_on=data["requested_on"],
            reference=data.get("reference", ""),
            request=request,
        )
        return Response(s.ErasureOutputSerializer(erasure).data, status=status.HTTP_201_CREATED)
