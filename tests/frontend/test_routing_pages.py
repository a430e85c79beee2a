"""The routing page: a lead previews a change to her study's rules, then saves it."""

import pytest
from django.test import Client

from studies.fieldwork.models import TagGroup
from studies.scheduling.models import StudyStatus
from studies.synthesis.models import Board, BoardCard, RoutingRule
from studies.synthesis.services import boards, insights
from tests.factories import ObservationFactory, TagFactory

pytestmark = pytest.mark.django_db


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tagged(world):
    """An insight of the study with a tag no rule names yet."""
    tag = TagFactory(study=world.team.study, name="Leftovers")
    insight = insights.insight_create(
        study=world.team.study,
        actor=world.team.lead,
        statement="Leftovers vanish behind the milk.",
        observation_ids=[ObservationFactory(visit=world.visit).pk],
        tag_ids=[tag.pk],
    )
    return tag, insight


def page_url(world) -> str:
    return f"/studies/{world.team.study.pk}/routing/"


def live(insight) -> set[str]:
    return set(
        BoardCard.objects.filter(insight=insight, removed_at__isnull=True).values_list(
            "board__slug", flat=True
        )
    )


def test_the_lead_sees_the_rules_for_every_study_read_only(world):
    response = client_as(world.team.lead).get(page_url(world))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rules for every study" in html
    assert "An administrator changes them." in html
    assert len(response.context["global_rules"]) == RoutingRule.objects.count()
    assert "Switch off" not in html  # nothing of hers to switch yet


@pytest.mark.parametrize(
    ("persona", "code"), [("product", 403), ("researcher", 403), ("outsider", 404)]
)
def test_only_the_lead_sees_the_page(world, persona, code):
    assert client_as(getattr(world.team, persona)).get(page_url(world)).status_code == code


def test_adding_a_rule_is_previewed_then_saved(world, tagged):
    tag, insight = tagged
    product = Board.objects.get(slug="product")
    client = client_as(world.team.lead)
    query = {"change": "add", "rule-match": f"tag:{tag.pk}", "rule-board": str(product.pk)}

    preview = client.get(page_url(world), query)

    assert preview.status_code == 200
    assert [(i.pk, b.pk) for i, b in preview.context["pending"].preview.placed] == [
        (insight.pk, product.pk)
    ]
    assert "1 insight would be put on a board" in preview.content.decode()
    assert live(insight) == set()  # nothing saved yet

    saved = client.post(
        f"{page_url(world)}rules/",
        {"rule-match": query["rule-match"], "rule-board": query["rule-board"]},
    )

    assert saved.status_code == 302
    assert live(insight) == {"product"}
    page = client.get(saved.url)
    assert (
        "Rule added: Leftovers → Product board. 1 put on a board, 0 taken off."
        in page.content.decode()
    )


def test_switching_off_and_deleting_are_previewed(world, tagged):
    tag, insight = tagged
    rule, _outcome = boards.study_rule_create(
        study=world.team.study,
        board_id=Board.objects.get(slug="product").pk,
        tag_id=tag.pk,
        actor=world.team.lead,
    )
    client = client_as(world.team.lead)

    switch = client.get(page_url(world), {"change": "switch", "rule": rule.pk})
    assert [i.pk for i, _b in switch.context["pending"].preview.removed] == [insight.pk]
    assert "Preview: switch off Leftovers → Product board" in switch.content.decode()

    off = client.post(f"{page_url(world)}rules/{rule.pk}/switch/", {"active": "off"})
    assert off.status_code == 302
    assert live(insight) == set()

    delete = client.get(page_url(world), {"change": "delete", "rule": rule.pk})
    assert delete.context["pending"].preview.empty
    assert "No existing insight of this study would move." in delete.content.decode()
    assert client.post(f"{page_url(world)}rules/{rule.pk}/delete/").status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


def test_a_rule_for_every_study_is_refused_with_403(world):
    default = RoutingRule.objects.get(board__slug="product", tag_group=TagGroup.PAIN_POINT)
    client = client_as(world.team.lead)

    assert client.get(page_url(world), {"change": "switch", "rule": default.pk}).status_code == 403
    assert (
        client.post(f"{page_url(world)}rules/{default.pk}/switch/", {"active": "off"}).status_code
        == 403
    )
    assert client.post(f"{page_url(world)}rules/{default.pk}/delete/").status_code == 403
    default.refresh_from_db()
    assert default.active


def test_a_preview_without_a_choice_is_a_400_by_the_field(world):
    response = client_as(world.team.lead).get(page_url(world), {"change": "add", "rule-board": ""})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"match", "board"}


def test_a_tag_of_another_study_is_a_400(world):
    product = Board.objects.get(slug="product")
    response = client_as(world.team.lead).post(
        f"{page_url(world)}rules/",
        {"rule-match": f"tag:{TagFactory().pk}", "rule-board": product.pk},
    )
    # Not one of the choices offered: the form refuses it before the service.
    assert response.status_code == 400
    assert "match" in response.context["form"].errors


def test_the_same_rule_twice_is_a_409(world):
    product = Board.objects.get(slug="product")
    body = {"rule-match": "group:workaround", "rule-board": product.pk}
    client = client_as(world.team.lead)
    assert client.post(f"{page_url(world)}rules/", body).status_code == 302

    again = client.post(f"{page_url(world)}rules/", body)

    assert again.status_code == 409
    assert again.context["form"].errors["board"] == ["This study already has that rule."]


def test_a_switch_without_on_or_off_is_a_400(world, tagged):
    tag, _insight = tagged
    rule, _outcome = boards.study_rule_create(
        study=world.team.study,
        board_id=Board.objects.get(slug="product").pk,
        tag_id=tag.pk,
        actor=world.team.lead,
    )
    response = client_as(world.team.lead).post(
        f"{page_url(world)}rules/{rule.pk}/switch/", {"active": "maybe"}
    )
    assert response.status_code == 400
    rule.refresh_from_db()
    assert rule.active


def test_a_closed_study_offers_no_change_and_refuses_one(world, tagged):
    tag, _insight = tagged
    rule, _outcome = boards.study_rule_create(
        study=world.team.study,
        board_id=Board.objects.get(slug="product").pk,
        tag_id=tag.pk,
        actor=world.team.lead,
    )
    world.team.study.status = StudyStatus.CLOSED
    world.team.study.save()
    client = client_as(world.team.lead)

    page = client.get(page_url(world))
    assert "Add a rule" not in page.content.decode()
    response = client.post(f"{page_url(world)}rules/{rule.pk}/switch/", {"active": "off"})
    assert response.status_code == 409
    rule.refresh_from_db()
    assert rule.active


@pytest.mark.parametrize("persona", ["product", "researcher"])
def test_members_who_do_not_lead_change_nothing(world, tagged, persona):
    tag, _insight = tagged
    rule, _outcome = boards.study_rule_create(
        study=world.team.study,
        board_id=Board.objects.get(slug="product").pk,
        tag_id=tag.pk,
        actor=world.team.lead,
    )
    client = client_as(getattr(world.team, persona))

    assert (
        client.post(f"{page_url(world)}rules/{rule.pk}/switch/", {"active": "off"}).status_code
        == 403
    )
    assert client.post(f"{page_url(world)}rules/{rule.pk}/delete/").status_code == 403
    rule.refresh_from_db()
    assert rule.active
