"""Input and output of GET /api/v1/search/."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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
        help_text=_("What to search; repeat to search several. All three when left out."),
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


class SearchHitOutputSerializer(serializers.Serializer):
    kind = NamedChoiceField(SearchKind)
    id = serializers.UUIDField()
    title = serializers.CharField(help_text=_("An insight's statement; empty for observations."))
    title_html = serializers.CharField(
        help_text=_("The statement as HTML: escaped, with each match in <mark>.")
    )
    text = serializers.CharField(
        help_text=_("An observation's text or an insight's description, as plain text.")
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
        help_text=_("The observation's round, or the latest round backing the insight."),
    )
    household = serializers.CharField(
        source="household_code", help_text=_("The household's pseudonym; observations only.")
    )
    speaker = serializers.CharField()
    url = serializers.CharField(help_text=_("The visit page of an observation, an insight's page."))
    at = serializers.DateTimeField(
        help_text=_("When an observation was captured, when an insight last changed.")
    )


class SearchPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitOutputSerializer(many=True)
