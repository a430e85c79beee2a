"""Outgoing webhooks: signed, Slack-compatible, retried with back-off, never in the user's way.

Every test talks to a real HTTP server on 127.0.0.1 run in a thread (or to a closed local
port for an endpoint that is down), with loopback allowed as an operator would allow an
on-premises network; other host names resolve to one public address and are never sent to:
nothing leaves the machine. Which destinations are refused, and sending after the response
through the background threads: test_webhook_destinations.py.
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
from django.core.exceptions import ValidationError
from django_celery_beat.models import PeriodicTask

from researchhub.celery import app
from studies.scheduling.models import HouseholdContact
from studies.synthesis import tasks
from studies.synthesis.models import (
    BoardCard,
    CardEvent,
    Column,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
)
from studies.synthesis.services import boards, insights, notifications, webhooks
from studies.synthesis.services.webhooks import sending
from tests.network import loopback_server

pytestmark = pytest.mark.django_db

STATEMENT = "People lose track of what is in the freezer."
PUBLIC_ADDRESS = "93.184.215.14"
LOOPBACK_ALLOWED = ["127.0.0.0/8"]


@dataclass
class Received:
    path: str
    headers: Message  # names are case-insensitive, as in HTTP
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An endpoint that records what it is sent and answers with the statuses it is given."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # consumed in order, then 200
    delay: float = 0.0  # seconds to wait before answering


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.requests.append(Received(self.path, self.headers, body))
            time.sleep(receiver.delay)
            status = receiver.answers.pop(0) if receiver.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(autouse=True)
def _public_dns(public_dns) -> None:
    """Tests never touch the network: a host name resolves to one public address."""


@pytest.fixture(autouse=True)
def _sends_inline(monkeypatch) -> None:
    # A background thread could not see the rows of the test's transaction, which is never
    # committed: here the task runs inline, so its outcome can be read at once.
    monkeypatch.setattr(sending, "_send_in_background", tasks.deliver_webhook)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS = LOOPBACK_ALLOWED
    with loopback_server() as server:
        found = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks/researchhub")
        server.RequestHandlerClass = _handler(found)
        yield found


@pytest.fixture
def down_url(settings) -> str:
    """The address of a local port nothing listens on: connections are refused at once."""
    settings.RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS = LOOPBACK_ALLOWED
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def make_insight(field, *tags):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement=STATEMENT,
        observation_ids=[o.pk for o in field.quotes],
        tag_ids=[tag.pk for tag in tags],
    )


def hook(url: str, name: str = "Team channel", **kwargs) -> Webhook:
    return webhooks.webhook_create(name=name, url=url, **kwargs)


def test_a_placement_is_delivered_signed_with_the_webhooks_secret(
    field, receiver, django_capture_on_commit_callbacks
):
    webhook = hook(receiver.url, secret="s3cret")

    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)

    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    timestamp = request.headers["X-ResearchHub-Timestamp"]
    signature = request.headers["X-ResearchHub-Signature"]
    assert request.path == "/hooks/researchhub"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-ResearchHub-Event"] == "insight.placed"
    assert request.headers["X-ResearchHub-Delivery"] == str(delivery.pk)
    assert timestamp == str(int(delivery.last_attempt_at.timestamp()))
    assert webhooks.signature_valid(webhook.secret, timestamp, request.body, signature)
    assert not webhooks.signature_valid("another secret", timestamp, request.body, signature)
    assert not webhooks.signature_valid("s3cret", str(int(timestamp) + 1), request.body, signature)
    assert not webhooks.signature_valid("s3cret", timestamp, request.body + b" ", signature)
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert (delivery.last_error, delivery.next_attempt_at) == ("", None)
    assert delivery.delivered_at is not None


def test_the_signature_is_an_hmac_of_the_timestamp_and_body():
    assert webhooks.signature("key", "1700000000", b'{"a":1}') == (
        "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
    )


def test_the_payload_is_slack_compatible_and_names_no_participant(
    field, receiver, django_capture_on_commit_callbacks, settings
):
    settings.RESEARCHHUB_SITE_URL = "https://research.example.org"
    hook(receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        insight = make_insight(field, field.pain)

    [request] = receiver.requests
    event = CardEvent.objects.get(card__insight=insight)
    url = f"https://research.example.org/insights/{insight.pk}/"
    assert request.json == {
        "text": f"“{STATEMENT}” New on Product board, in New.",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*<{url}|{STATEMENT}>*\nNew on Product board, in New.",
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"3 households · {field.team.study.title} · by researcher",
                    }
                ],
            },
        ],
        "researchhub": {
            "event": "insight.placed",
            "event_id": str(event.pk),
            "occurred_at": event.created_at.isoformat(),
            "board": {"slug": "product", "name": "Product board"},
            "column": {"from": None, "to": "new"},
            "insight": {
                "id": str(insight.pk),
                "statement": STATEMENT,
                "household_count": 3,
                "url": url,
            },
            "study": {"id": str(field.team.study.pk), "title": field.team.study.title},
            "actor": "researcher",
        },
    }
    body = request.body.decode()
    for household in field.households:
        assert household.code not in body
        assert HouseholdContact.objects.get(household=household).name not in body
    for quote in field.quotes:
        assert quote.text not in body
        assert quote.speaker not in body


def test_slack_markup_in_a_statement_is_escaped(
    field, receiver, django_capture_on_commit_callbacks
):
    hook(receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        insights.insight_create(
            study=field.team.study,
            actor=field.team.researcher,
            statement="Fridge <b>chaos</b> & <!channel> alarms",
            observation_ids=[field.quotes[0].pk],
            tag_ids=[field.pain.pk],
        )

    payload = receiver.requests[0].json
    assert payload["text"] == (
        "“Fridge &lt;b&gt;chaos&lt;/b&gt; &amp; &lt;!channel&gt; alarms”"
        " New on Product board, in New."
    )
    assert payload["researchhub"]["insight"]["statement"] == (
        "Fridge <b>chaos</b> & <!channel> alarms"
    )


def test_a_placement_creates_one_delivery_per_matching_webhook(
    field, receiver, django_capture_on_commit_callbacks
):
    everything = hook(receiver.url, name="Everything")
    product = hook(receiver.url, name="Product only", board_id=field.product.pk)
    hook(receiver.url, name="Marketing only", board_id=field.marketing.pk)
    hook(receiver.url, name="Switched off", active=False)

    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)

    deliveries = WebhookDelivery.objects.order_by("webhook__name")
    assert [(d.webhook, d.event, d.status) for d in deliveries] == [
        (everything, "insight.placed", DeliveryStatus.DELIVERED),
        (product, "insight.placed", DeliveryStatus.DELIVERED),
    ]
    assert len(receiver.requests) == 2


def test_announcing_the_same_events_again_sends_nothing_new(
    field, receiver, django_capture_on_commit_callbacks
):
    hook(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain, field.quotable)
    event_ids = [str(pk) for pk in CardEvent.objects.values_list("pk", flat=True)]

    with django_capture_on_commit_callbacks(execute=True):
        notifications.card_events_announce(event_ids=event_ids)

    assert webhooks.deliveries_create_for_events(event_ids=event_ids) == []
    assert WebhookDelivery.objects.count() == 2
    assert sorted(r.json["researchhub"]["board"]["slug"] for r in receiver.requests) == [
        "marketing",
        "product",
    ]


def test_creating_deliveries_takes_the_same_queries_for_many_events(
    field, receiver, django_assert_num_queries
):
    hook(receiver.url, name="Everything")
    hook(receiver.url, name="Product only", board_id=field.product.pk)
    make_insight(field, field.pain, field.quotable)
    make_insight(field, field.pain)
    event_ids = list(CardEvent.objects.values_list("pk", flat=True))
    # Placing the cards announced them already; start again from no deliveries.
    WebhookDelivery.objects.all().delete()

    # savepoint, active webhooks, events with card/board/insight/study/actor,
    # deliveries already made, the insert, the rows inserted, release savepoint
    with django_assert_num_queries(7):
        created = webhooks.deliveries_create_for_events(event_ids=event_ids)

    assert sorted((d.webhook.name, d.payload["researchhub"]["board"]["slug"]) for d in created) == [
        ("Everything", "marketing"),
        ("Everything", "product"),
        ("Everything", "product"),
        ("Product only", "product"),
        ("Product only", "product"),
    ]


def test_a_move_announces_insight_moved(field, receiver, django_capture_on_commit_callbacks):
    insight = make_insight(field, field.pain)
    hook(receiver.url)
    card = BoardCard.objects.get(insight=insight, board=field.product)

    with django_capture_on_commit_callbacks(execute=True):
        boards.card_move(card=card, column=Column.PLANNED, actor=field.team.product)

    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == request.headers["X-ResearchHub-Event"] == "insight.moved"
    assert request.json["text"] == f"“{STATEMENT}” Moved from New to Planned on Product board."
    assert request.json["researchhub"]["column"] == {"from": "new", "to": "planned"}
    assert request.json["researchhub"]["actor"] == "product"


def test_a_card_taken_off_a_board_is_not_announced(field, receiver):
    insight = make_insight(field, field.pain)
    hook(receiver.url)
    insights.insight_update(insight=insight, actor=field.team.lead, tag_ids=[])
    removed = CardEvent.objects.get(kind=CardEvent.Kind.REMOVED)

    assert webhooks.deliveries_create_for_events(event_ids=[removed.pk]) == []
    assert not WebhookDelivery.objects.exists()


def test_a_failing_endpoint_is_retried_with_growing_back_off_until_it_fails(
    field, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500] * webhooks.MAX_ATTEMPTS
    hook(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)
    delivery = WebhookDelivery.objects.get()
    waits = [delivery.next_attempt_at - delivery.last_attempt_at]

    for attempt in range(2, webhooks.MAX_ATTEMPTS + 1):
        with time_machine.travel(delivery.next_attempt_at, tick=False):
            assert tasks.retry_due_deliveries() == 1
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - delivery.last_attempt_at)

    assert waits == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
        dt.timedelta(hours=12),
    ]
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS == 6
    assert (delivery.status, delivery.response_status, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED,
        500,
        None,
    )
    assert delivery.last_error == "The endpoint answered 500."
    assert delivery.delivered_at is None
    with time_machine.travel(delivery.last_attempt_at + dt.timedelta(days=2), tick=False):
        assert tasks.retry_due_deliveries() == 0
    assert len(receiver.requests) == 6


def test_an_endpoint_that_recovers_gets_the_delivery_recorded_as_delivered(
    field, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [503]
    hook(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.PENDING,
        1,
        503,
    )

    with time_machine.travel(delivery.next_attempt_at, tick=False):
        tasks.retry_due_deliveries()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
    )
    assert (delivery.last_error, delivery.next_attempt_at) == ("", None)
    assert [r.headers["X-ResearchHub-Delivery"] for r in receiver.requests] == [
        str(delivery.pk)
    ] * 2


def test_a_redirect_is_not_followed_but_counted_as_a_failure(
    field, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [302]
    hook(receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)

    delivery = WebhookDelivery.objects.get()
    assert [request.path for request in receiver.requests] == ["/hooks/researchhub"]
    assert (delivery.status, delivery.response_status, delivery.last_error) == (
        DeliveryStatus.PENDING,
        302,
        "The endpoint answered 302.",
    )


def test_a_delivery_that_is_not_due_is_not_sent_again(
    field, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    hook(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)
    delivery = WebhookDelivery.objects.get()

    tasks.deliver_webhook(str(delivery.pk))
    assert tasks.retry_due_deliveries() == 0

    delivery.refresh_from_db()
    assert (delivery.attempts, len(receiver.requests)) == (1, 1)


def test_a_down_endpoint_never_fails_or_holds_up_the_users_request(
    field, down_url, django_capture_on_commit_callbacks
):
    insight = make_insight(field, field.pain)
    hook(down_url)
    card = BoardCard.objects.get(insight=insight, board=field.product)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        moved = boards.card_move(card=card, column=Column.EXPLORING, actor=field.team.product)
    elapsed = time.monotonic() - started

    assert moved.column == Column.EXPLORING
    assert elapsed < webhooks.TIMEOUT_SECONDS
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.PENDING,
        1,
        None,
    )
    assert delivery.last_error.startswith("Could not reach the endpoint: ")
    assert delivery.next_attempt_at - delivery.last_attempt_at == dt.timedelta(minutes=1)


def test_a_slow_endpoint_is_given_up_on_after_the_timeout(
    field, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(webhooks.sending, "TIMEOUT_SECONDS", 0.2)
    receiver.delay = 1.0
    hook(receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.PENDING,
        1,
        None,
    )
    assert delivery.last_error == "Could not reach the endpoint: timed out"


def test_retrying_now_sends_a_failed_delivery_once_more(
    field, receiver, django_capture_on_commit_callbacks
):
    hook(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=webhooks.MAX_ATTEMPTS, next_attempt_at=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        queued = webhooks.deliveries_retry(delivery_ids=[delivery.pk])

    assert queued == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 7)
    assert len(receiver.requests) == 2
    assert webhooks.deliveries_retry(delivery_ids=[delivery.pk]) == []


def test_the_sweep_is_bounded(field, down_url, django_capture_on_commit_callbacks):
    hook(down_url, name="One")
    hook(down_url, name="Two")
    hook(down_url, name="Three")
    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)
    later = WebhookDelivery.objects.get(webhook__name="One").next_attempt_at

    with time_machine.travel(later + dt.timedelta(seconds=1), tick=False):
        assert webhooks.deliveries_send_due(limit=2) == 2
        assert webhooks.deliveries_send_due(limit=2, budget=dt.timedelta(0)) == 0
        assert webhooks.deliveries_send_due(limit=2) == 1

    assert sorted(WebhookDelivery.objects.values_list("attempts", flat=True)) == [2, 2, 2]


def test_webhooks_of_a_switched_off_endpoint_wait(
    field, down_url, django_capture_on_commit_callbacks
):
    webhook = hook(down_url)
    with django_capture_on_commit_callbacks(execute=True):
        make_insight(field, field.pain)
    webhooks.webhook_update(
        webhook=webhook, name=webhook.name, url=webhook.url, board_id=None, active=False
    )
    delivery = WebhookDelivery.objects.get()

    with time_machine.travel(delivery.next_attempt_at, tick=False):
        assert tasks.retry_due_deliveries() == 0

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)


def test_the_sweeper_is_scheduled_every_minute(db):
    job = PeriodicTask.objects.get(task="synthesis.retry_due_deliveries")

    assert (job.interval.every, job.interval.period, job.enabled) == (1, "minutes", True)
    assert job.task in app.tasks


# --- Registering webhooks ------------------------------------------------------------------


def test_a_webhook_gets_a_secret_of_its_own_unless_one_is_given(db):
    first = hook("https://hooks.example.org/a")
    second = hook("https://hooks.example.org/b")
    given = hook("http://intranet.example.org:8080/in", secret="  given secret  ")

    assert len(first.secret) == len(second.secret) == 43
    assert first.secret != second.secret
    assert given.secret == "given secret"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.org/in",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "hooks.example.org/in",
        "https://hooks example.org/in",
        "",
    ],
)
def test_a_url_that_is_not_http_is_refused_and_nothing_is_created(db, url):
    with pytest.raises(ValidationError) as refused:
        hook(url)

    assert refused.value.message_dict == {
        "url": ["Enter an http:// or https:// address with a host name."]
    }
    assert not Webhook.objects.exists()


def test_an_update_with_a_bad_url_or_board_changes_nothing(db):
    webhook = hook("https://hooks.example.org/in", name="Team channel")

    with pytest.raises(ValidationError) as refused:
        webhooks.webhook_update(
            webhook=webhook,
            name="Renamed",
            url="gopher://hooks.example.org",
            board_id="not-a-board",
            active=False,
        )

    assert refused.value.message_dict == {
        "url": ["Enter an http:// or https:// address with a host name."],
        "board": ["There is no such board."],
    }
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.active) == (
        "Team channel",
        "https://hooks.example.org/in",
        True,
    )


def test_an_update_changes_where_and_what_a_webhook_hears(field):
    webhook = hook("https://hooks.example.org/in")
    secret = webhook.secret

    webhooks.webhook_update(
        webhook=webhook,
        name=" Product channel ",
        url="https://hooks.example.org/product",
        board_id=field.product.pk,
        active=False,
    )

    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.board, webhook.active, webhook.secret) == (
        "Product channel",
        "https://hooks.example.org/product",
        field.product,
        False,
        secret,
    )
