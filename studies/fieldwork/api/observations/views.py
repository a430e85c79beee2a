"""Capture sync, a visit's observations, a study's tags and the phone's offline bundle.

Objects in the URL are reached through studies.scheduling.access (404 for outsiders). The
sync endpoint answers 200 for any readable batch: each item succeeds or fails on its own,
and failures are reported in its result rather than as the request's status.
"""

import uuid
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.errors import NON_FIELD, flatten_errors
from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.common.audit import audit_personal_data_shown
from studies.fieldwork import selectors
from studies.fieldwork.api.observations import serializers as s
from studies.fieldwork.models import Observation, Tag
from studies.fieldwork.services import observations as services
from studies.scheduling import access

SYNC_PROTOCOL = "sync-v1"


def _echoed(item: object, key: str) -> str | None:
    """An id as the client sent it, so it can match a rejection to its outbox entry."""
    value = item.get(key) if isinstance(item, dict) else None
    return value[:64] if isinstance(value, str) else None


def _operation(reader: s.SyncOperationInputSerializer, item: object) -> services.Operation:
    if not isinstance(item, dict):
        return services.UnreadableOperation(
            operation_id=None,
            device_id=None,
            errors={NON_FIELD: [_("Each operation must be a JSON object.")]},
        )
    try:
        data = reader.run_validation(item)
    except ValidationError as exc:
        return services.UnreadableOperation(
            operation_id=_echoed(item, "operation_id"),
            device_id=_echoed(item, "device_id"),
            errors=flatten_errors(exc.detail),
        )
    if data["type"] == services.SyncOperationType.DELETE:
        return services.ObservationDelete(
            operation_id=data["operation_id"],
            device_id=data["device_id"],
            edited_at=data["edited_at"],
        )
    return services.ObservationUpsert(
        operation_id=data["operation_id"],
        device_id=data["device_id"],
        visit_id=data["visit"],
        kind=data["kind"],
        text=data["text"],
        speaker=data["speaker"],
        guide_question_id=data["guide_question"],
        tags=tuple(data["tags"]),
        captured_at=data["captured_at"],
        edited_at=data.get("edited_at", data["captured_at"]),
    )


def _result(result: services.SyncResult) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "operation_id": result.operation_id,
        "device_id": result.device_id,
        "status": result.status,
        "observation": result.observation,
    }
    if result.errors is not None:
        answer["errors"] = result.errors
    if result.conflict is not None:
        answer["conflict"] = {"outcome": result.conflict}
    if result.clamped:
        answer["clamped"] = list(result.clamped)
    return answer


class SyncApi(ApiView):
    @extend_schema(
        operation_id="sync_create",
        tags=["sync"],
        summary="Send captured observations: creates, offline edits and deletes, in order",
        description=(
            "Exactly once: an operation already received (same operation_id) is answered "
            "`duplicate` with nothing changed, and an observation is unique by its "
            "device_id. Each operation stands alone: bad ones are `rejected` with the "
            "fields at fault while the others are stored. Offline edits apply last-write-"
            "wins by `edited_at`: an older one is kept aside as a conflict "
            "(`incoming_ignored`), a newer one that overwrites someone else's edit is "
            "applied and recorded (`incoming_applied`). Only the visit's researcher or a "
            "research lead may capture; a cancelled or no-show visit, or a completed one "
            "for items captured after it finished, is closed. Treat an item as delivered "
            f'only when the answer carries `"researchhub": "{SYNC_PROTOCOL}"` and its '
            "operation_id."
        ),
        request=s.SyncInputSerializer,
        responses={200: s.SyncOutputSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = s.SyncInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # One reader for every item: a serializer per item would copy its fields 500 times.
        reader = s.SyncOperationInputSerializer()
        operations = [_operation(reader, item) for item in serializer.validated_data["operations"]]
        results = services.observation_sync(user=request.user, operations=operations)
        return Response(
            s.SyncOutputSerializer(
                {
                    "researchhub": SYNC_PROTOCOL,
                    "server_time": timezone.now(),
                    "results": [_result(result) for result in results],
                }
            ).data
        )


class VisitObservationListApi(ListApiView):
    serializer_class = s.ObservationOutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no URL
            return Observation.objects.none()
        visit = access.visit_get_for_user(user=self.request.user, visit_id=self.kwargs["visit_id"])
        return selectors.visit_observation_list(visit=visit)

    @extend_schema(
        operation_id="visits_observations_list",
        tags=["sync"],
        summary="A visit's observations (deleted ones left out), oldest capture first",
        responses={200: s.ObservationOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, visit_id: uuid.UUID) -> Response:
        return self.list_response()


class StudyTagListApi(ListApiView):
    serializer_class = s.TagOutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no URL
            return Tag.objects.none()
        study = access.study_get_for_user(user=self.request.user, study_id=self.kwargs["study_id"])
        return selectors.study_tag_list(study=study, user=self.request.user)

    @extend_schema(
        operation_id="studies_tags_list",
        tags=["sync"],
        summary="A study's tags: the ones you used most recently first, then by group",
        responses={200: s.TagOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        return self.list_response()


class MyOfflineBundleApi(ApiView):
    @extend_schema(
        operation_id="me_offline_bundle_retrieve",
        tags=["me"],
        summary="Your visits from today for a few days, with guides and tags, for offline use",
        description=(
            "The visits of your field window: days counted in your own time zone, today "
            "included (the day's finished visits stay, cancelled and no-show ones go), and "
            "any visit still in progress from an earlier day; the Today page lists the same "
            "visits. Households come with their pseudonym code and segment, and for the "
            "research team, while the household is in the panel, its address and phone (to "
            "get there and ring the bell); never a name or e-mail address."
        ),
        parameters=[s.OfflineBundleQueryInputSerializer],
        responses={200: s.OfflineBundleOutputSerializer, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        query = s.OfflineBundleQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        bundle = selectors.offline_bundle(user=request.user, days=query.validated_data["days"])
        audit_personal_data_shown(
            request=request,
            household_codes=[
                visit.household.code for visit in bundle.visits if visit.household_address
            ],
            where="offline bundle",
            exported=True,
        )
        return Response(s.OfflineBundleOutputSerializer(bundle).data)
