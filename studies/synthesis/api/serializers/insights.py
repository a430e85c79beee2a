"""Insights, their evidence, the boards they are on, comments and quote uses."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.references import AnsweredQuestionOutputSerializer
from studies.common.api.schema import NamedChoiceField
from studies.fieldwork.models import ObservationKind, PhotoStatus
from studies.scheduling.api.serializers.shared import HouseholdRefOutputSerializer
from studies.scheduling.models import Visit
from studies.synthesis.api.serializers.shared import (
    BoardRefOutputSerializer,
    PhotoRefOutputSerializer,
    ResearchQuestionRefOutputSerializer,
    RoundRefOutputSerializer,
    TagChipOutputSerializer,
    UuidListField,
    username_field,
)
from studies.synthesis.models import (
    BoardCard,
    Column,
    Comment,
    Evidence,
    Insight,
    QuoteUse,
)

_TEXT_MAX = 20_000


class InsightCreateInputSerializer(serializers.Serializer):
    study = serializers.UUIDField()
    statement = serializers.CharField(
        max_length=_TEXT_MAX, allow_blank=True, help_text=_("One sentence: what was learned.")
    )
    description = serializers.CharField(
        max_length=_TEXT_MAX, allow_blank=True, required=False, default=""
    )
    tags = UuidListField(required=False, default=list)
    observations = UuidListField(
        required=False, default=list, help_text=_("Observations of the study backing it.")
    )
    photos = UuidListField(required=False, default=list, help_text=_("Photos of the study."))
    research_question = serializers.UUIDField(required=False, allow_null=True, default=None)


class InsightUpdateInputSerializer(serializers.Serializer):
    statement = serializers.CharField(max_length=_TEXT_MAX, allow_blank=True, required=False)
    description = serializers.CharField(max_length=_TEXT_MAX, allow_blank=True, required=False)
    tags = UuidListField(
        required=False, help_text=_("Replaces the insight's tags; routes it again.")
    )
    research_question = serializers.UUIDField(required=False, allow_null=True)


class EvidenceAddInputSerializer(serializers.Serializer):
    observations = UuidListField(required=False, default=list)
    photos = UuidListField(required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["observations"] and not attrs["photos"]:
            raise serializers.ValidationError(
                {"observations": [_("Choose at least one observation or photo to add.")]}
            )
        return attrs


class EvidenceRemoveInputSerializer(serializers.Serializer):
    evidence = UuidListField(
        allow_empty=False, help_text=_("Ids of evidence rows of this insight to remove.")
    )


class CommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=_TEXT_MAX, allow_blank=True)


class InsightOutputSerializer(serializers.ModelSerializer):
    study = serializers.UUIDField(source="study_id", read_only=True)
    research_question = ResearchQuestionRefOutputSerializer(read_only=True, allow_null=True)
    tags = TagChipOutputSerializer(many=True, read_only=True)
    latest_round = RoundRefOutputSerializer(read_only=True, allow_null=True)
    cover_photo = PhotoRefOutputSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Insight
        fields = [
            "id",
            "study",
            "statement",
            "description",
            "research_question",
            "tags",
            "evidence_count",
            "household_count",
            "latest_round",
            "cover_photo",
            "first_observed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Insight) -> dict[str, Any]:
        data = super().to_representation(instance)
        cover = instance.cover_photo
        if cover is not None and cover.deleted_at is not None:
            # Deleted on a phone after it became the cover: shown nowhere.
            data["cover_photo"] = None
        return data


class EvidenceOutputSerializer(serializers.ModelSerializer):
    observation = serializers.UUIDField(source="observation_id", read_only=True, allow_null=True)
    photo = serializers.UUIDField(source="photo_id", read_only=True, allow_null=True)
    kind = serializers.SerializerMethodField(
        help_text=_("The observation's kind (note, quote, answer), or photo.")
    )
    text = serializers.SerializerMethodField(help_text=_("The observation, or the caption."))
    speaker = serializers.SerializerMethodField()
    question = serializers.SerializerMethodField(
        help_text=_("For an answer: the guide question, in the words it was asked; else null.")
    )
    cleared_for_marketing = serializers.SerializerMethodField(
        help_text=_(
            "For a quote: whether its household's marketing consent is in force now (false: "
            "not for marketing use); null for anything else."
        )
    )
    household = serializers.SerializerMethodField()
    round = serializers.SerializerMethodField()
    captured_at = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField(
        help_text=_("The observation's photos, or the photo itself.")
    )
    added_by = username_field("added_by")
    added_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "observation",
            "photo",
            "kind",
            "text",
            "speaker",
            "question",
            "cleared_for_marketing",
            "household",
            "round",
            "captured_at",
            "photos",
            "added_by",
            "added_at",
        ]
        read_only_fields = fields

    def _visit(self, evidence: Evidence) -> Visit:
        return (evidence.observation or evidence.photo).visit

    def get_kind(self, evidence: Evidence) -> str:
        return evidence.observation.kind if evidence.observation else "photo"

    def get_text(self, evidence: Evidence) -> str:
        return evidence.observation.text if evidence.observation else evidence.photo.caption

    def get_speaker(self, evidence: Evidence) -> str:
        return evidence.observation.speaker if evidence.observation else ""

    @extend_schema_field(AnsweredQuestionOutputSerializer(allow_null=True))
    def get_question(self, evidence: Evidence) -> dict[str, Any] | None:
        observation = evidence.observation
        if observation is None or not observation.question:
            return None
        return AnsweredQuestionOutputSerializer(observation).data

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_cleared_for_marketing(self, evidence: Evidence) -> bool | None:
        observation = evidence.observation
        if observation is None or observation.kind != ObservationKind.QUOTE:
            return None
        return evidence.marketing_cleared

    @extend_schema_field(HouseholdRefOutputSerializer)
    def get_household(self, evidence: Evidence) -> dict[str, Any]:
        return HouseholdRefOutputSerializer(self._visit(evidence).household).data

    @extend_schema_field(RoundRefOutputSerializer)
    def get_round(self, evidence: Evidence) -> dict[str, Any]:
        return RoundRefOutputSerializer(self._visit(evidence).round).data

    @extend_schema_field(serializers.DateTimeField())
    def get_captured_at(self, evidence: Evidence) -> str:
        moment = (evidence.observation or evidence.photo).captured_at
        return serializers.DateTimeField().to_representation(moment)

    @extend_schema_field(PhotoRefOutputSerializer(many=True))
    def get_photos(self, evidence: Evidence) -> list[dict[str, Any]]:
        if evidence.observation:
            photos = list(evidence.observation.photos.all())
        else:
            photos = [evidence.photo] if evidence.photo.status == PhotoStatus.READY else []
        return PhotoRefOutputSerializer(photos, many=True).data


class DecisionOutputSerializer(serializers.Serializer):
    column = NamedChoiceField(Column, help_text=_("The decision column reached."))
    by = serializers.CharField(
        allow_null=True, help_text=_("Who moved the card there, or recorded the quote's use.")
    )
    at = serializers.DateTimeField()
    campaign = serializers.CharField(
        help_text=_("For a marketing card, the campaign whose use of a quote decided it.")
    )


class InsightBoardOutputSerializer(serializers.ModelSerializer):
    card = serializers.UUIDField(source="pk", read_only=True)
    board = BoardRefOutputSerializer(read_only=True)
    column = NamedChoiceField(Column, read_only=True)
    moved_by = username_field("moved_by")
    decision = DecisionOutputSerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "When the card was decided, or null: a product card by its first move into "
            "planned or shipped, a marketing card by the first recorded use of one of its "
            "quotes. Loop health and the round report count the same moment."
        ),
    )

    class Meta:
        model = BoardCard
        fields = ["card", "board", "column", "moved_at", "moved_by", "decision"]
        read_only_fields = fields


class CommentOutputSerializer(serializers.ModelSerializer):
    author = username_field("author")

    class Meta:
        model = Comment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class QuoteUseOutputSerializer(serializers.ModelSerializer):
    quote = serializers.UUIDField(source="observation_id", read_only=True)
    # Text, not the model's URLField: that is documented as a URI, which "" is not.
    link = serializers.CharField(read_only=True, help_text=_("An http(s) URL, or empty."))
    recorded_by = username_field("recorded_by")

    class Meta:
        model = QuoteUse
        fields = ["id", "quote", "campaign", "link", "used_on", "recorded_by", "created_at"]
        read_only_fields = fields


class InsightDetailOutputSerializer(InsightOutputSerializer):
    created_by = username_field("created_by")
    rounds = RoundRefOutputSerializer(
        source="backing_rounds", many=True, read_only=True, help_text=_("Oldest first.")
    )
    evidence = EvidenceOutputSerializer(source="evidence_rows", many=True, read_only=True)
    boards = InsightBoardOutputSerializer(
        source="live_cards",
        many=True,
        read_only=True,
        help_text=_("The boards the insight is on now, with its column and decision."),
    )
    comments = CommentOutputSerializer(source="comment_rows", many=True, read_only=True)
    quote_uses = QuoteUseOutputSerializer(
        many=True, read_only=True, help_text=_("Where its quotes were used, latest first.")
    )

    class Meta(InsightOutputSerializer.Meta):
        fields = [
            *InsightOutputSerializer.Meta.fields,
            "created_by",
            "rounds",
            "evidence",
            "boards",
            "comments",
            "quote_uses",
        ]
        read_only_fields = fields
