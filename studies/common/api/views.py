"""Base classes for ResearchHub's API views."""

from rest_framework import generics, views
from rest_framework.response import Response

# Authentication comes from REST_FRAMEWORK's defaults in settings: token first, so that an
# anonymous request gets 401 with a WWW-Authenticate header naming the scheme to use.


class ApiView(views.APIView):
    pass


# A paginated, filterable GET over `get_queryset()`, rendered with `serializer_class`. (A
# comment, not a docstring: the OpenAPI generator would publish it as every list's description.)
class ListApiView(generics.GenericAPIView):
    def list_response(self) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
