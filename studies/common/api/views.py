"""Base classes for ResearchHub's API views."""

from rest_framework import authentication, generics, views
from rest_framework.response import Response

# Token first: an anonymous request then gets 401 with a WWW-Authenticate header naming
# the scheme to use, instead of the bare 403 that session authentication answers.
AUTHENTICATION_CLASSES = [
    authentication.TokenAuthentication,
    authentication.SessionAuthentication,
]


class ApiView(views.APIView):
    authentication_classes = AUTHENTICATION_CLASSES


# A paginated, filterable GET over `get_queryset()`, rendered with `serializer_class`. (A
# comment, not a docstring: the OpenAPI generator would publish it as every list's description.)
class ListApiView(generics.GenericAPIView):
    authentication_classes = AUTHENTICATION_CLASSES

    def list_response(self) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
