"""Output shapes more than one app renders, so the schema names each once."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class AnsweredQuestionOutputSerializer(serializers.Serializer):
    """The question an answer was given to. `text` is its wording when answered, which a
    later change of the guide's wording leaves as it was."""

    id = serializers.UUIDField(source="guide_question_id", allow_null=True)
    key = serializers.UUIDField(
        source="guide_question.key",
        allow_null=True,
        default=None,
        help_text=_("The question's identity across rounds."),
    )
    text = serializers.CharField(source="question")
