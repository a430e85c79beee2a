"""Visits: listing, booking, moving and status."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
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
from studies.scheduling.api.views.base import referenced, team_member, validated


class VisitListApi(ListApiView):
    serializer_class = s.VisitOutputSerializer
    filterset_class = filters.VisitFilter

    def get_queryset(self) -> Any:
        return selectors.visit_list(user=self.request.user)

    @extend_schema(
        operation_id="visits_list",
        tags=["visits"],
        summary="Visits in your studies; `?mine&date=today` is a researcher's day",
        responses={200: s.VisitOutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="visits_create",
        tags=["visits"],
        summary="Book a visit (research lead)",
        description=(
            "Refused with 400 when the visit falls outside its round's window or the "
            "household is not in the panel, and with 409 when the researcher is already "
            "booked or not available then."
        ),
        request=s.VisitInputSerializer,
        responses={201: s.VisitDetailOutputSerializer, **error_responses(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.VisitInputSerializer, request.data)
        round_ = referenced(
            "round",
            access.round_get_for_user,
            user=request.user,
            round_id=data["round"],
            capability=Capability.MANAGE_STUDY,
        )
        household = selectors.panel_household(study=round_.study, household_id=data["household"])
        if household is None:
            raise ValidationError({"household": [_("This household is not in the study's panel.")]})
        visit = services.visit_create(
            round_=round_,
            household=household,
            researcher=team_member(round_.study, data["researcher"], "researcher"),
            start=data["scheduled_start"],
            end=data["scheduled_end"],
            actor=request.user,
        )
        return Response(
            s.VisitDetailOutputSerializer(
                selectors.visit_detail(user=request.user, visit=visit)
            ).data,
            status=status.HTTP_201_CREATED,
        )


class VisitDetailApi(ApiView):
    @extend_schema(
        operation_id="visits_retrieve",
        tags=["visits"],
        summary="A visit with its history of moves and status changes",
        responses={200: s.VisitDetailOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, visit_id: uuid.UUID) -> Response:
        visit = access.visit_get_for_user(user=request.user, visit_id=visit_id)
        return Response(
            s.VisitDetailOutputSerializer(
                selectors.visit_detail(user=request.user, visit=visit)
            ).data
        )


class VisitRescheduleApi(ApiView):
    @extend_schema(
        operation_id="visits_reschedule",
        tags=["visits"],
        summary="Move a visit and/or hand it to another researcher (research lead)",
        request=s.VisitRescheduleInputSerializer,
        responses={200: s.VisitDetailOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, visit_id: uuid.UUID) -> Response:
        visit = access.visit_get_for_user(
            user=request.user, visit_id=visit_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.VisitRescheduleInputSerializer, request.data)
        researcher = (
            team_member(visit.round.study, data["researcher"], "researcher")
            if "researcher" in data
            else None
        )
        visit = services.visit_reschedule(
            visit=visit,
            actor=request.user,
            start=data.get("scheduled_start"),
            end=data.get("scheduled_end"),
            researcher=researcher,
            note=data["note"],
        )
        return Response(
            s.VisitDetailOutputSerializer(
                selectors.visit_detail(user=request.user, visit=visit)
            ).data
        )


class VisitTransitionApi(ApiView):
    @extend_schema(
        operation_id="visits_transition",
        tags=["visits"],
        summary="Start, complete, cancel or mark a visit as no-show",
        description=(
            "Allowed by the visit's own researcher or a research lead. scheduled → "
            "in_progress → completed; scheduled → cancelled or no_show. Anything else is a 409."
        ),
        request=s.VisitTransitionInputSerializer,
        responses={200: s.VisitDetailOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, visit_id: uuid.UUID) -> Response:
        visit = access.visit_get_for_user(
            user=request.user, visit_id=visit_id, capability=Capability.CONDUCT_VISITS
        )
        data = validated(s.VisitTransitionInputSerializer, request.data)
        visit = services.visit_transition(visit=visit, actor=request.user, to_status=data["status"])
        return Response(
            s.VisitDetailOutputSerializer(
                selectors.visit_detail(user=request.user, visit=visit)
            ).data
        )
