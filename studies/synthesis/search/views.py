"""GET /api/v1/search/: the search service over HTTP."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView
from studies.synthesis.search import serializers as s
from studies.synthesis.search import service


class SearchApi(ApiView):
    @extend_schema(
        operation_id="search",
        tags=["search"],
        summary="Search observations, quotes, insights and photos in your studies",
        description=_(
            "Best matches first. Only studies you are a member of are searched, and deleted "
            "observations never appear. Photos are found by their caption and their tags' "
            "names, only while their household's photo consent is in force (never a deleted "
            "photo or one that failed processing). Marketing members find a quote only while "
            "its household's marketing consent is in force; everyone else finds it with "
            "`cleared_for_marketing` false. An answer comes with its question. A search with "
            "nothing searchable in it (empty, punctuation, stop words only) finds nothing. A "
            "filter naming a study, round or tag you cannot see finds nothing."
        ),
        parameters=[s.SearchQueryInputSerializer],
        responses={200: s.SearchPageOutputSerializer, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        query = s.SearchQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        page = service.search(
            user=request.user,
            query=data["q"],
            # A QueryDict without `kind` still gives the field an empty list.
            kinds=data.get("kind") or service.ALL_KINDS,
            study_id=data["study"],
            round_id=data["round"],
            tag_id=data["tag"],
            page=data["page"],
            page_size=data["page_size"],
        )
        here = request.build_absolute_uri()
        return Response(
            s.SearchPageOutputSerializer(
                {
                    "count": page.total,
                    "next": _page_link(here, page.page + 1) if page.has_next else None,
                    "previous": _page_link(here, page.page - 1) if page.has_previous else None,
                    "results": page.hits,
                }
            ).data
        )


def _page_link(url: str, number: int) -> str:
    # As the API's other paginated lists write them: the first page has no `page`.
    return (
        remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)
    )
