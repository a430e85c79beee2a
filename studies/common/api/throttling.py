"""API rate limits keyed by the one client address (studies.common.client).

The framework's own throttles take the address from `X-Forwarded-For` whenever it is present,
so a client that rotates the header is a new client each time; these ask `client_address`.
"""

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from studies.common.client import client_address


class _ClientAddressIdent:
    def get_ident(self, request: Request) -> str:
        return client_address(request._request) or "unknown"


class AnonClientRateThrottle(_ClientAddressIdent, AnonRateThrottle):
    """Anonymous requests, counted per client address."""


class UserClientRateThrottle(_ClientAddressIdent, UserRateThrottle):
    """Signed-in requests, counted per user (per client address for the rare anonymous)."""
