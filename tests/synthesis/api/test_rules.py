"""/api/v1/routing-rules/: admins edit the rules; every change re-routes at once."""

import pytest

from studies.fieldwork.models import TagGroup
from studies.synthesis.models import BoardCard, RoutingRule
from tests.synthesis.api.conftest import iso, make_insight, tag_chip

pytestmark = pytest.mark.django_db

RULES = "/api/v1/routing-rules/"
MISSING = "00000000-0000-0000-0000-000000000000"


def rule_url(rule) -> str:
    return f"{RULES}{rule.pk}/"


def live_boards(insight) -> set[str]:
    return set(
        BoardCard.objects.filter(insight=insight, removed_at__isnull=True).values_list(
            "board__slug", flat=True
        )
    )


def board_ref(board) -> dict[str, str]:
    return {"id": str(board.pk), "slug": board.slug, "name": board.name, "kind": board.kind}


def rule_body(rule, field) -> dict:
    rule.refresh_from_db()
    return {
        "id": str(rule.pk),
        "board": board_ref(rule.board),
        "tag": tag_chip(rule.tag) if rule.tag else None,
        "tag_group": rule.tag_group,
        "study": {"id": str(field.team.study.pk), "title": field.team.study.title}
        if rule.study_id
        else None,
        "active": rule.active,
        "created_at": iso(rule.created_at),
        "updated_at": iso(rule.updated_at),
    }


def test_admins_list_the_default_rules(client_for, field, admin):
    response = client_for(admin).get(RULES)

    assert response.status_code == 200
    rules = RoutingRule.objects.order_by("board__kind", "tag_group", "created_at", "pk")
    assert response.json() == {
        "count": 6,
        "next": None,
        "previous": None,
        "results": [rule_body(rule, field) for rule in rules],
    }
    assert [(row["board"]["slug"], row["tag_group"]) for row in response.json()["results"]] == [
        ("marketing", "delight"),
        ("marketing", "quote_worthy"),
        ("product", "feature_idea"),
        ("product", "pain_point"),
        ("product", "unmet_need"),
        ("product", "workaround"),
    ]


def test_a_new_tag_rule_places_matching_insights_and_says_how_many(client_for, field, admin):
    insights = [make_insight(field, field.loose), make_insight(field, field.loose, field.pain)]

    response = client_for(admin).post(
        RULES, {"board": str(field.marketing.pk), "tag": str(field.loose.pk)}
    )

    assert response.status_code == 201
    rule = RoutingRule.objects.get(tag=field.loose)
    assert response.json() == {
        "rule": rule_body(rule, field),
        "cards_placed": 2,
        "cards_restored": 0,
        "cards_removed": 0,
    }
    assert rule.study_id == field.team.study.pk
    assert [live_boards(insight) for insight in insights] == [
        {"marketing"},
        {"marketing", "product"},
    ]


def test_switching_a_rule_off_and_on_removes_and_restores_cards(client_for, field, admin):
    insight = make_insight(field, field.pain)
    rule = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)
    client = client_for(admin)

    off = client.patch(rule_url(rule), {"active": False})
    on = client.patch(rule_url(rule), {"active": True})

    assert off.status_code == on.status_code == 200
    assert (off.json()["cards_removed"], off.json()["rule"]["active"]) == (1, False)
    assert (on.json()["cards_restored"], on.json()["rule"]["active"]) == (1, True)
    assert live_boards(insight) == {"product"}


def test_a_group_rule_becomes_a_tag_rule_when_given_a_tag(client_for, field, admin):
    pain_insight = make_insight(field, field.pain)
    loose_insight = make_insight(field, field.loose)
    rule = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)

    response = client_for(admin).patch(rule_url(rule), {"tag": str(field.loose.pk)})

    assert response.status_code == 200
    body = response.json()
    assert (body["rule"]["tag"], body["rule"]["tag_group"], body["rule"]["study"]["id"]) == (
        tag_chip(field.loose),
        "",
        str(field.team.study.pk),
    )
    assert (body["cards_placed"], body["cards_removed"]) == (1, 1)
    assert (live_boards(pain_insight), live_boards(loose_insight)) == (set(), {"product"})


def test_deleting_a_rule_takes_its_cards_off(client_for, field, admin):
    insight = make_insight(field, field.delight)
    rule = RoutingRule.objects.get(board=field.marketing, tag_group=TagGroup.DELIGHT)

    response = client_for(admin).delete(rule_url(rule))

    assert response.status_code == 200
    assert response.json() == {"cards_placed": 0, "cards_restored": 0, "cards_removed": 1}
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert live_boards(insight) == set()


def test_an_admin_reads_one_rule(client_for, field, admin):
    rule = RoutingRule.objects.get(board=field.marketing, tag_group=TagGroup.DELIGHT)

    response = client_for(admin).get(rule_url(rule))

    assert response.status_code == 200
    assert response.json() == rule_body(rule, field)
    assert client_for(admin).get(f"{RULES}{MISSING}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"board": MISSING, "tag_group": "delight"}, {"board": ["There is no such board."]}),
        ({"board": "product", "tag": MISSING}, {"tag": ["There is no such tag."]}),
        (
            {"board": "product"},
            {"tag": ["A rule matches either one tag or one tag group: give exactly one."]},
        ),
        (
            {"board": "product", "tag": "loose", "tag_group": "delight"},
            {"tag": ["A rule matches either one tag or one tag group: give exactly one."]},
        ),
        (
            {"board": "product", "tag_group": "gossip"},
            {"tag_group": ['"gossip" is not a valid choice.']},
        ),
        (
            {"board": "product", "tag_group": "delight", "study": MISSING},
            {"study": ["There is no such study."]},
        ),
        ({"board": "sales", "tag_group": "delight"}, {"board": ["Must be a valid UUID."]}),
    ],
)
def test_bad_rules_are_refused_and_nothing_changes(client_for, field, admin, body, errors):
    insight = make_insight(field, field.loose)
    stand_ins = {"product": str(field.product.pk), "loose": str(field.loose.pk)}
    body = {key: stand_ins.get(value, value) for key, value in body.items()}
    before = RoutingRule.objects.count()

    response = client_for(admin).post(RULES, body)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert RoutingRule.objects.count() == before
    assert live_boards(insight) == set()


def test_a_bad_change_leaves_the_rule_as_it_was(client_for, field, admin):
    rule = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)
    insight = make_insight(field, field.pain)

    response = client_for(admin).patch(rule_url(rule), {"board": MISSING, "active": False})

    assert response.status_code == 400
    assert response.json() == {"errors": {"board": ["There is no such board."]}}
    rule.refresh_from_db()
    assert (rule.board, rule.active) == (field.product, True)
    assert live_boards(insight) == {"product"}


def test_rules_are_for_admins_only(client_for, api_client, field):
    rule = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)
    body = {"board": str(field.marketing.pk), "tag_group": "pain_point"}
    before = RoutingRule.objects.count()

    anonymous = [
        api_client.get(RULES),
        api_client.post(RULES, body),
        api_client.delete(rule_url(rule)),
    ]
    lead = client_for(field.team.lead)
    members = [
        lead.get(RULES),
        lead.post(RULES, body),
        lead.patch(rule_url(rule), {"active": False}),
        lead.delete(rule_url(rule)),
    ]

    assert [response.status_code for response in anonymous] == [401, 401, 401]
    assert [response.status_code for response in members] == [403, 403, 403, 403]
    assert RoutingRule.objects.count() == before
    rule.refresh_from_db()
    assert rule.active
