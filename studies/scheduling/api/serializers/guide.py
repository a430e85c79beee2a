"""A study's next discussion guide: the one its lead edits and planning carries."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.scheduling.services.guides import MAX_QUESTIONS


class NextGuideQuestionInputSerializer(serializers.Serializer):
    key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_(
            "The question's identity across rounds, as GET gives it: send it back to keep "
            "the question (reworded or moved) with its answers. Leave it out for a new one."
        ),
    )
    section = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A heading that groups consecutive questions; empty for none."),
    )
    # Blank is let through so that the service names the empty question in its message.
    text = serializers.CharField(allow_blank=True, help_text=_("The question as asked."))


class NextGuideInputSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=NextGuideQuestionInputSerializer(),
        allow_empty=True,
        max_length=MAX_QUESTIONS,
        help_text=_("The whole guide, in the order it is asked."),
    )


class NextGuideQuestionOutputSerializer(serializers.Serializer):
    key = serializers.UUIDField(read_only=True)
    section = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    answer_count = serializers.IntegerField(
        read_only=True, help_text=_("Answers this question (by key) has had in any round.")
    )


class NextGuideOutputSerializer(serializers.Serializer):
    items = NextGuideQuestionOutputSerializer(many=True, read_only=True)
    written = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "False while the study has no next guide of its own: `items` is then its latest "
            "round's guide, which planning carries into the next round."
        ),
    )
