"""Rounds and their discussion guides."""

import uuid
from typing import Any

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


class RoundListApi(ListApiView):
    serializer_class = s.RoundOutputSerializer
    filterset_class = filters.RoundFilter

    def get_queryset(self) -> Any:
        return selectors.round_list(user=self.request.user)

    @extend_schema(
        operation_id="rounds_list",
        tags=["rounds"],
        summary="Rounds of your studies, latest window first",
        responses={200: s.RoundOutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="rounds_create",
        tags=["rounds"],
        summary="Create a round by hand (research lead)",
        request=s.RoundInputSerializer,
        responses={201: s.RoundOutputSerializer, **error_responses(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        data = dict(validated(s.RoundInputSerializer, request.data))
        study = study_to_manage(request.user, data.pop("study"))
        round_ = services.round_create(study=study, **data)
        return Response(
            s.RoundOutputSerializer(selectors.round_detail(user=request.user, round_=round_)).data,
            status=status.HTTP_201_CREATED,
        )


class RoundDetailApi(ApiView):
    @extend_schema(
        operation_id="rounds_retrieve",
        tags=["rounds"],
        summary="A round with its discussion guide in order",
        responses={200: s.RoundOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = access.round_get_for_user(user=request.user, round_id=round_id)
        return Response(
            s.RoundOutputSerializer(selectors.round_detail(user=request.user, round_=round_)).data
        )

    @extend_schema(
        operation_id="rounds_partial_update",
        tags=["rounds"],
        summary="Change a round (research lead)",
        description="`guide`, when given, replaces the whole discussion guide.",
        request=s.RoundUpdateInputSerializer,
        responses={200: s.RoundOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = access.round_get_for_user(
            user=request.user, round_id=round_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.RoundUpdateInputSerializer, request.data, context={"round": round_})
        services.round_update(round_=round_, **data)
        return Response(
            s.RoundOutputSerializer(selectors.round_detail(user=request.user, round_=round_)).data
        )
