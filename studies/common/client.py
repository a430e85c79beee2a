"""The client's address, decided once: rate limits, the sign-in lock-out and the audit log all
read it here, so a forged header cannot give one of them a different answer.

Without a proxy it is REMOTE_ADDR and nothing else: `X-Forwarded-For` is the client's to
write. Behind proxies (settings.RESEARCHHUB_TRUSTED_PROXIES, from BEHIND_PROXY) each trusted
proxy appends the address it received the request from, so the client is the right-most
address not written by one of them; whatever lies further left was sent by the client and
could be anything.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from, as trusted proxies report it; None when unknown."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = settings.RESEARCHHUB_TRUSTED_PROXIES
    if not trusted:
        return _address(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # The hops in the order they happened; REMOTE_ADDR is the nearest proxy.
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()] + [remote]
    # The last `trusted` hops are the proxies themselves; a chain shorter than that did not
    # pass through all of them, and its first hop is the best that is known.
    candidate = hops[-(trusted + 1)] if len(hops) > trusted else hops[0]
    return _address(candidate) or _address(remote)
