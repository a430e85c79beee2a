"""Requests to user-supplied addresses (studies.common.outbound): only public destinations,
checked once and connected to as checked, no redirects followed, bounded in time and size.

Host names resolve through a fake resolver (or, for numeric forms and "localhost", the
system's, which needs no network). Listeners run on 127.0.0.1 in threads: nothing leaves
the machine.
"""

import contextlib
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import override_settings

from studies.common import outbound
from tests.network import answers

PUBLIC = "93.184.215.14"
INSIDE = "This address points inside the server's network; only public addresses are allowed."
SYNTAX = "Enter an http:// or https:// address with a host name."
UNKNOWN = "No address was found for this host name."
USERINFO = "Leave the user name and password out of the address."
LOOPBACK_ALLOWED = override_settings(RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS=["127.0.0.0/8"])


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """Names the fake resolver knows; any other name is not found. Numeric forms and
    "localhost" go to the system's resolver, which answers them without the network."""
    known: dict[str, list[str]] = {}
    system = socket.getaddrinfo

    def resolve(host: str, port: int, *args, **kwargs) -> list[tuple]:
        if host in known:
            return answers(*known[host], port=port)
        if host == "localhost" or host[0].isdigit():
            return system(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(outbound, "getaddrinfo", resolve)
    return known


@dataclass
class Listener:
    """A TCP server on 127.0.0.1 that records what it is sent and answers with `respond`."""

    port: int
    respond: Callable[[socket.socket, bytes], None]
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    def url(self, path: str = "/hook", host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def ok(conn: socket.socket, request: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


@pytest.fixture
def listener() -> Iterator[Callable[..., Listener]]:
    servers: list[socket.socket] = []

    def start(respond: Callable[[socket.socket, bytes], None] = ok) -> Listener:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()
        servers.append(server)
        found = Listener(port=server.getsockname()[1], respond=respond)

        def serve() -> None:
            while True:
                try:
                    conn, _address = server.accept()
                except OSError:  # closed when the test ends
                    return
                found.connections += 1
                with conn:
                    try:
                        request = _read_request(conn)
                        found.requests.append(request)
                        found.respond(conn, request)
                    except OSError:
                        pass

        threading.Thread(target=serve, daemon=True).start()
        return found

    yield start
    for server in servers:
        server.close()


# --- What is refused -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8000/admin/",
        "https://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",  # shared address space (CGNAT)
        "http://192.0.0.1/",  # IETF protocol assignments
        "http://192.0.0.100/",
        "http://198.19.255.1/",
        "http://[64:ff9b:1::a00:1]/",  # local-use NAT64
        "http://192.0.2.1/",  # documentation
        "http://198.18.0.1/",  # benchmarking
        "http://224.0.0.1/",  # multicast
        "http://[ff02::1]/",
        "http://240.0.0.1/",  # reserved
        "http://255.255.255.255/",
        "http://[fec0::1]/",  # site-local
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[2002:7f00:1::]/",  # 6to4 of loopback
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata service
        "http://[::]/",
        # Numeric forms a resolver reads as IPv4 addresses.
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://0/",
        "http://localhost:8000/",
    ],
)
def test_it_refuses_every_address_inside_the_network(dns, url):
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.destination_check(url=url)

    assert str(refused.value) == INSIDE


@pytest.mark.parametrize(
    ("name", "addresses"),
    [
        ("metadata.google.internal", ["169.254.169.254"]),
        ("intranet.example.org", ["10.20.0.5"]),
        ("v6.example.org", ["fd12:3456::1"]),
        # One bad address is enough: which one a connection would use is not ours to say.
        ("mixed.example.org", [PUBLIC, "192.168.1.1"]),
        ("mixed6.example.org", ["2606:4700::1111", "::1"]),
    ],
)
def test_it_refuses_a_name_that_resolves_inside_the_network(dns, name, addresses):
    dns[name] = addresses

    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.destination_check(url=f"https://{name}/hook")

    assert str(refused.value) == INSIDE


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8799\\@hooks.example.org/", SYNTAX),
        ("http://hooks.example.org\\@127.0.0.1/", SYNTAX),
        (
            "http://user:secret@hooks.example.org/",
            "Leave the user name and password out of the address.",
        ),
        ("http://@hooks.example.org/", USERINFO),
        ("ftp://hooks.example.org/", SYNTAX),
        ("file:///etc/passwd", SYNTAX),
        ("http:///hook", SYNTAX),
        ("http://hooks.example.org:99999/", SYNTAX),
        ("http://hooks.example.org/a b", SYNTAX),
        ("http://hooks.example.org/\r\nX-Injected: 1", SYNTAX),
        ("http://nowhere.example.org/", UNKNOWN),
    ],
)
def test_it_refuses_an_address_it_cannot_read_one_way_only(dns, url, message):
    dns["hooks.example.org"] = [PUBLIC]

    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.destination_check(url=url)

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("url", "address"),
    [
        (f"https://{PUBLIC}/hook", PUBLIC),
        ("https://[2606:4700::1111]/hook", "2606:4700::1111"),
        (f"https://[::ffff:{PUBLIC}]/hook", f"::ffff:{PUBLIC}"),
        ("https://[64:ff9b::5db8:d70e]/hook", "64:ff9b::5db8:d70e"),  # NAT64 of PUBLIC
        ("https://hooks.example.org/hook", PUBLIC),
    ],
)
def test_it_lets_a_public_address_through(dns, url, address):
    dns["hooks.example.org"] = [PUBLIC]

    destination = outbound.destination_check(url=url)

    assert [str(found) for found in destination.addresses] == [address]


def test_the_operator_can_allow_named_private_networks(dns):
    dns["printer.example.org"] = ["10.20.0.7"]

    with override_settings(RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS=["10.20.0.0/16", "127.0.0.0/8"]):
        allowed = [
            outbound.destination_check(url=url).addresses
            for url in (
                "http://printer.example.org/",
                "http://127.0.0.1:9000/",
                "http://[::ffff:127.0.0.1]/",
            )
        ]
        for url in ("http://10.21.0.1/", "http://0.0.0.0/", "http://[::1]/"):
            with pytest.raises(outbound.OutboundRefused):
                outbound.destination_check(url=url)

    assert [str(address) for [address] in allowed] == ["10.20.0.7", "127.0.0.1", "::ffff:127.0.0.1"]


def test_a_refused_destination_is_never_connected_to(dns, listener):
    server = listener()

    with pytest.raises(outbound.OutboundRefused):
        outbound.request(method="POST", url=server.url(), body=b"{}")
    dns["inside.example.org"] = ["127.0.0.1"]
    with pytest.raises(outbound.OutboundRefused):
        outbound.request(method="POST", url=server.url(host="inside.example.org"), body=b"{}")

    time.sleep(0.1)
    assert server.connections == 0


def test_a_bad_allowed_network_stops_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "researchhub.settings",
            "RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS": "10.20.0.0/16,intranet",
        },
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert (
        "RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS must list networks such as 10.20.0.0/16, "
        "got 'intranet'"
    ) in result.stderr


# --- Connecting to what was checked ----------------------------------------------------------


def test_dns_rebinding_cannot_switch_the_address_after_the_check(monkeypatch, listener):
    """The name answers a public address to the check and loopback to anyone asking again:
    the connection goes to the checked address, and the name is asked once."""
    server = listener()
    lookups: list[str] = []
    rebinding = [[PUBLIC], ["127.0.0.1"]]

    def resolve(host: str, port: int, *args, **kwargs) -> list[tuple]:
        lookups.append(host)
        return answers(*rebinding[min(len(lookups), 2) - 1], port=port)

    connects: list[tuple] = []

    def connect(sock: socket.socket, address: tuple) -> None:
        connects.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(outbound, "getaddrinfo", resolve)
    monkeypatch.setattr(outbound._DeadlineSocket, "connect", connect)

    with pytest.raises(outbound.OutboundFailed) as failed:
        outbound.request(method="POST", url=server.url(host="rebind.example.org"), body=b"{}")

    assert str(failed.value) == "connection refused"
    assert lookups == ["rebind.example.org"]
    assert connects == [(PUBLIC, server.port)]
    assert server.connections == 0


def test_the_host_header_names_the_host_while_the_checked_address_is_connected_to(dns, listener):
    server = listener()
    dns["hooks.example.org"] = ["127.0.0.1"]

    with LOOPBACK_ALLOWED:
        answer = outbound.request(
            method="POST",
            url=server.url("/in?team=7", host="hooks.example.org"),
            body=b'{"a":1}',
            headers={"Content-Type": "application/json"},
        )

    [request] = server.requests
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert (answer.status, answer.body) == (200, b"ok")
    assert lines[0] == "POST /in?team=7 HTTP/1.1"
    assert f"Host: hooks.example.org:{server.port}" in lines
    assert "Connection: close" in lines
    assert body == b'{"a":1}'


def test_a_path_beyond_ascii_is_sent_percent_encoded(listener):
    server = listener()

    with LOOPBACK_ALLOWED:
        answer = outbound.request(method="POST", url=server.url("/équipe?canal=café"), body=b"")

    assert answer.status == 200
    assert server.requests[0].startswith(b"POST /%C3%A9quipe?canal=caf%C3%A9 HTTP/1.1\r\n")


def test_tls_names_the_host_and_checks_its_certificate(dns):
    """Server Name Indication carries the host name though the connection goes to an
    address; a server that cannot prove it is that host gets nothing."""
    names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # no certificate: it cannot prove a name
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        conn, _address = server.accept()
        with conn, contextlib.suppress(ssl.SSLError):
            context.wrap_socket(conn, server_side=True)

    threading.Thread(target=serve, daemon=True).start()
    dns["hooks.example.org"] = ["127.0.0.1"]

    with LOOPBACK_ALLOWED, pytest.raises(outbound.OutboundFailed) as failed:
        outbound.request(
            method="POST",
            url=f"https://hooks.example.org:{server.getsockname()[1]}/hook",
            body=b"{}",
            total_timeout=5,
        )
    server.close()

    assert names == ["hooks.example.org"]
    assert str(failed.value) == "the secure connection failed"


# --- Answers ---------------------------------------------------------------------------------


def test_a_redirect_is_an_answer_not_followed(listener):
    def redirect(conn: socket.socket, request: bytes) -> None:
        conn.sendall(
            b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\n"
            b"Content-Length: 0\r\n\r\n"
        )

    server = listener(redirect)

    with LOOPBACK_ALLOWED:
        answer = outbound.request(method="POST", url=server.url(), body=b"{}")

    assert (answer.status, answer.body) == (302, b"")
    assert len(server.requests) == 1


def test_an_answer_bigger_than_the_bound_is_cut(listener):
    def flood(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 1_000_000)

    server = listener(flood)

    with LOOPBACK_ALLOWED:
        cut = outbound.request(method="GET", url=server.url(), max_body_bytes=1000)
        default = outbound.request(method="GET", url=server.url())

    assert cut.body == b"x" * 1000
    assert len(default.body) == outbound.MAX_BODY_BYTES == 64 * 1024


def test_an_endpoint_that_never_answers_is_given_up_on_in_time(listener):
    server = listener(lambda conn, request: time.sleep(3))

    started = time.monotonic()
    with LOOPBACK_ALLOWED, pytest.raises(outbound.OutboundFailed) as failed:
        outbound.request(method="POST", url=server.url(), body=b"{}", total_timeout=0.3)

    assert str(failed.value) == "timed out"
    assert time.monotonic() - started < 1.5


def test_an_answer_dripped_a_byte_at_a_time_is_given_up_on_at_the_total_bound(listener):
    """Each byte comes well inside any per-read timeout; the whole answer never does."""

    def drip(conn: socket.socket, request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(200):
            conn.sendall(b"X")
            time.sleep(0.02)

    server = listener(drip)

    started = time.monotonic()
    with LOOPBACK_ALLOWED, pytest.raises(outbound.OutboundFailed) as failed:
        outbound.request(method="GET", url=server.url(), total_timeout=0.5)

    assert str(failed.value) == "timed out"
    assert time.monotonic() - started < 1.5


def test_an_endpoint_that_is_down_is_a_failure_not_a_refusal(listener):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with LOOPBACK_ALLOWED, pytest.raises(outbound.OutboundFailed) as failed:
        outbound.request(method="POST", url=f"http://127.0.0.1:{port}/", body=b"{}")

    assert str(failed.value) == "connection refused"
