"""The scheduling API: validate with an input serializer, call a service, render the result.

Objects in the URL are reached through studies.scheduling.access (404 for outsiders, 403
for members whose role lacks the capability). Objects named in a request body that the
user cannot see are a 400 on that field: the body is what is wrong, not the URL.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.common.models import User
from studies.common.roles import Capability
from studies.scheduling import access, selectors, services
from studies.scheduling.api import filters
from studies.scheduling.api import serializers as s
from studies.scheduling.models import Study


def _validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> Any:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _referenced[T](field: str, get: Callable[..., T], **kwargs: Any) -> T:
    """An object named in the body, through its access function; unseen ones are a 400."""
    try:
        return get(**kwargs)
    except Http404:
        raise ValidationError({field: [_("Not found, or not in a study of yours.")]}) from None


def _member(study: Study, username: str, field: str) -> User:
    user = selectors.study_member(study=study, username=username)
    if user is None:
        raise ValidationError(
            {field: [_("%(username)s is not on this study's team.") % {"username": username}]}
        )
    return user


# --- Studies ----------------------------------------------------------------------------------


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
        summary="Create a study; you become its research lead",
        request=s.StudyInputSerializer,
        responses={201: s.StudyOutputSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        data = _validated(s.StudyInputSerializer, request.data)
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
        description="`questions`, when given, replaces the list of research questions.",
        request=s.StudyInputSerializer(partial=True),
        responses={200: s.StudyOutputSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, study_id: uuid.UUID) -> Response:
        study = access.study_get_for_user(
            user=request.user, study_id=study_id, capability=Capability.MANAGE_STUDY
        )
        data = dict(
            _validated(s.StudyInputSerializer, request.data, partial=True, context={"study": study})
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
        data = _validated(s.MemberInputSerializer, request.data)
        user = selectors.active_user(username=data["username"])
        if user is None:
            raise ValidationError(
                {"username": [_("No one is called %(username)s.") % {"username": data["username"]}]}
            )
        membership, created = services.membership_set(study=study, user=user, role=data["role"])
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
        services.membership_remove(study=study, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StudyPlanNextRoundApi(ApiView):
    @extend_schema(
        operation_id="studies_plan_next_round",
        tags=["studies"],
        summary="Plan the next round now (research lead)",
        description=(
            "Creates the round of the study's next period with the previous round's guide "
            "and proposes one visit per consenting household. Planning twice is a 409."
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
        data = _validated(s.EnrolmentInputSerializer, request.data)
        # Only households of studies this user leads: a lead cannot pull in (and so see)
        # a household from a panel they do not manage.
        household = _referenced(
            "household",
            access.household_get_for_user,
            user=request.user,
            household_id=data["household"],
            capability=Capability.MANAGE_STUDY,
        )
        enrolment = services.household_enrol(study=study, household=household)
        return Response(s.EnrolmentOutputSerializer(enrolment).data, status=status.HTTP_201_CREATED)


# --- Households and consent -------------------------------------------------------------------


class HouseholdListApi(ListApiView):
    serializer_class = s.HouseholdOutputSerializer
    filterset_class = filters.HouseholdFilter

    def get_queryset(self) -> Any:
        return selectors.household_list(user=self.request.user)

    @extend_schema(
        operation_id="households_list",
        tags=["households"],
        summary="Households in the panels of your studies",
        description=(
            "`contact` (name, address, phone, e-mail) is filled only for research leads and "
            "researchers; product and marketing see the pseudonym code and segment."
        ),
        responses={200: s.HouseholdOutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="households_create",
        tags=["households"],
        summary="Add a household to a study's panel (research lead of that study)",
        request=s.HouseholdInputSerializer,
        responses={201: s.HouseholdOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = dict(_validated(s.HouseholdInputSerializer, request.data))
        study = _referenced(
            "study",
            access.study_get_for_user,
            user=request.user,
            study_id=data.pop("study"),
            capability=Capability.MANAGE_STUDY,
        )
        with transaction.atomic():
            household = services.household_create(**data)
            services.household_enrol(study=study, household=household)
        household = selectors.household_detail(user=request.user, household=household)
        return Response(s.HouseholdOutputSerializer(household).data, status=status.HTTP_201_CREATED)


class HouseholdDetailApi(ApiView):
    @extend_schema(
        operation_id="households_retrieve",
        tags=["households"],
        responses={200: s.HouseholdOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(user=request.user, household_id=household_id)
        household = selectors.household_detail(user=request.user, household=household)
        return Response(s.HouseholdOutputSerializer(household).data)

    @extend_schema(
        operation_id="households_partial_update",
        tags=["households"],
        summary="Change a household (research lead)",
        request=s.HouseholdUpdateInputSerializer,
        responses={200: s.HouseholdOutputSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(
            user=request.user, household_id=household_id, capability=Capability.MANAGE_STUDY
        )
        data = _validated(s.HouseholdUpdateInputSerializer, request.data)
        services.household_update(household=household, **data)
        household = selectors.household_detail(user=request.user, household=household)
        return Response(s.HouseholdOutputSerializer(household).data)


class HouseholdConsentListApi(ApiView):
    @extend_schema(
        operation_id="households_consents_list",
        tags=["households"],
        summary="A household's consent records, current and withdrawn",
        responses={200: s.ConsentOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(user=request.user, household_id=household_id)
        consents = selectors.consent_list(household=household)
        return Response(s.ConsentOutputSerializer(consents, many=True).data)

    @extend_schema(
        operation_id="households_consents_create",
        tags=["households"],
        summary="Record consent (research lead)",
        request=s.ConsentInputSerializer,
        responses={201: s.ConsentOutputSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, household_id: uuid.UUID) -> Response:
        household = access.household_get_for_user(
            user=request.user, household_id=household_id, capability=Capability.MANAGE_STUDY
        )
        data = _validated(s.ConsentInputSerializer, request.data)
        consent = services.consent_give(household=household, actor=request.user, **data)
        return Response(s.ConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawApi(ApiView):
    @extend_schema(
        operation_id="consents_withdraw",
        tags=["households"],
        summary="Withdraw consent (research lead); withdrawing twice changes nothing",
        request=None,
        responses={200: s.ConsentOutputSerializer, **error_responses(403, 404)},
    )
    def post(self, request: Request, consent_id: uuid.UUID) -> Response:
        consent = selectors.consent_get(consent_id=consent_id)
        if consent is None:
            raise Http404
        # A consent is as visible as its household: the household's access function decides.
        access.household_get_for_user(
            user=request.user,
            household_id=consent.household_id,
            capability=Capability.MANAGE_STUDY,
        )
        consent = services.consent_withdraw(consent=consent)
        return Response(s.ConsentOutputSerializer(consent).data)


# --- Rounds -----------------------------------------------------------------------------------


class RoundListApi(ListApiView):
    serializer_class = s.RoundOutputSerializer
    filterset_class = filters.RoundFilter

    def get_queryset(self) -> Any:
        return selectors.round_list(user=self.request.user)

    @extend_schema(
        operation_id="rounds_list",
        tags=["rounds"],
        summary="Rounds of your studies, latest window first",
        responses={200: s.RoundOutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="rounds_create",
        tags=["rounds"],
        summary="Create a round by hand (research lead)",
        request=s.RoundInputSerializer,
        responses={201: s.RoundOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = dict(_validated(s.RoundInputSerializer, request.data))
        study = _referenced(
            "study",
            access.study_get_for_user,
            user=request.user,
            study_id=data.pop("study"),
            capability=Capability.MANAGE_STUDY,
        )
        round_ = services.round_create(study=study, **data)
        return Response(
            s.RoundOutputSerializer(selectors.round_detail(user=request.user, round_=round_)).data,
            status=status.HTTP_201_CREATED,
        )


class RoundDetailApi(ApiView):
    @extend_schema(
        operation_id="rounds_retrieve",
        tags=["rounds"],
        summary="A round with its discussion guide in order",
        responses={200: s.RoundOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = access.round_get_for_user(user=request.user, round_id=round_id)
        return Response(
            s.RoundOutputSerializer(selectors.round_detail(user=request.user, round_=round_)).data
        )

    @extend_schema(
        operation_id="rounds_partial_update",
        tags=["rounds"],
        summary="Change a round (research lead)",
        description="`guide`, when given, replaces the whole discussion guide.",
        request=s.RoundUpdateInputSerializer,
        responses={200: s.RoundOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: Request, round_id: uuid.UUID) -> Response:
        round_ = access.round_get_for_user(
            user=request.user, round_id=round_id, capability=Capability.MANAGE_STUDY
        )
        data = _validated(s.RoundUpdateInputSerializer, request.data, context={"round": round_})
        services.round_update(round_=round_, **data)
        return Response(
            s.RoundOutputSerializer(selectors.round_detail(user=request.user, round_=round_)).data
        )


# --- Visits -----------------------------------------------------------------------------------


class VisitListApi(ListApiView):
    serializer_class = s.VisitOutputSerializer
    filterset_class = filters.VisitFilter

    def get_queryset(self) -> Any:
        return selectors.visit_list(user=self.request.user)

    @extend_schema(
        operation_id="visits_list",
        tags=["visits"],
        summary="Visits in your studies; `?mine&date=today` is a researcher's day",
        responses={200: s.VisitOutputSerializer(many=True), **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        return self.list_response()

    @extend_schema(
        operation_id="visits_create",
        tags=["visits"],
        summary="Book a visit (research lead)",
        description=(
            "Refused with 400 when the visit falls outside its round's window or the "
            "household is not in the panel, and with 409 when the researcher is already "
            "booked or not available then."
        ),
        request=s.VisitInputSerializer,
        responses={201: s.VisitDetailOutputSerializer, **error_responses(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        data = _validated(s.VisitInputSerializer, request.data)
        round_ = _referenced(
            "round",
            access.round_get_for_user,
            user=request.user,
            round_id=data["round"],
            capability=Capability.MANAGE_STUDY,
        )
        household = selectors.panel_household(study=round_.study, household_id=data["household"])
        if household is None:
            raise ValidationError({"household": [_("This household is not in the study's panel.")]})
        visit = services.visit_create(
            round_=round_,
            household=household,
            researcher=_member(round_.study, data["researcher"], "researcher"),
            start=data["scheduled_start"],
            end=data["scheduled_end"],
            actor=request.user,
        )
        return Response(
            s.VisitDetailOutputSerializer(
                selectors.visit_detail(user=request.user, visit=visit)
            ).data,
            status=status.HTTP_201_CREATED,
        )


class VisitDetailApi(ApiView):
    @extend_schema(
        operation_id="visits_retrieve",
        tags=["visits"],
        summary="A visit with its history of moves and status changes",
        responses={200: s.VisitDetailOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, visit_id: uuid.UUID) -> Response:
        visit = access.visit_get_for_user(user=request.user, visit_id=visit_id)
        return Response(
            s.VisitDetailOutputSerializer(
                selectors.visit_detail(user=request.user, visit=visit)
            ).data
        )


class VisitRescheduleApi(ApiView):
    @extend_schema(
        operation_id="visits_reschedule",
        tags=["visits"],
        summary="Move a visit and/or hand it to another researcher (research lead)",
        request=s.VisitRescheduleInputSerializer,
        responses={200: s.VisitDetailOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, visit_id: uuid.UUID) -> Response:
        visit = access.visit_get_for_user(
            user=request.user, visit_id=visit_id, capability=Capability.MANAGE_STUDY
        )
        data = _validated(s.VisitRescheduleInputSerializer, request.data)
        researcher = (
            _member(visit.round.study, data["researcher"], "researcher")
            if "researcher" in data
            else None
        )
        visit = services.visit_reschedule(
            visit=visit,
            actor=request.user,
            start=data.get("scheduled_start"),
            end=data.get("scheduled_end"),
            researcher=researcher,
            note=data["note"],
        )
        return Response(
            s.VisitDetailOutputSerializer(
                selectors.visit_detail(user=request.user, visit=visit)
            ).data
        )


class VisitTransitionApi(ApiView):
    @extend_schema(
        operation_id="visits_transition",
        tags=["visits"],
        summary="Start, complete, cancel or mark a visit as no-show",
        description=(
            "Allowed by the visit's own researcher or a research lead. scheduled → "
            "in_progress → completed; scheduled → cancelled or no_show. Anything else is a 409."
        ),
        request=s.VisitTransitionInputSerializer,
        responses={200: s.VisitDetailOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, visit_id: uuid.UUID) -> Response:
        visit = access.visit_get_for_user(
            user=request.user, visit_id=visit_id, capability=Capability.CONDUCT_VISITS
        )
        data = _validated(s.VisitTransitionInputSerializer, request.data)
        visit = services.visit_transition(visit=visit, actor=request.user, to_status=data["status"])
        return Response(
            s.VisitDetailOutputSerializer(
                selectors.visit_detail(user=request.user, visit=visit)
            ).data
        )


# --- The signed-in user -----------------------------------------------------------------------


class MyAvailabilityApi(ApiView):
    @extend_schema(
        operation_id="me_availability_list",
        tags=["me"],
        summary="Your weekly availability for visits",
        description="Times are wall-clock times in the visited study's zone. "
        "An empty list means any time within a study's working day.",
        responses={200: s.AvailabilityOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        windows = selectors.availability_list(researcher=request.user)
        return Response(s.AvailabilityOutputSerializer(windows, many=True).data)

    @extend_schema(
        operation_id="me_availability_replace",
        tags=["me"],
        summary="Replace your weekly availability",
        request=s.AvailabilityInputSerializer(many=True),
        responses={200: s.AvailabilityOutputSerializer(many=True), **error_responses(400)},
    )
    def put(self, request: Request) -> Response:
        serializer = s.AvailabilityInputSerializer(data=request.data, many=True)
        if not serializer.is_valid():
            # Nested under "windows" so the messages read windows[1].end_time, as the
            # service names them too.
            raise serializers.ValidationError({"windows": serializer.errors})
        services.availability_set(
            researcher=request.user,
            windows=[
                (row["weekday"], row["start_time"], row["end_time"])
                for row in serializer.validated_data
            ],
        )
        windows = selectors.availability_list(researcher=request.user)
        return Response(s.AvailabilityOutputSerializer(windows, many=True).data)


class MyCalendarFeedApi(ApiView):
    def _answer(self, user: User, code: int = status.HTTP_200_OK) -> Response:
        feed = services.calendar_feed_get_or_create(researcher=user)
        return Response(
            s.CalendarFeedOutputSerializer({"url": services.calendar_feed_url(feed)}).data,
            status=code,
        )

    @extend_schema(
        operation_id="me_calendar_feed_retrieve",
        tags=["me"],
        summary="Your private iCalendar URL (issued on first request)",
        responses={200: s.CalendarFeedOutputSerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self._answer(request.user)

    @extend_schema(
        operation_id="me_calendar_feed_renew",
        tags=["me"],
        summary="Revoke your calendar URL and issue a new one",
        request=None,
        responses={201: s.CalendarFeedOutputSerializer, **error_responses()},
    )
    def post(self, request: Request) -> Response:
        with transaction.atomic():
            services.calendar_feed_revoke(researcher=request.user)
            return self._answer(request.user, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="me_calendar_feed_revoke",
        tags=["me"],
        summary="Revoke your calendar URL; subscribed calendars stop updating",
        request=None,
        responses={204: None, **error_responses()},
    )
    def delete(self, request: Request) -> Response:
        services.calendar_feed_revoke(researcher=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
