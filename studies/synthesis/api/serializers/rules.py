"""Routing rules: which tags or tag groups send insights to which board."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.models import TagGroup
from studies.synthesis.api.serializers.shared import (
    BoardRefOutputSerializer,
    StudyRefOutputSerializer,
    TagChipOutputSerializer,
)
from studies.synthesis.models import RoutingRule


class RoutingRuleInputSerializer(serializers.Serializer):
    board = serializers.UUIDField()
    tag = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text=_("Give a tag or a tag group.")
    )
    tag_group = NamedChoiceField(TagGroup, allow_blank=True, required=False, default="")
    study = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Limit a group rule to one study; empty for every study."),
    )
    active = serializers.BooleanField(required=False, default=True)


class RoutingRuleUpdateInputSerializer(serializers.Serializer):
    board = serializers.UUIDField(required=False)
    tag = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("Giving a tag clears the tag group.")
    )
    tag_group = NamedChoiceField(
        TagGroup,
        allow_blank=True,
        required=False,
        help_text=_("Giving a tag group clears the tag."),
    )
    study = serializers.UUIDField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class RoutingRuleOutputSerializer(serializers.ModelSerializer):
    board = BoardRefOutputSerializer(read_only=True)
    tag = TagChipOutputSerializer(read_only=True, allow_null=True)
    tag_group = NamedChoiceField(TagGroup, read_only=True, allow_blank=True)
    study = StudyRefOutputSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RoutingRule
        fields = ["id", "board", "tag", "tag_group", "study", "active", "created_at", "updated_at"]
        read_only_fields = fields


class RoutingOutcomeOutputSerializer(serializers.Serializer):
    cards_placed = serializers.IntegerField(help_text=_("Insights newly put on a board."))
    cards_restored = serializers.IntegerField(
        help_text=_("Cards put back, with their column and history.")
    )
    cards_removed = serializers.IntegerField(
        help_text=_("Cards taken off a board; their history is kept.")
    )


class RoutingRuleChangeOutputSerializer(RoutingOutcomeOutputSerializer):
    rule = RoutingRuleOutputSerializer()
