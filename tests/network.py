"""Name resolution for tests that save or send webhooks: tests never touch the network.

`resolve_public` stands in for the outbound module's getaddrinfo and answers every host name
with one public address; the `public_dns` fixture installs it for a test. The addresses that
are refused are tested in tests/common/test_outbound.py and
tests/synthesis/test_webhook_destinations.py. `loopback_server` runs a real HTTP server on
127.0.0.1 for a test, to receive what is sent, or to show that nothing was.
"""

import contextlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from studies.common import outbound

PUBLIC_ADDRESS = "93.184.215.14"


def answers(*addresses: str, port: int = 80) -> list[tuple]:
    """What getaddrinfo returns for a name with these addresses."""
    return [
        (
            socket.AF_INET6 if ":" in address else socket.AF_INET,
            socket.SOCK_STREAM,
            socket.IPPROTO_TCP,
            "",
            (address, port),
        )
        for address in addresses
    ]


def resolve_public(host: str, port: int | None, *args: object, **kwargs: object) -> list:
    return answers(PUBLIC_ADDRESS, port=port or 443)


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "getaddrinfo", resolve_public)


@contextlib.contextmanager
def loopback_server() -> Iterator[ThreadingHTTPServer]:
    """A real HTTP server on a free loopback port, serving in a thread until the block ends.

    Set its RequestHandlerClass before sending it anything."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
