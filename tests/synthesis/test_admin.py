"""The synthesis admin: rule changes re-route insights, webhooks go through their services,
history and the delivery log are read-only."""

import socket

import pytest
from django.urls import reverse

from studies.fieldwork.models import TagGroup
from studies.synthesis import tasks
from studies.synthesis.models import (
    Board,
    BoardCard,
    CardEvent,
    Comment,
    DeliveryStatus,
    Evidence,
    Insight,
    InsightTag,
    QuoteUse,
    RoutingRule,
    Webhook,
    WebhookDelivery,
)
from studies.synthesis.services import boards, insights, quotes, webhooks
from studies.synthesis.services.webhooks import sending
from tests.factories import StudyFactory, TagFactory

pytestmark = pytest.mark.django_db

SYNTHESIS_MODELS = (
    Board,
    RoutingRule,
    Insight,
    InsightTag,
    Evidence,
    BoardCard,
    CardEvent,
    Comment,
    QuoteUse,
    Webhook,
    WebhookDelivery,
)


def url(model, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture(autouse=True)
def _public_dns(public_dns) -> None:
    """Tests never touch the network: a host name resolves to one public address."""


@pytest.fixture
def down_url(settings) -> str:
    """A local port nothing listens on: nothing leaves the machine, nothing answers. Loopback
    is allowed, as an operator allows an on-premises network."""
    settings.RESEARCHHUB_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def make_insight(field, *tags) -> Insight:
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="People lose track of what is in the freezer.",
        observation_ids=[o.pk for o in field.quotes],
        tag_ids=[tag.pk for tag in tags],
    )


def live_boards(insight: Insight) -> set[str]:
    return set(
        BoardCard.objects.filter(insight=insight, removed_at__isnull=True).values_list(
            "board__slug", flat=True
        )
    )


def notes(response) -> list[str]:
    return [message.message for message in response.context["messages"]]


def rule_form(board, *, tag=None, tag_group="", study=None, active=True) -> dict[str, str]:
    form = {
        "board": str(board.pk),
        "tag": str(tag.pk) if tag else "",
        "tag_group": tag_group,
        "study": str(study.pk) if study else "",
    }
    if active:
        form["active"] = "on"
    return form


def test_every_synthesis_admin_page_answers(field, admin_client, superuser, down_url, subtests):
    insight = make_insight(field, field.pain, field.quotable)
    insights.comment_create(insight=insight, author=field.team.product, text="Worth a look.")
    quotes.quote_use_record(quote=field.quotes[0], actor=field.team.marketing, campaign="Spring")
    webhooks.webhook_create(name="Team channel", url=down_url)
    webhooks.deliveries_create_for_events(event_ids=CardEvent.objects.values_list("pk", flat=True))

    for model in SYNTHESIS_MODELS:
        with subtests.test(model=model._meta.label):
            assert admin_client.get(url(model, "changelist")).status_code == 200
            assert admin_client.get(url(model, "changelist"), {"q": "freezer"}).status_code == 200
            instance = model._default_manager.first()
            assert admin_client.get(url(model, "change", instance.pk)).status_code == 200


def test_adding_a_rule_in_the_admin_routes_insights_at_once(field, admin_client):
    insight = make_insight(field, field.loose)
    assert live_boards(insight) == set()

    response = admin_client.post(
        url(RoutingRule, "add"), rule_form(field.product, tag=field.loose), follow=True
    )

    assert response.status_code == 200
    rule = RoutingRule.objects.get(tag=field.loose)
    assert (rule.board, rule.study, rule.active) == (field.product, field.team.study, True)
    assert live_boards(insight) == {"product"}
    assert "Routing ran again: 1 card moved (1 placed, 0 put back, 0 taken off)." in notes(response)


def test_editing_a_rule_in_the_admin_moves_its_insights(field, admin_client, superuser):
    insight = make_insight(field, field.pain)
    rule = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)

    response = admin_client.post(
        url(RoutingRule, "change", rule.pk),
        rule_form(field.marketing, tag_group=TagGroup.PAIN_POINT),
        follow=True,
    )

    assert response.status_code == 200
    assert live_boards(insight) == {"marketing"}
    placed = CardEvent.objects.get(card__board=field.marketing, kind=CardEvent.Kind.PLACED)
    assert placed.actor == superuser
    assert "Routing ran again: 2 cards moved (1 placed, 0 put back, 1 taken off)." in notes(
        response
    )


def test_deleting_a_rule_in_the_admin_takes_its_cards_off(field, admin_client):
    insight = make_insight(field, field.pain)
    rule = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)

    response = admin_client.post(url(RoutingRule, "delete", rule.pk), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert live_boards(insight) == set()
    assert BoardCard.objects.get(insight=insight).removed_at is not None
    assert "Routing ran again: 1 card moved (0 placed, 0 put back, 1 taken off)." in notes(response)


def test_deleting_rules_in_bulk_reroutes_once_for_all(field, admin_client):
    insight = make_insight(field, field.pain, field.quotable)
    rules = RoutingRule.objects.filter(tag_group__in=[TagGroup.PAIN_POINT, TagGroup.QUOTE_WORTHY])

    response = admin_client.post(
        url(RoutingRule, "changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in rules], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert live_boards(insight) == set()
    assert "Routing ran again: 2 cards moved (0 placed, 0 put back, 2 taken off)." in notes(
        response
    )


def test_a_rule_with_both_a_tag_and_a_group_is_refused(field, admin_client):
    rules = RoutingRule.objects.count()

    response = admin_client.post(
        url(RoutingRule, "add"),
        rule_form(field.product, tag=field.loose, tag_group=TagGroup.DELIGHT),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tag"] == [
        "A rule matches either one tag or one tag group: give exactly one."
    ]
    assert RoutingRule.objects.count() == rules


def test_a_rule_for_a_tag_of_another_study_is_refused(field, admin_client):
    rules = RoutingRule.objects.count()

    response = admin_client.post(
        url(RoutingRule, "add"),
        rule_form(field.product, tag=TagFactory(name="Elsewhere"), study=field.team.study),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "study": ["The tag belongs to another study."]
    }
    assert RoutingRule.objects.count() == rules


def test_editing_an_insight_in_the_admin_goes_through_the_service(field, admin_client):
    insight = make_insight(field, field.pain)

    response = admin_client.post(
        url(Insight, "change", insight.pk),
        {
            "statement": "  Freezers   are black holes. ",
            "description": "",
            **{
                f"{prefix}-{key}": "0"
                for prefix in ("insighttag_set", "evidence", "cards")
                for key in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )

    assert response.status_code == 302
    insight.refresh_from_db()
    assert insight.statement == "Freezers are black holes."
    assert admin_client.get(url(Insight, "add")).status_code == 403


def test_adding_a_webhook_shows_its_secret_once(field, admin_client):
    response = admin_client.post(
        url(Webhook, "add"),
        {
            "name": "Product channel",
            "url": "https://hooks.example.org/in",
            "board": field.product.pk,
            "active": "on",
        },
        follow=True,
    )

    webhook = Webhook.objects.get()
    assert (webhook.name, webhook.url, webhook.board, webhook.active) == (
        "Product channel",
        "https://hooks.example.org/in",
        field.product,
        True,
    )
    assert len(webhook.secret) == 43
    assert (
        f"Copy the signing secret now; it is not shown again: <code>{webhook.secret}</code>"
        in notes(response)
    )
    page = admin_client.get(url(Webhook, "change", webhook.pk)).content.decode()
    assert webhook.secret not in page
    assert "••••••••" + webhook.secret[-4:] in page


def test_a_webhook_with_a_given_secret_keeps_it(admin_client):
    admin_client.post(
        url(Webhook, "add"),
        {"name": "Team channel", "url": "https://hooks.example.org/in", "secret": "given secret"},
    )

    assert Webhook.objects.get().secret == "given secret"


def test_a_webhook_url_that_is_not_http_is_refused_in_the_admin(admin_client):
    response = admin_client.post(
        url(Webhook, "add"),
        {"name": "Team channel", "url": "ftp://hooks.example.org/in", "active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "url": ["Enter an http:// or https:// address with a host name."]
    }
    assert not Webhook.objects.exists()


def test_editing_a_webhook_keeps_its_secret(field, admin_client):
    webhook = webhooks.webhook_create(name="Team channel", url="https://hooks.example.org/in")
    secret = webhook.secret

    response = admin_client.post(
        url(Webhook, "change", webhook.pk),
        {"name": "Marketing channel", "url": "http://hooks.example.org/m", "secret": "stolen"},
    )

    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.active, webhook.secret) == (
        "Marketing channel",
        "http://hooks.example.org/m",
        False,
        secret,
    )


def test_the_delivery_log_can_be_read_but_not_written(field, admin_client, down_url):
    make_insight(field, field.pain)
    webhooks.webhook_create(name="Team channel", url=down_url)
    [delivery] = webhooks.deliveries_create_for_events(
        event_ids=CardEvent.objects.values_list("pk", flat=True)
    )

    page = admin_client.get(url(WebhookDelivery, "change", delivery.pk))
    listing = admin_client.get(url(WebhookDelivery, "changelist"), {"status": "pending"})

    assert page.status_code == listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [delivery]
    assert admin_client.get(url(WebhookDelivery, "add")).status_code == 403
    assert (
        admin_client.post(url(WebhookDelivery, "change", delivery.pk), {"event": "x"}).status_code
        == 403
    )
    assert (
        admin_client.post(url(WebhookDelivery, "delete", delivery.pk), {"post": "yes"}).status_code
        == 403
    )
    delivery.refresh_from_db()
    assert delivery.event == "insight.placed"


def test_retry_now_sends_the_selected_deliveries_again(
    field, admin_client, down_url, django_capture_on_commit_callbacks, monkeypatch
):
    # Sent inline: a background thread could not see the test's uncommitted rows.
    monkeypatch.setattr(sending, "_send_in_background", tasks.deliver_webhook)
    make_insight(field, field.pain)
    webhooks.webhook_create(name="Team channel", url=down_url)
    [failed] = webhooks.deliveries_create_for_events(
        event_ids=CardEvent.objects.values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.FAILED, attempts=webhooks.MAX_ATTEMPTS, next_attempt_at=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url(WebhookDelivery, "changelist"),
            {"action": "retry_now", "_selected_action": [failed.pk]},
            follow=True,
        )

    assert "1 delivery queued to send again." in notes(response)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.response_status) == (
        DeliveryStatus.FAILED,
        webhooks.MAX_ATTEMPTS + 1,
        None,
    )
    assert failed.last_error.startswith("Could not reach the endpoint: ")


def test_boards_cannot_be_deleted_in_the_admin(field, admin_client):
    response = admin_client.post(url(Board, "delete", field.product.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Board.objects.filter(pk=field.product.pk).exists()


def test_a_rule_limited_to_a_study_routes_only_that_studys_insights(field, admin_client):
    insight = make_insight(field, field.delight)
    boards.routing_rule_delete(rule=RoutingRule.objects.get(tag_group=TagGroup.DELIGHT))
    assert live_boards(insight) == set()

    admin_client.post(
        url(RoutingRule, "add"),
        rule_form(field.product, tag_group=TagGroup.DELIGHT, study=StudyFactory()),
    )
    assert live_boards(insight) == set()

    admin_client.post(
        url(RoutingRule, "add"),
        rule_form(field.product, tag_group=TagGroup.DELIGHT, study=field.team.study),
    )
    assert live_boards(insight) == {"product"}


def test_changing_a_tags_group_in_the_admin_routes_its_insights(field, admin_client):
    insight = insights.insight_create(
        study=field.team.study,
        actor=field.team.lead,
        statement="Misc matters.",
        observation_ids=[field.notes[0].pk],
        tag_ids=[field.loose.pk],
    )
    assert not insight.cards.exists()

    response = admin_client.post(
        f"/admin/fieldwork/tag/{field.loose.pk}/change/",
        {
            "study": str(field.team.study.pk),
            "name": field.loose.name,
            "group": "unmet_need",
            "colour": field.loose.colour,
            "description": "",
            "observationtag_set-TOTAL_FORMS": "0",
            "observationtag_set-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(insight.cards.values_list("board__slug", flat=True)) == ["product"]
