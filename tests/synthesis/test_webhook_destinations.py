"""Where a webhook may point: public addresses only, checked when it is saved (API and admin)
and again at every delivery; and a delivery never holds up the request that caused it.

Host names resolve through a fake resolver; endpoints are real HTTP servers on 127.0.0.1 in
threads. Nothing leaves the machine.
"""

import datetime as dt
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler

import pytest
import time_machine
from django.urls import reverse

from studies.common import outbound
from studies.synthesis import tasks
from studies.synthesis.models import BoardCard, Column, DeliveryStatus, Webhook, WebhookDelivery
from studies.synthesis.services import boards, insights, webhooks
from studies.synthesis.services.webhooks import sending
from tests.network import answers, loopback_server

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"
PUBLIC = "93.184.215.14"
LOOPBACK_ALLOWED = ["127.0.0.0/8"]
INSIDE = "This address points inside the server's network; only public addresses are allowed."
REFUSED_AT_DELIVERY = f"Not sent: the destination was refused. {INSIDE}"


@dataclass
class Received:
    path: str
    headers: Message
    body: bytes


@dataclass
class Receiver:
    host: str
    port: int
    requests: list[Received] = field(default_factory=list)
    delay: float = 0.0

    def url(self, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}/hook"


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """The names the fake resolver knows (change an entry to re-point a name); any other name
    is not found."""
    known = {
        "hooks.example.org": [PUBLIC],
        "localhost": ["127.0.0.1", "::1"],
        "metadata.google.internal": ["169.254.169.254"],
        "intranet.example.org": ["10.20.0.5"],
        "split.example.org": [PUBLIC, "192.168.1.1"],
    }

    def resolve(host: str, port: int, *args, **kwargs) -> list[tuple]:
        if host not in known:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers(*known[host], port=port)

    monkeypatch.setattr(outbound, "getaddrinfo", resolve)
    return known


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An endpoint on loopback. Not allowed unless a test allows it, as an operator would."""
    with loopback_server() as server:
        found = Receiver(host="127.0.0.1", port=server.server_port)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                found.requests.append(Received(self.path, self.headers, body))
                time.sleep(found.delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server.RequestHandlerClass = Handler
        yield found


@pytest.fixture
def sends_inline(monkeypatch) -> None:
    # A background thread could not see the rows of the test's transaction, which is never
    # committed: the task runs inline instead, so its outcome can be read at once.
    monkeypatch.setattr(sending, "_send_in_background", tasks.deliver_webhook)


def make_insight(field):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="People lose track of what is in the freezer.",
        observation_ids=[o.pk for o in field.quotes],
        tag_ids=[field.pain.pk],
    )


# --- Saving --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/", INSIDE),
        ("http://localhost:8000/admin/", INSIDE),
        ("http://[::1]/", INSIDE),
        ("http://[::ffff:127.0.0.1]/", INSIDE),
        ("http://0.0.0.0/", INSIDE),
        ("http://169.254.169.254/latest/meta-data/", INSIDE),
        ("http://10.0.0.1/", INSIDE),
        ("http://192.168.1.1/", INSIDE),
        ("http://[fd00::1]/", INSIDE),
        ("http://metadata.google.internal/computeMetadata/v1/", INSIDE),
        ("https://intranet.example.org/hook", INSIDE),
        ("https://split.example.org/hook", INSIDE),
        (
            "http://127.0.0.1:8799\\@example.com/",
            "Enter an http:// or https:// address with a host name.",
        ),
        ("https://nowhere.example.org/hook", "No address was found for this host name."),
    ],
)
def test_an_address_inside_the_network_is_refused_and_nothing_is_saved(
    dns, client_for, superuser, url, message
):
    response = client_for(superuser).post(WEBHOOKS, {"name": "x", "url": url})

    assert response.status_code == 400
    assert response.json() == {"errors": {"url": [message]}}
    assert not Webhook.objects.exists()


def test_a_url_changed_to_one_inside_is_refused_but_an_old_one_can_be_switched_off(
    dns, client_for, superuser
):
    public = webhooks.webhook_create(name="Team chat", url="https://hooks.example.org/in")
    saved_before = Webhook.objects.create(
        name="Saved before the rule", url="http://169.254.169.254/latest/", secret="s"
    )
    client = client_for(superuser)

    moved = client.patch(f"{WEBHOOKS}{public.pk}/", {"url": "http://10.0.0.1/in"})
    switched_off = client.patch(f"{WEBHOOKS}{saved_before.pk}/", {"active": False})

    assert moved.status_code == 400
    assert moved.json() == {"errors": {"url": [INSIDE]}}
    public.refresh_from_db()
    assert public.url == "https://hooks.example.org/in"
    assert switched_off.status_code == 200
    saved_before.refresh_from_db()
    assert saved_before.active is False


def test_the_admin_refuses_an_address_inside_the_network(dns, admin_client):
    response = admin_client.post(
        reverse("admin:synthesis_webhook_add"),
        {"name": "Metadata", "url": "http://169.254.169.254/latest/meta-data/", "active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"url": [INSIDE]}
    assert not Webhook.objects.exists()


# --- Delivering ----------------------------------------------------------------------------


def test_a_delivery_to_an_address_inside_is_refused_and_nothing_reaches_it(
    field, receiver, sends_inline, django_capture_on_commit_callbacks
):
    # Saved before the rule, when any address was taken.
    Webhook.objects.create(name="Port scan", url=receiver.url(), secret="s3cret")

    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field)

    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    # Refused, not answered: no status, nothing the endpoint said; tried again with back-off.
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.PENDING,
        1,
        None,
    )
    assert delivery.last_error == REFUSED_AT_DELIVERY
    assert delivery.next_attempt_at - delivery.last_attempt_at == dt.timedelta(minutes=1)


def test_a_name_that_resolves_inside_after_it_was_saved_is_refused_at_every_delivery(
    field, dns, receiver, sends_inline, django_capture_on_commit_callbacks
):
    webhooks.webhook_create(name="Team chat", url=receiver.url(host="hooks.example.org"))
    dns["hooks.example.org"] = ["127.0.0.1"]  # re-pointed once the check at saving was passed

    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field)
    delivery = WebhookDelivery.objects.get()
    with time_machine.travel(delivery.next_attempt_at, tick=False):
        assert tasks.retry_due_deliveries() == 1

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert (delivery.attempts, delivery.response_status, delivery.last_error) == (
        2,
        None,
        REFUSED_AT_DELIVERY,
    )


def test_a_network_the_operator_allows_gets_the_signed_delivery(
    field,
    receiver,
    settings,
    sends_inline,
    client_for,
    superuser,
    django_capture_on_commit_callbacks,
):
    client = client_for(superuser)
    refused = client.post(WEBHOOKS, {"name": "On premises", "url": receiver.url()})
    settings.RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS = LOOPBACK_ALLOWED
    created = client.post(WEBHOOKS, {"name": "On premises", "url": receiver.url()})

    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field)

    assert refused.status_code == 400
    assert created.status_code == 201
    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert json.loads(request.body)["researchhub"]["event"] == "insight.placed"
    assert webhooks.signature_valid(
        created.json()["secret"],
        request.headers["X-ResearchHub-Timestamp"],
        request.body,
        request.headers["X-ResearchHub-Signature"],
    )


# --- Never in the user's way ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the sending threads read what the move committed
def test_a_card_move_returns_at_once_and_slow_endpoints_get_it_after(field, receiver, settings):
    """With no broker (tasks inline), deliveries go to background threads after the commit."""
    settings.RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS = LOOPBACK_ALLOWED
    receiver.delay = 2.0
    insight = make_insight(field)
    for name in ("One", "Two", "Three"):
        webhooks.webhook_create(name=name, url=receiver.url())
    card = BoardCard.objects.get(insight=insight, board=field.product)

    started = time.monotonic()
    moved = boards.card_move(card=card, column=Column.PLANNED, actor=field.team.product)
    elapsed = time.monotonic() - started

    assert moved.column == Column.PLANNED
    assert elapsed < 1.0  # inline, the three endpoints alone would take 6 s
    assert webhooks.background_sends_wait(timeout=15)
    assert len(receiver.requests) == 3
    assert sorted(WebhookDelivery.objects.values_list("webhook__name", "status")) == [
        ("One", DeliveryStatus.DELIVERED),
        ("Three", DeliveryStatus.DELIVERED),
        ("Two", DeliveryStatus.DELIVERED),
    ]
