"""Outgoing webhooks and their delivery log, for admins (staff)."""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.scheduling.access import as_uuid
from studies.scheduling.api.views.base import validated
from studies.synthesis.api import serializers as s
from studies.synthesis.models import Webhook, WebhookDelivery
from studies.synthesis.services import webhooks as services

__all__ = ["WebhookDeliveryListApi", "WebhookDetailApi", "WebhookListApi"]


def _webhooks() -> QuerySet[Webhook]:
    return Webhook.objects.select_related("board").order_by("name", "pk")


def _webhook(webhook_id: object) -> Webhook:
    webhook = _webhooks().filter(pk=as_uuid(webhook_id)).first()
    if webhook is None:
        raise Http404
    return webhook


class WebhookListApi(ListApiView):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = s.WebhookOutputSerializer

    def get_queryset(self) -> Any:
        return _webhooks()

    @extend_schema(
        operation_id="webhooks_list",
        tags=["webhooks"],
        summary="Webhooks (admins); secrets are never listed",
        responses={200: s.WebhookOutputSerializer(many=True), **error_responses(403)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="webhooks_create",
        tags=["webhooks"],
        summary="Connect a webhook (admins); told when an insight lands on or moves on a board",
        description="The answer carries the signing secret, this once only.",
        request=s.WebhookInputSerializer,
        responses={201: s.WebhookCreatedOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.WebhookInputSerializer, request.data)
        webhook = services.webhook_create(
            name=data["name"],
            url=data["url"],
            secret=data["secret"],
            board_id=data["board"],
            active=data["active"],
        )
        return Response(
            s.WebhookCreatedOutputSerializer(webhook).data, status=status.HTTP_201_CREATED
        )


class WebhookDetailApi(ApiView):
    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        operation_id="webhooks_retrieve",
        tags=["webhooks"],
        responses={200: s.WebhookOutputSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, webhook_id: uuid.UUID) -> Response:
        return Response(s.WebhookOutputSerializer(_webhook(webhook_id)).data)

    @extend_schema(
        operation_id="webhooks_partial_update",
        tags=["webhooks"],
        summary="Change a webhook (admins); its secret stays as it was",
        request=s.WebhookUpdateInputSerializer,
        responses={200: s.WebhookOutputSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, webhook_id: uuid.UUID) -> Response:
        webhook = _webhook(webhook_id)
        data = validated(s.WebhookUpdateInputSerializer, request.data)
        webhook = services.webhook_update(
            webhook=webhook,
            name=data.get("name", webhook.name),
            url=data.get("url", webhook.url),
            board_id=data.get("board", webhook.board_id),
            active=data.get("active", webhook.active),
        )
        return Response(s.WebhookOutputSerializer(webhook).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        tags=["webhooks"],
        summary="Disconnect a webhook (admins), with its delivery log",
        request=None,
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, webhook_id: uuid.UUID) -> Response:
        # The webhooks service has no delete: removing the row (and, by cascade, its
        # deliveries) is the whole of it.
        _webhook(webhook_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(ListApiView):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = s.WebhookDeliveryOutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no URL
            return WebhookDelivery.objects.none()
        webhook = _webhook(self.kwargs["webhook_id"])
        return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "pk")

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        tags=["webhooks"],
        summary="A webhook's delivery log, newest first (admins)",
        responses={
            200: s.WebhookDeliveryOutputSerializer(many=True),
            **error_responses(403, 404),
        },
    )
    def get(self, request: Request, webhook_id: uuid.UUID) -> Response:
        return self.list_response()
