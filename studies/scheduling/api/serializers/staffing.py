"""Staffing a round: its visits, those to reassign, and handing a researcher's visits over."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.scheduling.api.serializers.shared import (
    BoundedDateField,
    HouseholdRefOutputSerializer,
)
from studies.scheduling.api.serializers.visits import VisitOutputSerializer
from studies.scheduling.models import Round


class StaffingRoundOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Round
        fields = ["id", "label", "window_start", "window_end"]
        read_only_fields = fields


class StaffingOutputSerializer(serializers.Serializer):
    round = StaffingRoundOutputSerializer(
        allow_null=True, help_text=_("The round shown; null when none is planned.")
    )
    time_zone = serializers.CharField(help_text=_("The study's time zone."))
    visits = VisitOutputSerializer(
        many=True, help_text=_("The round's visits in time order, whatever their status.")
    )
    to_reassign = VisitOutputSerializer(
        many=True,
        help_text=_(
            "Scheduled visits of the study whose researcher may no longer conduct them "
            "(removed from the team, no longer visiting, or deactivated)."
        ),
    )
    households_to_add = HouseholdRefOutputSerializer(
        many=True,
        help_text=_(
            "Enrolled households with participation consent and no live visit in the round."
        ),
    )
    researchers = serializers.ListField(
        child=serializers.CharField(), help_text=_("Usernames of who may be given visits.")
    )


class StaffingReassignInputSerializer(serializers.Serializer):
    from_researcher = serializers.CharField(max_length=150, help_text=_("A username."))
    to_researcher = serializers.CharField(max_length=150, help_text=_("A username."))
    start_date = BoundedDateField(help_text=_("First day, in the study's time zone."))
    end_date = BoundedDateField(help_text=_("Last day, inclusive."))
    round = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Defaults to the study's next round."),
    )


class StaffingReassignOutputSerializer(serializers.Serializer):
    round = StaffingRoundOutputSerializer()
    moved = VisitOutputSerializer(many=True, help_text=_("Every visit handed over."))
