"""Base classes for ResearchHub's API views."""

from rest_framework import authentication, generics


class ApiView(generics.GenericAPIView):
    """Token first: an anonymous request then gets 401 with a WWW-Authenticate header
    naming the scheme to use, instead of the bare 403 session authentication gives."""

    authentication_classes = [
        authentication.TokenAuthentication,
        authentication.SessionAuthentication,
    ]
