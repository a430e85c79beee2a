"""Input serializers validate a request's shape; output serializers render results.

They never hold business rules: those live in studies.scheduling.services. Users are
referenced by username and objects by UUID, never by sequential ids.
"""

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.common.models import validate_time_zone
from studies.common.roles import Role
from studies.scheduling.models import (
    Availability,
    Cadence,
    Consent,
    ConsentKind,
    Enrolment,
    Household,
    Round,
    Study,
    StudyMembership,
    StudyStatus,
    Visit,
    VisitChange,
    VisitStatus,
)

# Dates outside these bounds are typing mistakes, and near the ends of the calendar the
# conversions between time zones would overflow.
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2999, 12, 31)


class BoundedDateField(serializers.DateField):
    default_error_messages = {
        "out_of_range": _("Use a date between {earliest} and {latest}."),
    }

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if not EARLIEST <= day <= LATEST:
            self.fail("out_of_range", earliest=EARLIEST, latest=LATEST)
        return day


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO-8601 instant that must carry its UTC offset: a bare "09:00" is ambiguous."""

    default_error_messages = {
        "naive": _("Include a UTC offset, e.g. 2027-01-12T09:00:00+00:00."),
        "out_of_range": BoundedDateField.default_error_messages["out_of_range"],
    }

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        if not EARLIEST <= value.date() <= LATEST:
            self.fail("out_of_range", earliest=EARLIEST, latest=LATEST)
        return super().enforce_timezone(value)


# --- Shared pieces ----------------------------------------------------------------------------


class HouseholdRefOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "code"]
        read_only_fields = fields


class TeamMemberOutputSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    role = NamedChoiceField(Role, read_only=True)

    class Meta:
        model = StudyMembership
        fields = ["username", "name", "role"]
        read_only_fields = fields

    def get_name(self, membership: StudyMembership) -> str:
        return membership.user.get_full_name()


# --- Studies ----------------------------------------------------------------------------------


WORKDAY_START: dt.time = Study._meta.get_field("workday_start").default
WORKDAY_END: dt.time = Study._meta.get_field("workday_end").default


class StudyInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    why = serializers.CharField(help_text=_("The question this study exists to answer."))
    questions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("Research questions, in order.")
    )
    cadence = NamedChoiceField(Cadence, required=False)
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_time_zone],
        help_text=_("An IANA zone such as Europe/London."),
    )
    status = NamedChoiceField(StudyStatus, required=False)
    planning_lead_days = serializers.IntegerField(min_value=0, max_value=180, required=False)
    visit_minutes = serializers.IntegerField(min_value=15, max_value=480, required=False)
    travel_minutes = serializers.IntegerField(min_value=0, max_value=240, required=False)
    workday_start = serializers.TimeField(required=False)
    workday_end = serializers.TimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # On PATCH the other end of the working day is the study's current one.
        study: Study | None = self.context.get("study")
        start = attrs.get("workday_start", study.workday_start if study else WORKDAY_START)
        end = attrs.get("workday_end", study.workday_end if study else WORKDAY_END)
        if end <= start:
            raise serializers.ValidationError(
                {"workday_end": [_("The working day must end after it starts.")]}
            )
        return attrs


class StudyOutputSerializer(serializers.ModelSerializer):
    questions = serializers.SerializerMethodField()
    cadence = NamedChoiceField(Cadence, read_only=True)
    status = NamedChoiceField(StudyStatus, read_only=True)
    my_role = NamedChoiceField(Role, read_only=True, help_text=_("Your own role in this study."))
    team = TeamMemberOutputSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Study
        fields = [
            "id",
            "title",
            "why",
            "questions",
            "cadence",
            "time_zone",
            "status",
            "planning_lead_days",
            "visit_minutes",
            "travel_minutes",
            "workday_start",
            "workday_end",
            "my_role",
            "team",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_questions(self, study: Study) -> list[str]:
        return [question.text for question in study.questions.all()]


class MemberInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = NamedChoiceField(Role)


class EnrolmentInputSerializer(serializers.Serializer):
    household = serializers.UUIDField()


class EnrolmentOutputSerializer(serializers.ModelSerializer):
    study = serializers.UUIDField(source="study_id", read_only=True)
    household = HouseholdRefOutputSerializer(read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "study", "household", "left_at", "created_at"]
        read_only_fields = fields


# --- Households and consent -------------------------------------------------------------------


class SegmentField(serializers.DictField):
    """Free key/values describing a household, e.g. {"household size": "4"}."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.CharField(max_length=200), **kwargs)


class HouseholdInputSerializer(serializers.Serializer):
    study = serializers.UUIDField(help_text=_("The study whose panel the household joins."))
    code = serializers.CharField(max_length=32, help_text=_("The pseudonym, e.g. H-014."))
    segment = SegmentField(required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class HouseholdUpdateInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, required=False)
    segment = SegmentField(required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)


class HouseholdContactOutputSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)


class HouseholdOutputSerializer(serializers.ModelSerializer):
    segment = serializers.DictField(child=serializers.CharField(), read_only=True)
    contact = serializers.SerializerMethodField(
        help_text=_(
            "Personal data, present only for research leads and researchers of a study the "
            "household is enrolled in; null for everyone else."
        )
    )

    class Meta:
        model = Household
        fields = ["id", "code", "segment", "contact", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(HouseholdContactOutputSerializer(allow_null=True))
    def get_contact(self, household: Household) -> dict[str, str] | None:
        # Households come from selectors.household_list, which fetches contacts only where
        # `personal_data_visible` holds; both checks must agree before anything is shown.
        if not getattr(household, "personal_data_visible", False):
            return None
        contact = getattr(household, "contact", None)
        if contact is None:
            return None
        return HouseholdContactOutputSerializer(contact).data


class ConsentInputSerializer(serializers.Serializer):
    kind = NamedChoiceField(ConsentKind)
    version = serializers.CharField(max_length=32, help_text=_("Version of the consent text."))
    given_at = AwareDateTimeField(required=False, help_text=_("Defaults to now."))

    def validate_given_at(self, value: dt.datetime) -> dt.datetime:
        if value > timezone.now():
            raise serializers.ValidationError(_("Consent cannot be given in the future."))
        return value


class ConsentOutputSerializer(serializers.ModelSerializer):
    household = serializers.UUIDField(source="household_id", read_only=True)
    kind = NamedChoiceField(ConsentKind, read_only=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = ["id", "household", "kind", "version", "given_at", "withdrawn_at", "in_force"]
        read_only_fields = fields

    def get_in_force(self, consent: Consent) -> bool:
        now = timezone.now()
        return consent.given_at <= now and (
            consent.withdrawn_at is None or consent.withdrawn_at > now
        )


# --- Rounds -----------------------------------------------------------------------------------


class GuideField(serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.CharField(),
            help_text=_("The discussion guide: questions in the order they are asked."),
            **kwargs,
        )


def _check_window(window_start: dt.date | None, window_end: dt.date | None) -> None:
    if window_start is not None and window_end is not None and window_end < window_start:
        raise serializers.ValidationError(
            {"window_end": [_("The window must not end before it starts.")]}
        )


class RoundInputSerializer(serializers.Serializer):
    study = serializers.UUIDField()
    label = serializers.CharField(max_length=32, help_text=_("For example 2027-Q1."))
    window_start = BoundedDateField()
    window_end = BoundedDateField()
    guide = GuideField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _check_window(attrs["window_start"], attrs["window_end"])
        return attrs


class RoundUpdateInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=32, required=False)
    window_start = BoundedDateField(required=False)
    window_end = BoundedDateField(required=False)
    guide = GuideField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        round_: Round = self.context["round"]
        _check_window(
            attrs.get("window_start", round_.window_start),
            attrs.get("window_end", round_.window_end),
        )
        return attrs


class RoundOutputSerializer(serializers.ModelSerializer):
    study = serializers.UUIDField(source="study_id", read_only=True)
    guide = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "study",
            "label",
            "window_start",
            "window_end",
            "planned_automatically",
            "guide",
            "created_at",
        ]
        read_only_fields = fields

    def get_guide(self, round_: Round) -> list[str]:
        return [question.text for question in round_.guide.all()]


class PlanningOutputSerializer(serializers.Serializer):
    round = RoundOutputSerializer(read_only=True)
    visits_proposed = serializers.IntegerField(read_only=True)
    unplaced_households = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Codes of households no researcher had a free slot for."),
    )


# --- Visits -----------------------------------------------------------------------------------


class VisitInputSerializer(serializers.Serializer):
    round = serializers.UUIDField()
    household = serializers.UUIDField()
    researcher = serializers.CharField(max_length=150, help_text=_("A username."))
    scheduled_start = AwareDateTimeField()
    scheduled_end = AwareDateTimeField()


class VisitRescheduleInputSerializer(serializers.Serializer):
    scheduled_start = AwareDateTimeField(required=False)
    scheduled_end = AwareDateTimeField(
        required=False, help_text=_("Defaults to the new start plus the visit's length.")
    )
    researcher = serializers.CharField(
        max_length=150, required=False, help_text=_("Username of the researcher to hand it to.")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"scheduled_start", "scheduled_end", "researcher"} & attrs.keys():
            raise serializers.ValidationError(
                _("Give a new scheduled_start, scheduled_end or researcher.")
            )
        return attrs


class VisitTransitionInputSerializer(serializers.Serializer):
    status = NamedChoiceField(VisitStatus)


class LocalTimesMixin:
    """Times rendered at the study's UTC offset, so 09:00 in the study reads as 09:00."""

    def to_representation(self, instance: Visit) -> Any:
        with timezone.override(zoneinfo.ZoneInfo(instance.round.study.time_zone)):
            return super().to_representation(instance)  # type: ignore[misc]


class VisitOutputSerializer(LocalTimesMixin, serializers.ModelSerializer):
    study = serializers.UUIDField(source="round.study_id", read_only=True)
    time_zone = serializers.CharField(
        source="round.study.time_zone",
        read_only=True,
        help_text=_("The study's time zone; times below carry its UTC offset."),
    )
    round = serializers.UUIDField(source="round_id", read_only=True)
    round_label = serializers.CharField(source="round.label", read_only=True)
    household = HouseholdRefOutputSerializer(read_only=True)
    researcher = serializers.CharField(source="researcher.username", read_only=True)
    status = NamedChoiceField(VisitStatus, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "study",
            "time_zone",
            "round",
            "round_label",
            "household",
            "researcher",
            "scheduled_start",
            "scheduled_end",
            "status",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class UsernameOutputField(serializers.Field):
    """A user as their username, or null once the account is gone."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return value.username


class VisitChangeOutputSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(VisitChange.Kind, enum_name="VisitChangeKind", read_only=True)
    actor = UsernameOutputField()
    from_researcher = UsernameOutputField()
    to_researcher = UsernameOutputField()

    class Meta:
        model = VisitChange
        fields = [
            "kind",
            "created_at",
            "actor",
            "from_status",
            "to_status",
            "from_start",
            "from_end",
            "to_start",
            "to_end",
            "from_researcher",
            "to_researcher",
            "note",
        ]
        read_only_fields = fields


class VisitDetailOutputSerializer(VisitOutputSerializer):
    history = VisitChangeOutputSerializer(source="changes", many=True, read_only=True)

    class Meta(VisitOutputSerializer.Meta):
        fields = [*VisitOutputSerializer.Meta.fields, "history"]
        read_only_fields = fields


# --- The signed-in user -----------------------------------------------------------------------


class AvailabilityInputSerializer(serializers.Serializer):
    weekday = NamedChoiceField(Availability.Weekday, help_text=_("0 is Monday, 6 is Sunday."))
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end_time"] <= attrs["start_time"]:
            raise serializers.ValidationError(
                {"end_time": [_("Availability must end after it starts.")]}
            )
        return attrs


class AvailabilityOutputSerializer(serializers.ModelSerializer):
    weekday = NamedChoiceField(Availability.Weekday, read_only=True)

    class Meta:
        model = Availability
        fields = ["weekday", "start_time", "end_time"]
        read_only_fields = fields


class CalendarFeedOutputSerializer(serializers.Serializer):
    url = serializers.URLField(
        read_only=True,
        help_text=_("Private iCalendar URL; anyone holding it sees your visits' pseudonyms."),
    )
