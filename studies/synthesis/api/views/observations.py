"""Browsing a study's observations to synthesise them into insights."""

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ListApiView
from studies.fieldwork.models import Observation
from studies.scheduling import access
from studies.synthesis import selectors
from studies.synthesis.api import filters
from studies.synthesis.api import serializers as s

__all__ = ["StudyObservationBrowseApi"]


class StudyObservationBrowseApi(ListApiView):
    serializer_class = s.BrowsedObservationOutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no URL
            return Observation.objects.none()
        study = access.study_get_for_user(user=self.request.user, study_id=self.kwargs["study_id"])
        return selectors.observation_browse(
            study=study, filters=filters.observation_filters(self.request.query_params)
        )

    @extend_schema(
        operation_id="studies_observations_browse",
        tags=["insights"],
        summary="The study's observations, newest first, to build insights from",
        parameters=[filters.ObservationBrowseQueryInputSerializer],
        responses={
            200: s.BrowsedObservationOutputSerializer(many=True),
            **error_responses(400, 404),
        },
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        return self.list_response()
