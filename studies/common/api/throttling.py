"""API rate limits keyed by the one client address (studies.common.client).

The framework's own throttles take the address from `X-Forwarded-For` whenever it is present,
so a client that rotates the header is a new client each time; these ask `client_address`.
"""

import logging

from redis.exceptions import ConnectionError as RedisUnreachable
from redis.exceptions import TimeoutError as RedisTimeout
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from studies.common.client import client_address

logger = logging.getLogger(__name__)


class _ClientAddressIdent:
    def get_ident(self, request: Request) -> str:
        return client_address(request._request) or "unknown"

    def allow_request(self, request: Request, view: object) -> bool:
        # The counts live in the shared cache. While it is out of reach, requests are let
        # through uncounted (fail open, docs/adr/0011): a limit guards capacity, and refusing
        # everyone because the counter is down would be the outage it exists to prevent.
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except (RedisUnreachable, RedisTimeout):
            logger.warning("The rate-limit cache is out of reach: request let through uncounted")
            return True


class AnonClientRateThrottle(_ClientAddressIdent, AnonRateThrottle):
    """Anonymous requests, counted per client address."""


class UserClientRateThrottle(_ClientAddressIdent, UserRateThrottle):
    """Signed-in requests, counted per user (per client address for the rare anonymous)."""
