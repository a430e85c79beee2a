"""Households and their consent."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField

# Dates outside these bounds are typing mistakes, and near the ends of the calendar the
# conversions between time zones would overflow.
from studies.scheduling.api.serializers.shared import AwareDateTimeField
from studies.scheduling.models import (
    Consent,
    ConsentKind,
    Household,
)


class SegmentField(serializers.DictField):
    """Free key/values describing a household, e.g. {"household size": "4"}."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.CharField(max_length=200), **kwargs)


class HouseholdInputSerializer(serializers.Serializer):
    """One household as a row of a panel import: the same checks (phone, e-mail, the same
    contact or code twice) and the same consents."""

    study = serializers.UUIDField(help_text=_("The study whose panel the household joins."))
    code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("The pseudonym, e.g. H-014; left out or blank, a new one is made."),
    )
    segment = SegmentField(required=False)
    segment_phrase = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text=_("How the quote bank attributes quotes, e.g. “parent of three, suburban”."),
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    participation_given_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("When consent to take part was given.")
    )
    photos_given_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("When consent to photos was given.")
    )
    marketing_given_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("When consent to marketing use of quotes was given."),
    )
    consent_version = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("The version of the consent text; needed with any consent date."),
    )


class HouseholdUpdateInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, required=False)
    segment = SegmentField(required=False)
    segment_phrase = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text=_("How the quote bank attributes quotes, e.g. “parent of three, suburban”."),
    )
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
        fields = ["id", "code", "segment", "segment_phrase", "contact", "created_at", "updated_at"]
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
    in_force = serializers.BooleanField(source="is_in_force", read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "household", "kind", "version", "given_at", "withdrawn_at", "in_force"]
        read_only_fields = fields
