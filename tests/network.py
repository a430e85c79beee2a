"""Name resolution for tests that save or send webhooks: tests never touch the network.

`resolve_public` stands in for the outbound module's getaddrinfo and answers every host name
with one public address; the `public_dns` fixture installs it for a test. The addresses that
are refused are tested in tests/common/test_outbound.py and
tests/synthesis/test_webhook_destinations.py.
"""

import socket

import pytest

from studies.common import outbound

PUBLIC_ADDRESS = "93.184.215.14"


def resolve_public(host: str, port: int | None, *args: object, **kwargs: object) -> list:
    return [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (PUBLIC_ADDRESS, port or 443))
    ]


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "getaddrinfo", resolve_public)
