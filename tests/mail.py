"""A real SMTP server for tests that send e-mail: `smtp_server`.

The fixture starts aiosmtpd on a free loopback port for one test, points Django's SMTP
backend at it, and hands over a mailbox of the messages it received, parsed by the
standard library's e-mail package. Links in e-mails start with RESEARCHHUB_SITE_URL, set
to the live server's address when the test uses `live_server` (so a browser can follow
them) and to the test client's ("http://testserver") otherwise.

    def test_it_sends(smtp_server, client):
        ...
        message = smtp_server.wait_for(1)[0]
        client.get(link_in(message))
"""

import email
import email.policy
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO; a failing test's report needs none of it.
logging.getLogger("mail.log").setLevel(logging.WARNING)

LINK = re.compile(r"https?://[^\s<>\"')]+")


class Mailbox:
    """What the server received, in order of arrival."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO) of each
        self._arrived = threading.Condition()

    # aiosmtpd's handler hook, called in the server's thread.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The first `count` messages, waiting for them to arrive (from a live server)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} e-mail(s), the SMTP server received {len(self.messages)}"
                    )
                self._arrived.wait(left)
            return list(self.messages[:count])

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to this address (case-insensitive)."""
        wanted = address.lower()
        return [
            message
            for message, (_sender, recipients) in zip(self.messages, self.envelopes, strict=True)
            if wanted in (recipient.lower() for recipient in recipients)
        ]

    def clear(self) -> None:
        with self._arrived:
            self.messages.clear()
            self.envelopes.clear()


def text_of(message: EmailMessage) -> str:
    """The plain-text body."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "the message has no text/plain part"
    return body.get_content()


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None, "the message has no text/html part"
    return body.get_content()


def link_in(message: EmailMessage, containing: str = "") -> str:
    """The first link in the plain-text body (containing `containing`, if given)."""
    for link in LINK.findall(text_of(message)):
        if containing in link:
            return link
    raise AssertionError(f"no link{f' with {containing!r}' if containing else ''} in the e-mail")


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(request: pytest.FixtureRequest, settings: Any) -> Iterator[Mailbox]:
    host = "127.0.0.1"
    mailbox = Mailbox(host, _free_port(host))
    controller = Controller(mailbox, hostname=host, port=mailbox.port, ready_timeout=10)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, mailbox.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    # Links in e-mails lead to the server under test: the live server, or the test client's.
    settings.RESEARCHHUB_SITE_URL = (
        request.getfixturevalue("live_server").url
        if "live_server" in request.fixturenames
        else "http://testserver"
    )
    yield mailbox
    controller.stop()
