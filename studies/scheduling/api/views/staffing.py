"""Staffing a round before it goes out (research lead). Moving, reassigning, skipping and
booking one visit are the visit endpoints' (reschedule, transition, POST /visits/)."""

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView
from studies.common.roles import Capability
from studies.scheduling import access, selectors
from studies.scheduling.api.serializers import staffing as s
from studies.scheduling.api.views.base import team_member, validated
from studies.scheduling.services import staffing

__all__ = ["StudyStaffingApi", "StudyStaffingReassignApi"]


class StudyStaffingApi(ApiView):
    @extend_schema(
        operation_id="studies_staffing_retrieve",
        tags=["staffing"],
        summary="A round's visits to staff, and the study's visits to reassign (research lead)",
        description=(
            "The round named by `?round=`, else the study's next round (the earliest whose "
            "window ends today or later). `round` is null when none is planned."
        ),
        parameters=[
            OpenApiParameter(
                "round", OpenApiTypes.UUID, description="A round of the study.", required=False
            )
        ],
        responses={200: s.StaffingOutputSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        round_id = request.query_params.get("round")
        round_ = staffing.round_to_staff(
            study=study, round_id=access.as_uuid(round_id) if round_id else None
        )
        if round_id and round_ is None:
            raise Http404
        body = {
            "round": round_,
            "time_zone": study.time_zone,
            "visits": list(selectors.round_visit_list(round_=round_).select_related("round__study"))
            if round_
            else [],
            "to_reassign": list(
                selectors.visits_to_reassign(study=study).select_related("round__study")
            ),
            "households_to_add": staffing.households_to_add(round_=round_) if round_ else [],
            "researchers": [user.username for user in selectors.researcher_list(study=study)],
        }
        return Response(s.StaffingOutputSerializer(body).data)


class StudyStaffingReassignApi(ApiView):
    @extend_schema(
        operation_id="studies_staffing_reassign",
        tags=["staffing"],
        summary="Hand all of one researcher's visits between two dates to another (research lead)",
        description=(
            "Every scheduled visit of `from_researcher` in the round starting between "
            "`start_date` and `end_date` (inclusive, in the study's time zone) goes to "
            "`to_researcher` at the same time. All or nothing: when any visit clashes with "
            "her bookings or falls outside her availability, nothing moves and the 409 "
            "lists each such visit under `to_researcher`. A closed study is a 409."
        ),
        request=s.StaffingReassignInputSerializer,
        responses={200: s.StaffingReassignOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.StaffingReassignInputSerializer, request.data)
        round_ = staffing.round_to_staff(study=study, round_id=data["round"])
        if round_ is None:
            message = (
                _("This study has no such round.")
                if data["round"]
                else _("This study has no round planned to staff.")
            )
            raise ValidationError({"round": [message]})
        handover = staffing.staffing_reassign(
            round_=round_,
            from_researcher=team_member(study, data["from_researcher"], "from_researcher"),
            to_researcher=team_member(study, data["to_researcher"], "to_researcher"),
            start_date=data["start_date"],
            end_date=data["end_date"],
            actor=request.user,
        )
        return Response(
            s.StaffingReassignOutputSerializer(
                {"round": handover.round, "moved": handover.visits}
            ).data
        )
