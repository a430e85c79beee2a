"""Fields and small serializers the resources share."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.common.roles import Role
from studies.scheduling.models import (
    Household,
    StudyMembership,
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
