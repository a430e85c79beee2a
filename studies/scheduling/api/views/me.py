"""The signed-in user's availability and calendar feed."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView
from studies.common.models import User
from studies.scheduling import selectors, services
from studies.scheduling.api import serializers as s


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
