"""Every request the server makes to an address someone typed in goes through here.

A user-supplied URL must not become a way into the server's own network: loopback, the
cloud metadata service, the private networks behind the firewall. So a destination is
checked before anything is sent, and the check is what the connection uses:

- the URL is http(s), with a host and without a user name, password or backslash;
- the host is resolved once, and every address it resolves to must be public (or in a
  network the operator allows, RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS), IPv6 forms that
  carry an IPv4 address judged by that address;
- the connection goes to an address that was checked, never to a second lookup of the
  name (which DNS rebinding could answer differently), while the Host header and TLS (SNI
  and the certificate check) still use the name;
- a redirect is an answer, not followed; time (connect and total) and the answer's size
  are bounded, however slowly the other end drips it.

Callers get an `OutboundResponse`, or an `OutboundRefused` (nothing was sent) or
`OutboundFailed` (sending was tried); the message of either is safe to show a user.
See docs/adr/0017-outbound-requests-and-the-client-address.md.
"""

import http.client
import ipaddress
import math
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from socket import getaddrinfo  # every lookup goes through this name; tests answer for it
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

CONNECT_TIMEOUT_SECONDS = 3.0
TOTAL_TIMEOUT_SECONDS = 10.0
MAX_BODY_BYTES = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ASCII = "".join(map(chr, range(0x21, 0x7F)))
# Never public, whichever copy of IANA's registries this Python's ipaddress carries:
# "this network", shared address space (CGNAT), IETF protocol assignments, benchmarking,
# local-use NAT64.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(network)
    for network in ("0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "64:ff9b:1::/48")
)
# IPv6 prefixes whose last 32 bits are an IPv4 address the packets end up at.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class OutboundError(Exception):
    """A request that did not get an answer; str() is a message fit for a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OutboundRefused(OutboundError):
    """The destination is not one the server may reach: nothing was sent.

    The message is a sentence: the address is malformed, its host has no address, or an
    address is inside the server's network.
    """


class OutboundFailed(OutboundError):
    """Sending was tried and did not get an answer. The message is a short reason, such as
    "timed out", to follow "Could not reach …"."""


@dataclass(frozen=True)
class Destination:
    """A URL taken apart, with the addresses its host resolved to, every one of them checked."""

    scheme: str
    host: str  # as the Host header and TLS name it: lower case, IDNA-encoded
    port: int
    target: str  # path and query, what the request line asks for
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: bytes  # at most the bound asked for; the rest is never read


def allowed_networks() -> list[IPNetwork]:
    """The private networks the operator lets outbound requests reach (none by default)."""
    return [
        ipaddress.ip_network(network) for network in settings.RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS
    ]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address is a form of (mapped, compatible, 6to4, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local,
    unique-local, shared (CGNAT), multicast, reserved, documentation, benchmarking or
    unspecified, nor an IPv6 form of such an IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return address_is_public(inner)
        if address.is_site_local:
            return False
    if any(address in network for network in _NOT_PUBLIC):
        return False
    # is_global is IANA's "globally reachable" registry, which still counts multicast.
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


def address_is_allowed(address: IPAddress, networks: list[IPNetwork] | None = None) -> bool:
    """Public, or (itself or the IPv4 address it carries) in a network the operator allows."""
    if networks is None:
        networks = allowed_networks()
    forms: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            forms.append(inner)
    if any(form in network for form in forms for network in networks):
        return True
    return address_is_public(address)


def _refuse_syntax() -> OutboundRefused:
    return OutboundRefused(_("Enter an http:// or https:// address with a host name."))


def _refuse_inside() -> OutboundRefused:
    return OutboundRefused(
        _("This address points inside the server's network; only public addresses are allowed.")
    )


def _split(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target, or OutboundRefused for anything ambiguous.

    A backslash or a user name is refused outright: parsers disagree about where the host
    of "http://inside\\@outside/" is, and the one that checks must be the one that connects.
    """
    if "\\" in url or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise _refuse_syntax()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse_syntax() from exc
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise _refuse_syntax()
    if "@" in parts.netloc:
        raise OutboundRefused(_("Leave the user name and password out of the address."))
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _refuse_syntax() from exc
    # A request line is ASCII: any other character of the path or query is percent-encoded.
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), safe=_ASCII)
    return parts.scheme, host, _DEFAULT_PORTS[parts.scheme] if port is None else port, target


def _resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    """Every address the host stands for: itself when it is one, else what DNS answers."""
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    try:
        answers = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundRefused(_("No address was found for this host name.")) from exc
    found: dict[IPAddress, None] = {}
    for family, _type, _proto, _name, sockaddr in answers:
        if family in (socket.AF_INET, socket.AF_INET6):
            found[ipaddress.ip_address(sockaddr[0])] = None
    if not found:
        raise OutboundRefused(_("No address was found for this host name."))
    return tuple(found)


def destination_check(*, url: str) -> Destination:
    """The checked destination of a URL, or OutboundRefused saying why it may not be reached.

    Every address the name resolves to must be allowed, not only the first: which one a
    connection would use is up to the resolver.
    """
    scheme, host, port, target = _split(url)
    addresses = _resolve(host, port)
    networks = allowed_networks()
    if not all(address_is_allowed(address, networks) for address in addresses):
        raise _refuse_inside()
    return Destination(scheme=scheme, host=host, port=port, target=target, addresses=addresses)


class _Deadline:
    """A socket whose every wait ends by one deadline, however slowly the peer drips bytes.

    A per-call timeout alone would let an answer sent a byte at a time last for ever.
    """

    deadline: float = math.inf

    def _arm(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out")
        self.settimeout(remaining)

    def recv(self, *args: Any, **kwargs: Any) -> Any:
        self._arm()
        return super().recv(*args, **kwargs)

    def recv_into(self, *args: Any, **kwargs: Any) -> Any:
        self._arm()
        return super().recv_into(*args, **kwargs)

    def send(self, *args: Any, **kwargs: Any) -> Any:
        self._arm()
        return super().send(*args, **kwargs)

    def sendall(self, *args: Any, **kwargs: Any) -> Any:
        self._arm()
        return super().sendall(*args, **kwargs)


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    pass


def _open_socket(
    addresses: tuple[IPAddress, ...], port: int, *, connect_timeout: float, deadline: float
) -> _DeadlineSocket:
    """A TCP connection to the first checked address that answers. Never looks a name up."""
    failure: OSError = TimeoutError("timed out")
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = _DeadlineSocket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(min(connect_timeout, remaining))
            sock.connect((str(address), port))
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.deadline = deadline
        return sock
    raise failure


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to checked addresses; the Host header still names the host."""

    def __init__(self, destination: Destination, *, connect_timeout: float, deadline: float):
        super().__init__(destination.host, destination.port)
        self.destination = destination
        self.connect_timeout = connect_timeout
        self.deadline = deadline

    def connect(self) -> None:
        self.sock = _open_socket(
            self.destination.addresses,
            self.port,
            connect_timeout=self.connect_timeout,
            deadline=self.deadline,
        )


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS: SNI and the certificate check use the host name, as a browser's do."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        tls = ssl.create_default_context()
        tls.sslsocket_class = _DeadlineSSLSocket
        plain = self.sock
        plain._arm()  # the handshake's waits end by the deadline too
        secure = tls.wrap_socket(plain, server_hostname=self.host)
        secure.deadline = self.deadline
        self.sock = secure


def _failure(exc: Exception) -> OutboundFailed:
    if isinstance(exc, http.client.RemoteDisconnected):
        return OutboundFailed(_("it closed the connection without answering"))
    if isinstance(exc, TimeoutError):
        return OutboundFailed(_("timed out"))
    if isinstance(exc, ssl.SSLCertVerificationError):
        return OutboundFailed(_("its certificate could not be verified"))
    if isinstance(exc, ssl.SSLError):
        return OutboundFailed(_("the secure connection failed"))
    if isinstance(exc, ConnectionRefusedError):
        return OutboundFailed(_("connection refused"))
    if isinstance(exc, ConnectionResetError):
        return OutboundFailed(_("the connection was reset"))
    if isinstance(exc, http.client.HTTPException):
        return OutboundFailed(_("its answer was not HTTP"))
    return OutboundFailed(_("the network failed"))


def request(
    *,
    method: str,
    url: str,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    total_timeout: float = TOTAL_TIMEOUT_SECONDS,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> OutboundResponse:
    """Send one request to a user-supplied URL, checked first; its status and a bounded body.

    Any status is an answer, a redirect included (never followed). Raises OutboundRefused
    when the destination may not be reached (nothing sent), OutboundFailed when it did not
    answer in time or in HTTP.
    """
    destination = destination_check(url=url)
    deadline = time.monotonic() + total_timeout
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(
        destination, connect_timeout=min(connect_timeout, total_timeout), deadline=deadline
    )
    try:
        connection.request(
            method,
            destination.target,
            body=body,
            headers={**(headers or {}), "Connection": "close"},
        )
        response = connection.getresponse()
        return OutboundResponse(status=response.status, body=response.read(max_body_bytes))
    except (OSError, http.client.HTTPException) as exc:
        raise _failure(exc) from exc
    finally:
        connection.close()
