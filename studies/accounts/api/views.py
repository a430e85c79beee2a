"""The signed-in user's API tokens: list, create (the key is in that answer only), revoke."""

import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.accounts import access, selectors, services
from studies.accounts.api import serializers as s
from studies.accounts.models import ApiToken
from studies.common.api.errors import ErrorOutputSerializer
from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView


class MyApiTokenListApi(ListApiView):
    serializer_class = s.ApiTokenOutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApiToken.objects.none()
        return selectors.api_token_list(user=self.request.user)

    @extend_schema(
        operation_id="me_tokens_list",
        tags=["me"],
        summary="Your API tokens, newest first (keys are never shown again)",
        responses={200: s.ApiTokenOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="me_tokens_create",
        tags=["me"],
        summary="Create an API token; the answer holds its key, once",
        request=s.ApiTokenInputSerializer,
        responses={201: s.ApiTokenCreatedOutputSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = s.ApiTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, **serializer.validated_data)
        token.key = key  # type: ignore[attr-defined]
        return Response(
            s.ApiTokenCreatedOutputSerializer(token).data, status=status.HTTP_201_CREATED
        )


class MyApiTokenRevokeApi(ApiView):
    @extend_schema(
        operation_id="me_tokens_revoke",
        tags=["me"],
        summary="Revoke one of your API tokens; its key stops working at once",
        description="Revoking a revoked token changes nothing and answers the same.",
        request=None,
        responses={
            200: s.ApiTokenOutputSerializer,
            **error_responses(),
            404: OpenApiResponse(
                ErrorOutputSerializer, description=_("No such token, or it is someone else's.")
            ),
        },
    )
    def post(self, request: Request, token_id: uuid.UUID) -> Response:
        token = access.api_token_get_for_user(user=request.user, token_id=token_id)
        token = services.api_token_revoke(token=token, actor=request.user)
        return Response(s.ApiTokenOutputSerializer(token).data)
