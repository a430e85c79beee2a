"""Routing rules send tagged insights to boards; cards are placements of one insight."""

import pytest
from django.core.exceptions import ValidationError

from studies.fieldwork.models import TagGroup
from studies.synthesis.models import BoardCard, CardEvent, Column, Insight, RoutingRule
from studies.synthesis.services import boards, insights
from studies.synthesis.services.routing import insights_route
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db


def make_insight(field, *tags, evidence=None):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="People lose track of what is in the freezer.",
        observation_ids=[o.pk for o in (evidence or field.quotes)],
        tag_ids=[tag.pk for tag in tags],
    )


def live_boards(insight):
    return set(
        BoardCard.objects.filter(insight=insight, removed_at__isnull=True).values_list(
            "board__slug", flat=True
        )
    )


def test_default_rules_send_pain_points_to_product_and_quotes_to_marketing(field):
    pain_only = make_insight(field, field.pain)
    both = make_insight(field, field.pain, field.quotable)
    delight = make_insight(field, field.delight)
    untagged = make_insight(field, field.loose)

    assert live_boards(pain_only) == {"product"}
    assert live_boards(both) == {"product", "marketing"}
    assert live_boards(delight) == {"marketing"}
    assert live_boards(untagged) == set()


def test_an_insight_on_two_boards_is_one_record(field):
    insight = make_insight(field, field.pain, field.quotable)
    product_card = BoardCard.objects.get(insight=insight, board=field.product)
    marketing_card = BoardCard.objects.get(insight=insight, board=field.marketing)

    insights.insight_update(
        insight=insight, actor=field.team.lead, statement="Freezers are black holes."
    )

    assert Insight.objects.count() == 1
    assert product_card.insight_id == marketing_card.insight_id == insight.pk
    product_card.refresh_from_db()
    marketing_card.refresh_from_db()
    assert (
        product_card.insight.statement
        == marketing_card.insight.statement
        == "Freezers are black holes."
    )


def test_routing_twice_changes_nothing(field):
    insight = make_insight(field, field.pain, field.quotable)
    events = CardEvent.objects.count()

    outcome = insights_route()

    assert not outcome.changed
    assert CardEvent.objects.count() == events
    assert BoardCard.objects.filter(insight=insight).count() == 2


def test_a_rule_change_takes_a_card_off_and_keeps_its_history(field):
    insight = make_insight(field, field.pain)
    card = BoardCard.objects.get(insight=insight, board=field.product)
    boards.card_move(card=card, column=Column.EXPLORING, actor=field.team.product)
    rule = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)

    boards.routing_rule_update(
        rule=rule, board_id=field.product.pk, tag_group=TagGroup.PAIN_POINT, active=False
    )

    card.refresh_from_db()
    assert card.removed_at is not None
    assert card.column == Column.EXPLORING
    assert list(card.events.order_by("created_at").values_list("kind", flat=True)) == [
        "placed",
        "moved",
        "removed",
    ]

    boards.routing_rule_update(
        rule=rule, board_id=field.product.pk, tag_group=TagGroup.PAIN_POINT, active=True
    )

    card.refresh_from_db()
    assert card.removed_at is None
    assert card.column == Column.EXPLORING
    assert card.events.latest("created_at").kind == "restored"


def test_a_new_tag_rule_re_evaluates_existing_insights(field):
    insight = make_insight(field, field.loose)
    assert live_boards(insight) == set()

    rule, outcome = boards.routing_rule_create(board_id=field.marketing.pk, tag_id=field.loose.pk)

    assert rule.study_id == field.team.study.pk
    assert len(outcome.placed) == 1
    assert live_boards(insight) == {"marketing"}


def test_a_group_rule_limited_to_one_study_leaves_other_studies_alone(field):
    other_tag = TagFactory(name="Other pain", group=TagGroup.WORKAROUND)
    RoutingRule.objects.filter(tag_group=TagGroup.WORKAROUND).delete()
    boards.routing_rule_create(
        board_id=field.marketing.pk, tag_group=TagGroup.WORKAROUND, study_id=field.team.study.pk
    )
    here = make_insight(
        field, TagFactory(study=field.team.study, name="Hack", group=TagGroup.WORKAROUND)
    )

    assert live_boards(here) == {"marketing"}
    assert other_tag.study_id != field.team.study.pk
    assert not BoardCard.objects.filter(insight__study=other_tag.study).exists()


def test_retagging_routes_again(field):
    insight = make_insight(field, field.pain)

    insights.insight_update(insight=insight, actor=field.team.lead, tag_ids=[field.quotable.pk])

    assert live_boards(insight) == {"marketing"}


@pytest.mark.parametrize(
    ("kwargs", "field_name"),
    [
        ({"board_id": None, "tag_group": TagGroup.PAIN_POINT}, "board"),
        ({"tag_group": ""}, "tag"),
        ({"tag_group": TagGroup.PAIN_POINT, "tag_id": "tag"}, "tag"),
        ({"tag_id": "00000000-0000-0000-0000-000000000000"}, "tag"),
    ],
)
def test_bad_rules_are_refused_and_nothing_changes(field, kwargs, field_name):
    if kwargs.get("tag_id") == "tag":
        kwargs["tag_id"] = field.loose.pk
    kwargs.setdefault("board_id", field.product.pk)
    rules = RoutingRule.objects.count()

    with pytest.raises(ValidationError) as refused:
        boards.routing_rule_create(**kwargs)

    assert field_name in refused.value.message_dict
    assert RoutingRule.objects.count() == rules


def test_moving_to_an_unknown_column_is_refused(field):
    card = BoardCard.objects.get(insight=make_insight(field, field.quotable), board=field.marketing)

    with pytest.raises(ValidationError) as refused:
        boards.card_move(card=card, column=Column.SHIPPED, actor=field.team.marketing)

    assert "column" in refused.value.message_dict
    card.refresh_from_db()
    assert card.column == Column.NEW
