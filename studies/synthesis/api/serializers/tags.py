"""The study's tag taxonomy, tag counts, and merging one tag into another."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.models import Tag, TagGroup
from studies.synthesis.api.serializers.shared import RoundRefOutputSerializer

# Long enough for any real input; the services give the precise limits and messages.
_TEXT_MAX = 2000


class TaxonomyTagOutputSerializer(serializers.ModelSerializer):
    study = serializers.UUIDField(source="study_id", read_only=True)
    group = NamedChoiceField(TagGroup, read_only=True, allow_blank=True)

    class Meta:
        model = Tag
        fields = ["id", "study", "name", "group", "colour", "description"]
        read_only_fields = fields


class TagCreateInputSerializer(serializers.Serializer):
    study = serializers.UUIDField(help_text=_("The study whose taxonomy gets the tag."))
    name = serializers.CharField(max_length=_TEXT_MAX, allow_blank=True)
    group = NamedChoiceField(TagGroup, allow_blank=True, required=False, default="")
    colour = serializers.CharField(
        max_length=16, required=False, default="#5b6b7f", help_text=_("#rrggbb")
    )
    description = serializers.CharField(
        max_length=_TEXT_MAX, allow_blank=True, required=False, default=""
    )


class TagUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=_TEXT_MAX, allow_blank=True, required=False)
    group = NamedChoiceField(
        TagGroup,
        allow_blank=True,
        required=False,
        help_text=_("A new group routes the tag's insights again; blank for none."),
    )
    colour = serializers.CharField(max_length=16, required=False, help_text=_("#rrggbb"))
    description = serializers.CharField(max_length=_TEXT_MAX, allow_blank=True, required=False)


class TagMergeInputSerializer(serializers.Serializer):
    into = serializers.UUIDField(help_text=_("The tag of the same study that stays."))


class TagMergeOutputSerializer(serializers.Serializer):
    into = TaxonomyTagOutputSerializer()
    observations_moved = serializers.IntegerField(
        help_text=_("Observations relinked (those already carrying both keep one link).")
    )
    insights_moved = serializers.IntegerField()
    rules_moved = serializers.IntegerField(help_text=_("Routing rules that now match `into`."))


class TagRoundCountOutputSerializer(serializers.Serializer):
    round = serializers.UUIDField()
    observations = serializers.IntegerField()


class TagCountOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="tag.pk")
    name = serializers.CharField(source="tag.name")
    group = NamedChoiceField(TagGroup, source="tag.group", allow_blank=True)
    colour = serializers.CharField(source="tag.colour")
    description = serializers.CharField(source="tag.description")
    observations = serializers.IntegerField(help_text=_("Live observations carrying the tag."))
    insights = serializers.IntegerField(help_text=_("Insights carrying the tag."))
    by_round = TagRoundCountOutputSerializer(
        many=True, help_text=_("Observations per round, one entry per round of the study.")
    )


class TagCountsOutputSerializer(serializers.Serializer):
    rounds = RoundRefOutputSerializer(many=True, help_text=_("The study's rounds, oldest first."))
    tags = TagCountOutputSerializer(many=True)
