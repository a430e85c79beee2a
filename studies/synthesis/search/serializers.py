"""Input and output of GET /api/v1/search/."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from studies.common.api.references import AnsweredQuestionOutputSerializer
from studies.common.api.schema import NamedChoiceField
from studies.synthesis.search import service
from studies.synthesis.search.types import SearchKind


class SearchQueryInputSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        trim_whitespace=False,
        max_length=service.MAX_QUERY_LENGTH,
        help_text=_(
            'Words to find, as in a web search: "a phrase", `or` between alternatives, '
            "`-word` to leave out. Stop words are ignored."
        ),
    )
    kind = serializers.MultipleChoiceField(
        choices=SearchKind.choices,
        required=False,
        help_text=_(
            "What to search; repeat to search several. Every kind when left out. A photo is "
            "found by its caption and its tags' names."
        ),
    )
    study = serializers.UUIDField(required=False, default=None, help_text=_("A study's UUID."))
    round = serializers.UUIDField(required=False, default=None, help_text=_("A round's UUID."))
    tag = serializers.UUIDField(required=False, default=None, help_text=_("A tag's UUID."))
    page = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=service.MAX_PAGE
    )
    page_size = serializers.IntegerField(
        required=False,
        default=service.DEFAULT_PAGE_SIZE,
        min_value=1,
        max_value=service.MAX_PAGE_SIZE,
    )


class SearchStudyOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="study_id")
    title = serializers.CharField(source="study_title")


class SearchTagOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    name_html = serializers.CharField(
        source="html", help_text=_("The name as HTML: escaped, with each match in <mark>.")
    )


class SearchHitOutputSerializer(serializers.Serializer):
    kind = NamedChoiceField(SearchKind)
    id = serializers.UUIDField()
    title = serializers.CharField(help_text=_("An insight's statement; empty for other kinds."))
    title_html = serializers.CharField(
        help_text=_("The statement as HTML: escaped, with each match in <mark>.")
    )
    text = serializers.CharField(
        help_text=_(
            "An observation's text, an insight's description or a photo's caption, as plain text."
        )
    )
    snippet = serializers.CharField(
        help_text=_(
            "Up to 30 words of the text around its first match, as HTML: escaped, with "
            "each match in <mark>."
        )
    )
    rank = serializers.FloatField(help_text=_("Higher is better; compare within one search."))
    study = SearchStudyOutputSerializer(source="*")
    round = serializers.CharField(
        source="round_label",
        help_text=_("The observation's or photo's round, or the latest round backing the insight."),
    )
    household = serializers.CharField(
        source="household_code",
        help_text=_("The household's pseudonym; observations and photos only."),
    )
    speaker = serializers.CharField()
    url = serializers.CharField(
        help_text=_(
            "The visit page of an observation, the visit page at the photo "
            "(`#photo-<id>`), an insight's page."
        )
    )
    at = serializers.DateTimeField(
        help_text=_("When an observation or photo was captured, when an insight last changed.")
    )
    question = AnsweredQuestionOutputSerializer(
        source="answer",
        allow_null=True,
        help_text=_("The question an answer was given to; null for other kinds."),
    )
    cleared_for_marketing = serializers.BooleanField(
        allow_null=True,
        help_text=_(
            "A quote: whether its household's marketing consent is in force now (false: not "
            "for marketing use). Null for other kinds."
        ),
    )
    tags = SearchTagOutputSerializer(
        many=True, help_text=_("A photo's tags, by name; empty for other kinds.")
    )
    thumbnail = serializers.SerializerMethodField(
        help_text=_(
            "A photo's 400 px JPEG thumbnail; null while it is processed and for other kinds."
        )
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_thumbnail(self, hit: service.SearchHit) -> str | None:
        return hit.thumbnail or None


class SearchPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitOutputSerializer(many=True)
