"""A study's next discussion guide: read by its team, written by its research lead."""

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView
from studies.common.roles import Capability
from studies.scheduling import access, selectors
from studies.scheduling.api.serializers.guide import (
    NextGuideInputSerializer,
    NextGuideOutputSerializer,
)
from studies.scheduling.api.views.base import validated
from studies.scheduling.models import Study
from studies.scheduling.services.guides import next_guide_replace
from studies.scheduling.services.rounds import GuideItem


def _guide(study: Study) -> Response:
    items = list(selectors.next_guide_list(study=study, with_answer_counts=True))
    return Response(
        NextGuideOutputSerializer({"items": items, "written": study.next_guide.exists()}).data
    )


class StudyGuideApi(ApiView):
    @extend_schema(
        operation_id="studies_guide_retrieve",
        tags=["studies"],
        summary="The discussion guide of the study's next round",
        description=(
            "What planning copies into the next round: the study's next guide, or, until its "
            "lead writes one, the latest round's guide. Each question carries its `key` (its "
            "identity across rounds) and how many answers it has had."
        ),
        responses={200: NextGuideOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(user=request.user, study_id=study_id)
        return _guide(study)

    @extend_schema(
        operation_id="studies_guide_replace",
        tags=["studies"],
        summary="Replace the next round's discussion guide (research lead)",
        description=(
            "The whole guide, in order. An item with a `key` is that question, reworded or "
            "moved, and keeps its answers; one without is new. Rounds whose window has not "
            "opened follow the new guide at once; a question with answers is never deleted "
            "(it leaves the guide and keeps them). An empty question is refused as "
            '`{"items[2].text": [...]}` and nothing is saved; a closed study is a 409.'
        ),
        request=NextGuideInputSerializer,
        responses={200: NextGuideOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        data = validated(NextGuideInputSerializer, request.data)
        next_guide_replace(
            study=study,
            items=[
                GuideItem(text=item["text"], key=item.get("key"), section=item["section"])
                for item in data["items"]
            ],
        )
        return _guide(study)
