"""Invitations to a study's team: sent, listed and withdrawn by its research lead, accepted
by the invited account. Roles and removals are the members endpoints (views/studies.py)."""

import uuid

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.errors import ErrorOutputSerializer
from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView
from studies.common.roles import Capability
from studies.scheduling import access
from studies.scheduling.api.serializers import team as s
from studies.scheduling.api.views.base import validated
from studies.scheduling.services import invitations

GONE = {
    404: OpenApiResponse(
        ErrorOutputSerializer,
        description=str(_("No invitation has this token (or it was mistyped).")),
    ),
    410: OpenApiResponse(
        ErrorOutputSerializer,
        description=str(_("The invitation expired, was used already, or was withdrawn.")),
    ),
}


class StudyInvitationListApi(ApiView):
    @extend_schema(
        operation_id="studies_invitations_list",
        tags=["team"],
        summary="Invitations not yet accepted, withdrawn or expired (research lead)",
        responses={200: s.InvitationOutputSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        open_invitations = invitations.invitation_list_open(study=study)
        return Response(s.InvitationOutputSerializer(open_invitations, many=True).data)

    @extend_schema(
        operation_id="studies_invitations_create",
        tags=["team"],
        summary="Invite someone by e-mail with a role (research lead)",
        description=(
            "E-mails a link that works once, for 7 days. Inviting an address that has an open "
            "invitation replaces it: the earlier link stops working. Someone already on the "
            "team is refused (400 on `email`; change their role instead). If the e-mail cannot "
            "be sent, nothing is saved (400 on `email`). A closed study is a 409."
        ),
        request=s.InvitationInputSerializer,
        responses={201: s.InvitationOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(s.InvitationInputSerializer, request.data)
        invitation = invitations.invitation_send(
            study=study, email=data["email"], role=data["role"], actor=request.user, request=request
        )
        return Response(
            s.InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED
        )


class StudyInvitationDetailApi(ApiView):
    @extend_schema(
        operation_id="studies_invitations_withdraw",
        tags=["team"],
        summary="Withdraw an open invitation (research lead); its link stops working",
        request=None,
        responses={204: None, **error_responses(403, 404, 409)},
    )
    def delete(self, request: Request, study_id: uuid.UUID, invitation_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        invitation = invitations.invitation_get_open(study=study, invitation_id=invitation_id)
        if invitation is None:
            raise Http404
        invitations.invitation_withdraw(invitation=invitation, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptApi(ApiView):
    @extend_schema(
        operation_id="invitations_accept",
        tags=["team"],
        summary="Accept an invitation with your account",
        description=(
            "For a signed-in account whose e-mail address is the invited one: joins the "
            "study's team with the invited role. A link works once. New people accept on the "
            "invitation page, where they make their account."
        ),
        request=s.InvitationAcceptInputSerializer,
        responses={
            200: s.InvitationAcceptOutputSerializer,
            **error_responses(400, 409),
            **GONE,
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.InvitationAcceptInputSerializer, request.data)
        try:
            acceptance = invitations.invitation_accept(
                token=data["token"], user=request.user, request=request
            )
        except invitations.InvitationGone as gone:
            return Response({"errors": {"token": gone.messages}}, status=gone.status)
        return Response(s.InvitationAcceptOutputSerializer(acceptance).data)
