"""The study's tag taxonomy: counts, create, rename and regroup, merge."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView
from studies.common.roles import Capability
from studies.fieldwork.models import Tag
from studies.scheduling import access
from studies.scheduling.api.views.base import referenced, validated
from studies.synthesis import selectors
from studies.synthesis.access import tag_get_for_user
from studies.synthesis.api import serializers as s
from studies.synthesis.services import tags as services

__all__ = ["StudyTagCountsApi", "TagDetailApi", "TagListApi", "TagMergeApi"]


class StudyTagCountsApi(ApiView):
    @extend_schema(
        operation_id="studies_tag_counts_retrieve",
        tags=["tags"],
        summary="How many observations and insights carry each of the study's tags, per round",
        responses={200: s.TagCountsOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(user=request.user, study_id=study_id)
        rounds, counts = selectors.tag_counts(study=study)
        rows: list[dict[str, Any]] = [
            {
                "tag": count.tag,
                "observations": count.observations,
                "insights": count.insights,
                "by_round": [
                    {"round": round_.pk, "observations": count.by_round.get(round_.pk, 0)}
                    for round_ in rounds
                ],
            }
            for count in counts
        ]
        return Response(s.TagCountsOutputSerializer({"rounds": rounds, "tags": rows}).data)


class TagListApi(ApiView):
    @extend_schema(
        operation_id="tags_create",
        tags=["tags"],
        summary="Add a tag to a study's taxonomy (research lead)",
        request=s.TagCreateInputSerializer,
        responses={201: s.TaxonomyTagOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = dict(validated(s.TagCreateInputSerializer, request.data))
        study = referenced(
            "study",
            access.study_get_for_user,
            user=request.user,
            study_id=data.pop("study"),
            capability=Capability.MANAGE_STUDY,
        )
        tag = services.tag_create(study=study, **data)
        return Response(s.TaxonomyTagOutputSerializer(tag).data, status=status.HTTP_201_CREATED)


class TagDetailApi(ApiView):
    @extend_schema(
        operation_id="tags_partial_update",
        tags=["tags"],
        summary="Rename, regroup, recolour or describe a tag (research lead)",
        description=(
            "Every observation, insight and routing rule stays linked. A new group routes "
            "the tag's insights again."
        ),
        request=s.TagUpdateInputSerializer,
        responses={200: s.TaxonomyTagOutputSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, tag_id: uuid.UUID) -> Response:
        tag = tag_get_for_user(user=request.user, tag_id=tag_id, capability=Capability.MANAGE_STUDY)
        data = validated(s.TagUpdateInputSerializer, request.data)
        tag = services.tag_update(tag=tag, actor=request.user, **data)
        return Response(s.TaxonomyTagOutputSerializer(tag).data)


class TagMergeApi(ApiView):
    @extend_schema(
        operation_id="tags_merge",
        tags=["tags"],
        summary="Merge this tag into another of the same study (research lead)",
        description=(
            "Every link to this tag moves to `into` (an item carrying both keeps one), its "
            "routing rules now match `into`, and this tag is deleted."
        ),
        request=s.TagMergeInputSerializer,
        responses={200: s.TagMergeOutputSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, tag_id: uuid.UUID) -> Response:
        source = tag_get_for_user(
            user=request.user, tag_id=tag_id, capability=Capability.MANAGE_STUDY
        )
        into_id = validated(s.TagMergeInputSerializer, request.data)["into"]
        into = Tag.objects.filter(pk=into_id, study_id=source.study_id).first()
        if into is None:
            raise ValidationError({"into": [_("There is no such tag in this study.")]})
        outcome = services.tag_merge(source=source, into=into, actor=request.user)
        return Response(s.TagMergeOutputSerializer(outcome).data)
