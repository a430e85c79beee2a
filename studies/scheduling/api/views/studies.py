"""Studies, their teams, enrolment and planning."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.common.roles import Capability
from studies.scheduling import access, selectors, services
from studies.scheduling.api import serializers as s
from studies.scheduling.api.views.base import referenced, validated


class StudyListApi(ListApiView):
    serializer_class = s.StudyOutputSerializer

    def get_queryset(self) -> Any:
        return selectors.study_list(user=self.request.user)

    @extend_schema(
        operation_id="studies_list",
        tags=["studies"],
        summary="Studies you are a member of",
        responses={200: s.StudyOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="studies_create",
        tags=["studies"],
        summary="Create a study (administrators and research leads); you become its lead",
        request=s.StudyInputSerializer,
        responses={201: s.StudyOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        if not access.can_start_study(request.user):
            raise PermissionDenied(_("Only administrators and research leads start studies."))
        data = validated(s.StudyInputSerializer, request.data)
        study = services.study_create(actor=request.user, **data)
        output = s.StudyOutputSerializer(selectors.study_detail(user=request.user, study=study))
        return Response(output.data, status=status.HTTP_201_CREATED)


class StudyDetailApi(ApiView):
    @extend_schema(
        operation_id="studies_retrieve",
        tags=["studies"],
        responses={200: s.StudyOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(user=request.user, study_id=study_id)
        return Response(
            s.StudyOutputSerializer(selectors.study_detail(user=request.user, study=study)).data
        )

    @extend_schema(
        operation_id="studies_partial_update",
        tags=["studies"],
        summary="Change a study (research lead)",
        description=(
            "`questions`, when given, replaces the list of research questions. `status` "
            "`closed` closes the study: planning stops and any other change is a 409 until a "
            "change of `status` reopens it."
        ),
        request=s.StudyInputSerializer(partial=True),
        responses={200: s.StudyOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        data = dict(
            validated(s.StudyInputSerializer, request.data, partial=True, context={"study": study})
        )
        services.study_update(study=study, questions=data.pop("questions", None), **data)
        return Response(
            s.StudyOutputSerializer(selectors.study_detail(user=request.user, study=study)).data
        )


class StudyMemberListApi(ApiView):
    @extend_schema(
        operation_id="studies_members_list",
        tags=["studies"],
        summary="The study's team",
        responses={200: s.TeamMemberOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(user=request.user, study_id=study_id)
        members = selectors.membership_list(study=study)
        return Response(s.TeamMemberOutputSerializer(members, many=True).data)

    @extend_schema(
        operation_id="studies_members_set",
        tags=["studies"],
        summary="Add someone to the team or change their role (research lead)",
        request=s.MemberInputSerializer,
        responses={
            200: OpenApiResponse(s.TeamMemberOutputSerializer, description="Role changed."),
            201: OpenApiResponse(s.TeamMemberOutputSerializer, description="Member added."),
            **error_responses(400, 403, 404, 409),
        },
    )
    def post(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.MemberInputSerializer, request.data)
        user = selectors.active_user(username=data["username"])
        if user is None:
            raise ValidationError(
                {"username": [_("No one is called %(username)s.") % {"username": data["username"]}]}
            )
        membership, created = services.membership_set(
            study=study, user=user, role=data["role"], actor=request.user, request=request
        )
        return Response(
            s.TeamMemberOutputSerializer(membership).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class StudyMemberDetailApi(ApiView):
    @extend_schema(
        operation_id="studies_members_remove",
        tags=["studies"],
        summary="Remove someone from the team (research lead)",
        request=None,
        responses={204: None, **error_responses(403, 404, 409)},
    )
    def delete(self, request: Request, study_id: uuid.UUID, username: str) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        user = selectors.study_member(study=study, username=username)
        if user is None:
            raise Http404
        services.membership_remove(study=study, user=user, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StudyPlanNextRoundApi(ApiView):
    @extend_schema(
        operation_id="studies_plan_next_round",
        tags=["studies"],
        summary="Plan the next round now (research lead)",
        description=(
            "Creates the round of the study's next period with the study's next guide (or, "
            "while it has none, the previous round's) and proposes one visit per consenting "
            "household; a draft study becomes active. Planning twice is a 409."
        ),
        request=None,
        responses={201: s.PlanningOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        outcome = services.round_plan_next(study=study)
        output = s.PlanningOutputSerializer(
            {
                "round": selectors.round_detail(user=request.user, round_=outcome.round),
                "visits_proposed": len(outcome.visits),
                "unplaced_households": [household.code for household in outcome.unplaced],
            }
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


class StudyEnrolmentApi(ApiView):
    @extend_schema(
        operation_id="studies_enrolments_create",
        tags=["studies"],
        summary="Enrol a household in the study's panel (research lead)",
        description="Enrolling a household that left the panel brings it back.",
        request=s.EnrolmentInputSerializer,
        responses={201: s.EnrolmentOutputSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.EnrolmentInputSerializer, request.data)
        # Only households of studies this user leads: a lead cannot pull in (and so see)
        # a household from a panel they do not manage.
        household = referenced(
            "household",
            access.household_get_for_user,
            user=request.user,
            household_id=data["household"],
            capability=Capability.MANAGE_STUDY,
        )
        enrolment = services.household_enrol(study=study, household=household)
        return Response(s.EnrolmentOutputSerializer(enrolment).data, status=status.HTTP_201_CREATED)
