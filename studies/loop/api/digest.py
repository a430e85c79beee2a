"""The signed-in user's weekly digest setting, and the teams it would come for."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import NamedChoiceField, error_responses
from studies.common.api.views import ApiView
from studies.common.models import User
from studies.loop.services.digest import digest_teams, weekly_digest_set
from studies.synthesis.models import BoardKind


class DigestSettingsInputSerializer(serializers.Serializer):
    # Optional, as in any PATCH: a body without it changes nothing.
    weekly_digest = serializers.BooleanField(
        required=False,
        help_text=_("true to get the Monday digest e-mails, false to get none."),
    )


class DigestSettingsOutputSerializer(serializers.Serializer):
    weekly_digest = serializers.BooleanField(read_only=True)
    teams = serializers.ListField(
        child=NamedChoiceField(BoardKind, enum_name="DigestTeam"),
        read_only=True,
        help_text=_(
            "The teams whose digest you would get, by your roles in your studies "
            "(product, marketing); empty if you are on neither."
        ),
    )


def _answer(user: User) -> Response:
    data = {"weekly_digest": user.weekly_digest, "teams": digest_teams(user=user)}
    return Response(DigestSettingsOutputSerializer(data).data)


class MyDigestApi(ApiView):
    @extend_schema(
        operation_id="me_digest_retrieve",
        tags=["me"],
        summary="Your weekly digest setting and the teams it comes for",
        responses={200: DigestSettingsOutputSerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return _answer(request.user)

    @extend_schema(
        operation_id="me_digest_update",
        tags=["me"],
        summary="Switch your weekly digest on or off",
        request=DigestSettingsInputSerializer,
        responses={200: DigestSettingsOutputSerializer, **error_responses(400)},
    )
    def patch(self, request: Request) -> Response:
        serializer = DigestSettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        if "weekly_digest" in serializer.validated_data:
            user = weekly_digest_set(user=user, enabled=serializer.validated_data["weekly_digest"])
        return _answer(user)
