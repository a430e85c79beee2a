"""A study's routing rules, as its research lead sees and changes them, and their previews."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.models import TagGroup
from studies.synthesis.api.serializers.rules import (
    RoutingOutcomeOutputSerializer,
    RoutingRuleOutputSerializer,
)
from studies.synthesis.api.serializers.shared import BoardRefOutputSerializer


class StudyRoutingRuleOutputSerializer(RoutingRuleOutputSerializer):
    editable = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "Whether the study's lead may change it: false for group rules of every study, "
            "which an administrator changes."
        ),
    )

    class Meta(RoutingRuleOutputSerializer.Meta):
        fields = [*RoutingRuleOutputSerializer.Meta.fields, "editable"]
        read_only_fields = fields


class StudyRoutingRuleInputSerializer(serializers.Serializer):
    board = serializers.UUIDField()
    tag = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A tag of this study; or give a tag group."),
    )
    tag_group = NamedChoiceField(
        TagGroup,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("A tag group, limited to this study; or give a tag."),
    )


class StudyRoutingRuleUpdateInputSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False)
    board = serializers.UUIDField(required=False)


class RoutingRuleChange(models.TextChoices):
    CREATE = "create", _("Add a rule")
    UPDATE = "update", _("Change a rule")
    DELETE = "delete", _("Delete a rule")


class StudyRoutingPreviewInputSerializer(serializers.Serializer):
    change = NamedChoiceField(
        RoutingRuleChange,
        help_text=_(
            "create: a new rule (board, and tag or tag_group); update: `rule` with a new "
            "`active` or `board`; delete: `rule`."
        ),
    )
    rule = serializers.UUIDField(required=False, allow_null=True, default=None)
    board = serializers.UUIDField(required=False, allow_null=True, default=None)
    tag = serializers.UUIDField(required=False, allow_null=True, default=None)
    tag_group = NamedChoiceField(TagGroup, allow_blank=True, required=False, default="")
    active = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict) -> dict:
        if attrs["change"] != RoutingRuleChange.CREATE and attrs["rule"] is None:
            raise serializers.ValidationError({"rule": [_("Name the rule to change.")]})
        return attrs


class RoutingPreviewInsightOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    statement = serializers.CharField()


class RoutingPlacementOutputSerializer(serializers.Serializer):
    insight = RoutingPreviewInsightOutputSerializer()
    board = BoardRefOutputSerializer()


class StudyRoutingPreviewOutputSerializer(serializers.Serializer):
    placed = RoutingPlacementOutputSerializer(
        many=True, help_text=_("Insights that would go onto a board (new, or put back).")
    )
    removed = RoutingPlacementOutputSerializer(
        many=True, help_text=_("Insights that would be taken off a board.")
    )


class StudyRoutingRuleChangeOutputSerializer(RoutingOutcomeOutputSerializer):
    rule = StudyRoutingRuleOutputSerializer()
