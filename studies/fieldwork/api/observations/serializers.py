"""Observations, tags and the offline bundle: input shapes and rendered results.

Shape only: which visit may be written, whether a visit is closed and how offline edits
meet are decided in studies.fieldwork.services.observations.
"""

import datetime as dt
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.fields import StrictCharField, StrictNamedChoiceField, StrictUUIDField
from studies.common.api.references import AnsweredQuestionOutputSerializer
from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.api.fields import CAPTURE_TIME_BOUNDS, DeviceTimeField, tag_names_field
from studies.fieldwork.models import Observation, ObservationKind, SyncConflict, Tag, TagGroup
from studies.fieldwork.policies import CLOCK_GRACE
from studies.fieldwork.selectors import OFFLINE_BUNDLE_DEFAULT_DAYS, OFFLINE_BUNDLE_MAX_DAYS
from studies.fieldwork.services.observations import (
    MAX_OPERATIONS,
    MAX_SPEAKER_LENGTH,
    SyncOperationType,
    SyncStatus,
)
from studies.scheduling.api.serializers.visits import VisitFieldsOutputMixin
from studies.scheduling.models import GuideQuestion, Study, Visit

MAX_TEXT_LENGTH = 20_000
GRACE_MINUTES = CLOCK_GRACE // dt.timedelta(minutes=1)


class SyncOperationInputSerializer(serializers.Serializer):
    """One operation of a sync batch; each is validated on its own. Every value must be
    of its documented JSON type: a number where a string belongs is refused, not read as
    text or as an id."""

    operation_id = StrictUUIDField(
        help_text=_("Made on the device for this change; a resend uses the same id.")
    )
    type = StrictNamedChoiceField(SyncOperationType)
    device_id = StrictUUIDField(help_text=_("The observation's id, made on the device."))
    visit = StrictUUIDField(required=False, help_text=_("Upserts only."))
    kind = StrictNamedChoiceField(ObservationKind, required=False, help_text=_("Upserts only."))
    text = StrictCharField(max_length=MAX_TEXT_LENGTH, required=False)
    speaker = StrictCharField(
        max_length=MAX_SPEAKER_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Who said it, for quotes: a role such as “mother, 40s”, never a name."),
    )
    guide_question = StrictUUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The guide question an answer answers (required for answers)."),
    )
    tags = tag_names_field(required=False, default=list)
    captured_at = DeviceTimeField(
        required=False,
        help_text=format_lazy(
            "{} {}",
            _("Device time of capture, with its UTC offset. Upserts only."),
            CAPTURE_TIME_BOUNDS,
        ),
    )
    edited_at = DeviceTimeField(
        required=False,
        help_text=format_lazy(
            _(
                "Device time of this version (of the deletion, for deletes). Defaults to "
                "captured_at for upserts; required for deletes. Refused when more than a "
                "day ahead of the server's clock; when more than {grace} minutes ahead, "
                "the server's time is recorded instead and the result says so "
                "(`clamped`), so a fast clock cannot win over later edits."
            ),
            grace=GRACE_MINUTES,
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        required = (
            ["edited_at"]
            if attrs["type"] == SyncOperationType.DELETE
            else ["visit", "kind", "text", "captured_at"]
        )
        missing = {name: [_("This field is required.")] for name in required if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


@extend_schema_field(SyncOperationInputSerializer(many=True))
class OperationListField(serializers.ListField):
    """The batch's items, left unread here so that one bad item cannot sink the others."""

    child = serializers.JSONField()


class SyncInputSerializer(serializers.Serializer):
    operations = OperationListField(
        max_length=MAX_OPERATIONS,
        error_messages={
            "max_length": _("At most {max_length} operations per request; send the rest next.")
        },
    )


class TagOutputSerializer(serializers.ModelSerializer):
    group = NamedChoiceField(TagGroup, read_only=True, allow_blank=True)
    last_used_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("When you last captured an item with this tag; null if never."),
    )

    class Meta:
        model = Tag
        fields = ["id", "name", "group", "colour", "description", "last_used_at"]
        read_only_fields = fields


class ObservationOutputSerializer(serializers.ModelSerializer):
    visit = serializers.UUIDField(source="visit_id", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    kind = NamedChoiceField(ObservationKind, read_only=True)
    guide_question = serializers.UUIDField(
        source="guide_question_id", read_only=True, allow_null=True
    )
    question = AnsweredQuestionOutputSerializer(
        source="*",
        read_only=True,
        allow_null=True,
        help_text=_("For answers: the guide question, in the words it was asked; else null."),
    )
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    captured_at = serializers.DateTimeField(read_only=True, help_text=_("Device time of capture."))
    edited_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Device time of the version kept.")
    )
    received_at = serializers.DateTimeField(
        read_only=True, help_text=_("Server time the capture first arrived.")
    )
    deleted_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Set once deleted (sync results only).")
    )

    class Meta:
        model = Observation
        fields = [
            "id",
            "device_id",
            "visit",
            "author",
            "kind",
            "text",
            "speaker",
            "guide_question",
            "question",
            "tags",
            "captured_at",
            "edited_at",
            "received_at",
            "deleted_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Observation) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not instance.guide_question_id and not instance.question_text:
            data["question"] = None
        return data


class SyncConflictOutputSerializer(serializers.Serializer):
    outcome = NamedChoiceField(SyncConflict.Outcome, enum_name="SyncConflictOutcome")


class SyncResultOutputSerializer(serializers.Serializer):
    operation_id = serializers.CharField(
        allow_null=True, help_text=_("As sent; null when the item had no readable one.")
    )
    device_id = serializers.CharField(allow_null=True)
    status = NamedChoiceField(SyncStatus, enum_name="SyncStatus")
    observation = ObservationOutputSerializer(
        allow_null=True,
        help_text=_(
            "The server's version now (for an ignored edit, the version kept); null when rejected."
        ),
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Rejected items only: why, by field."),
    )
    conflict = SyncConflictOutputSerializer(required=False, help_text=_("Conflicts only."))
    clamped = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_(
            "Fields whose device time ran too far ahead of the server's clock, recorded at "
            'the server\'s time instead: ["edited_at"]. Left out when none was.'
        ),
    )


class SyncOutputSerializer(serializers.Serializer):
    researchhub = serializers.CharField(
        help_text=_('Always "sync-v1": only an answer carrying it confirms delivery.')
    )
    server_time = serializers.DateTimeField()
    results = SyncResultOutputSerializer(many=True, help_text=_("One per operation, in order."))


class OfflineBundleQueryInputSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=OFFLINE_BUNDLE_MAX_DAYS,
        default=OFFLINE_BUNDLE_DEFAULT_DAYS,
        help_text=_("How many days from today, in your time zone, today included."),
    )


class GuideQuestionOutputSerializer(serializers.ModelSerializer):
    key = serializers.UUIDField(
        read_only=True,
        help_text=_(
            "The question's identity across rounds: the same key in every round asking it."
        ),
    )

    class Meta:
        model = GuideQuestion
        fields = ["id", "key", "position", "text"]
        read_only_fields = fields


class BundleHouseholdOutputSerializer(serializers.Serializer):
    """A household as the phone keeps it: pseudonym, segment, where to go and the number to
    ring; never a name or e-mail."""

    id = serializers.UUIDField(source="household.pk")
    code = serializers.CharField(source="household.code")
    segment = serializers.DictField(source="household.segment")
    address = serializers.CharField(source="household_address")
    phone = serializers.CharField(
        source="household_phone",
        help_text=_("For the research team only, while the household is in the panel; else empty."),
    )


class BundleVisitOutputSerializer(VisitFieldsOutputMixin, serializers.ModelSerializer):
    household = BundleHouseholdOutputSerializer(source="*", read_only=True)
    guide = GuideQuestionOutputSerializer(source="round.guide", many=True, read_only=True)
    takes_captures = serializers.BooleanField(
        read_only=True,
        help_text=_("Whether the visit takes items captured now (it is not finished or closed)."),
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "study",
            "time_zone",
            "round",
            "round_label",
            "household",
            "scheduled_start",
            "scheduled_end",
            "status",
            "started_at",
            "finished_at",
            "takes_captures",
            "guide",
        ]
        read_only_fields = fields


class BundleStudyOutputSerializer(serializers.ModelSerializer):
    tags = TagOutputSerializer(
        source="bundle_tags",
        many=True,
        read_only=True,
        help_text=_("In the order the capture screen offers them as chips."),
    )

    class Meta:
        model = Study
        fields = ["id", "title", "time_zone", "send_original_photos", "tags"]
        read_only_fields = fields


class OfflineBundleOutputSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    time_zone = serializers.CharField(help_text=_("Your time zone, which decides “today”."))
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    visits = BundleVisitOutputSerializer(many=True)
    studies = BundleStudyOutputSerializer(many=True)
