"""/api/v1/webhooks/: admins connect endpoints told about board changes, and read the
delivery log. The signing secret is shown once, when the webhook is made."""

import pytest
from django.utils import timezone

from studies.synthesis.models import DeliveryStatus, Webhook, WebhookDelivery
from studies.synthesis.services import webhooks
from tests.synthesis.api.conftest import iso

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"


@pytest.fixture(autouse=True)
def _public_dns(public_dns) -> None:
    """Tests never touch the network: a host name resolves to one public address."""


def webhook_url(webhook, suffix: str = "") -> str:
    return f"{WEBHOOKS}{webhook.pk}/{suffix}"


def webhook_body(webhook) -> dict:
    webhook.refresh_from_db()
    board = webhook.board
    return {
        "id": str(webhook.pk),
        "name": webhook.name,
        "url": webhook.url,
        "board": {"id": str(board.pk), "slug": board.slug, "name": board.name, "kind": board.kind}
        if board
        else None,
        "active": webhook.active,
        "created_at": iso(webhook.created_at),
        "updated_at": iso(webhook.updated_at),
    }


@pytest.fixture
def hook(field):
    return webhooks.webhook_create(
        name="Team chat", url="https://chat.example.org/hook", secret="s3cret"
    )


def test_an_admin_connects_a_webhook_and_sees_its_secret_once(client_for, field, admin):
    client = client_for(admin)

    created = client.post(
        WEBHOOKS,
        {
            "name": "Product channel",
            "url": "https://chat.example.org/product",
            "secret": "shh",
            "board": str(field.product.pk),
        },
    )

    assert created.status_code == 201
    webhook = Webhook.objects.get()
    assert created.json() == {**webhook_body(webhook), "secret": "shh"}
    assert client.get(webhook_url(webhook)).json() == webhook_body(webhook)
    assert "secret" not in client.get(WEBHOOKS).json()["results"][0]


def test_without_a_secret_one_is_generated_and_shown_once(client_for, field, admin):
    response = client_for(admin).post(
        WEBHOOKS, {"name": "All boards", "url": "http://hooks.example.org/in"}
    )

    assert response.status_code == 201
    webhook = Webhook.objects.get()
    assert response.json()["secret"] == webhook.secret
    assert len(webhook.secret) >= 32
    assert response.json()["board"] is None


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"name": "Files", "url": "ftp://files.example.org/drop"},
            {"url": ["Enter an http:// or https:// address with a host name."]},
        ),
        (
            {"name": "Script", "url": "javascript:alert(1)"},
            {"url": ["Enter an http:// or https:// address with a host name."]},
        ),
        (
            {
                "name": " ",
                "url": "https://x.example.org",
                "board": "00000000-0000-0000-0000-000000000000",
            },
            {"name": ["Give the webhook a name."], "board": ["There is no such board."]},
        ),
    ],
)
def test_a_bad_webhook_is_refused_and_nothing_is_saved(client_for, field, admin, body, errors):
    response = client_for(admin).post(WEBHOOKS, body)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert not Webhook.objects.exists()


def test_an_admin_changes_a_webhook_but_never_its_secret(client_for, field, admin, hook):
    response = client_for(admin).patch(
        webhook_url(hook),
        {
            "url": "https://chat.example.org/marketing",
            "board": str(field.marketing.pk),
            "active": False,
        },
    )

    assert response.status_code == 200
    assert response.json() == webhook_body(hook)
    assert (hook.name, hook.url, hook.board, hook.active, hook.secret) == (
        "Team chat",
        "https://chat.example.org/marketing",
        field.marketing,
        False,
        "s3cret",
    )


def test_changing_to_a_non_http_address_changes_nothing(client_for, field, admin, hook):
    response = client_for(admin).patch(webhook_url(hook), {"url": "file:///etc/passwd"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"url": ["Enter an http:// or https:// address with a host name."]}
    }
    hook.refresh_from_db()
    assert hook.url == "https://chat.example.org/hook"


def test_the_delivery_log_lists_newest_first(client_for, field, admin, hook):
    failed = WebhookDelivery.objects.create(
        webhook=hook,
        event="insight.moved",
        payload={"text": "moved"},
        status=DeliveryStatus.FAILED,
        attempts=5,
        response_status=500,
        last_error="Server error",
    )
    delivered = WebhookDelivery.objects.create(
        webhook=hook,
        event="insight.placed",
        payload={"text": "placed"},
        status=DeliveryStatus.DELIVERED,
        attempts=1,
        response_status=200,
        delivered_at=timezone.now(),
    )

    response = client_for(admin).get(webhook_url(hook, "deliveries/"))

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": str(delivered.pk),
            "event": "insight.placed",
            "payload": {"text": "placed"},
            "status": "delivered",
            "attempts": 1,
            "response_status": 200,
            "last_error": "",
            "next_attempt_at": None,
            "delivered_at": iso(delivered.delivered_at),
            "created_at": iso(delivered.created_at),
        },
        {
            "id": str(failed.pk),
            "event": "insight.moved",
            "payload": {"text": "moved"},
            "status": "failed",
            "attempts": 5,
            "response_status": 500,
            "last_error": "Server error",
            "next_attempt_at": None,
            "delivered_at": None,
            "created_at": iso(failed.created_at),
        },
    ]


def test_deleting_a_webhook_removes_its_log(client_for, field, admin, hook):
    WebhookDelivery.objects.create(webhook=hook, event="insight.placed", payload={})

    response = client_for(admin).delete(webhook_url(hook))

    assert response.status_code == 204
    assert not Webhook.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert client_for(admin).get(webhook_url(hook)).status_code == 404


def test_webhooks_are_for_admins_only(client_for, api_client, field, hook):
    urls = [WEBHOOKS, webhook_url(hook), webhook_url(hook, "deliveries/")]
    body = {"name": "Mine", "url": "https://evil.example.org"}

    anonymous = [api_client.get(url).status_code for url in urls]
    anonymous.append(api_client.post(WEBHOOKS, body).status_code)
    lead = client_for(field.team.lead)
    members = [lead.get(url).status_code for url in urls]
    members += [
        lead.post(WEBHOOKS, body).status_code,
        lead.patch(webhook_url(hook), body).status_code,
        lead.delete(webhook_url(hook)).status_code,
    ]

    assert anonymous == [401, 401, 401, 401]
    assert members == [403, 403, 403, 403, 403, 403]
    hook.refresh_from_db()
    assert (Webhook.objects.count(), hook.name) == (1, "Team chat")
