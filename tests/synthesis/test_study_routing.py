"""A research lead's routing rules: the study's own, each change previewed by the code that
routes, the preview equal to what saving then does; rules for every study are an admin's."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from studies.common.errors import ConflictError
from studies.fieldwork.models import TagGroup
from studies.scheduling.models import StudyStatus
from studies.synthesis.models import BoardCard, RoutingRule
from studies.synthesis.services import boards, insights
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db


def make_insight(field, *tags, statement="People lose track of what is in the freezer."):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement=statement,
        observation_ids=[field.quotes[0].pk],
        tag_ids=[tag.pk for tag in tags],
    )


def live_cards() -> set[tuple]:
    return set(
        BoardCard.objects.filter(removed_at__isnull=True).values_list("insight_id", "board_id")
    )


def pairs(rows) -> set[tuple]:
    return {(insight.pk, board.pk) for insight, board in rows}


def assert_preview_is_what_saving_does(preview, save):
    """The preview's placements equal the cards that appear and go when the change is saved."""
    before = live_cards()
    save()
    after = live_cards()
    assert pairs(preview.placed) == after - before
    assert pairs(preview.removed) == before - after


def test_the_rules_of_a_study_are_its_tags_its_groups_and_every_studys(field):
    own_tag = boards.study_rule_create(
        study=field.team.study,
        board_id=field.marketing.pk,
        tag_id=field.loose.pk,
        actor=field.team.lead,
    )[0]
    own_group = boards.study_rule_create(
        study=field.team.study,
        board_id=field.marketing.pk,
        tag_group=TagGroup.WORKAROUND,
        actor=field.team.lead,
    )[0]
    elsewhere = RoutingRule.objects.create(
        board=field.product, tag=TagFactory(), tag_group="", study=None
    )

    rules = list(boards.study_routing_rules(study=field.team.study))

    defaults = set(RoutingRule.objects.filter(study__isnull=True, tag__isnull=True))
    assert set(rules) == {own_tag, own_group, *defaults}
    assert elsewhere not in rules
    assert [boards.rule_scoped_to_study(rule, field.team.study) for rule in rules[:2]] == [
        True,
        True,
    ]
    assert not any(boards.rule_scoped_to_study(rule, field.team.study) for rule in defaults)


def test_the_preview_of_a_new_tag_rule_is_what_saving_it_does(field):
    loose = make_insight(field, field.loose, statement="Misc things pile up.")
    make_insight(field, field.pain)

    preview = boards.study_rule_preview_create(
        study=field.team.study, board_id=field.product.pk, tag_id=field.loose.pk, tag_group=""
    )

    assert pairs(preview.placed) == {(loose.pk, field.product.pk)}
    assert preview.removed == []
    assert not RoutingRule.objects.filter(tag=field.loose).exists()  # nothing written
    assert_preview_is_what_saving_does(
        preview,
        lambda: boards.study_rule_create(
            study=field.team.study,
            board_id=field.product.pk,
            tag_id=field.loose.pk,
            actor=field.team.lead,
        ),
    )


def test_the_preview_of_switching_a_rule_off_is_what_saving_it_does(field):
    rule, _outcome = boards.study_rule_create(
        study=field.team.study,
        board_id=field.marketing.pk,
        tag_group=TagGroup.PAIN_POINT,
        actor=field.team.lead,
    )
    pain = make_insight(field, field.pain)
    both = make_insight(field, field.pain, field.quotable, statement="Say it like a freezer.")

    preview = boards.study_rule_preview_update(study=field.team.study, rule=rule, active=False)

    # The quotable one stays on marketing by the default rule for quote-worthy tags.
    assert pairs(preview.removed) == {(pain.pk, field.marketing.pk)}
    assert both.pk not in {insight.pk for insight, _board in preview.removed}
    assert_preview_is_what_saving_does(
        preview,
        lambda: boards.study_rule_update(
            study=field.team.study, rule=rule, active=False, actor=field.team.lead
        ),
    )


def test_the_preview_of_switching_a_rule_back_on_puts_cards_back(field):
    rule, _outcome = boards.study_rule_create(
        study=field.team.study,
        board_id=field.product.pk,
        tag_id=field.loose.pk,
        actor=field.team.lead,
    )
    loose = make_insight(field, field.loose)
    boards.study_rule_update(study=field.team.study, rule=rule, active=False, actor=field.team.lead)

    preview = boards.study_rule_preview_update(study=field.team.study, rule=rule, active=True)

    assert pairs(preview.placed) == {(loose.pk, field.product.pk)}
    assert_preview_is_what_saving_does(
        preview,
        lambda: boards.study_rule_update(
            study=field.team.study, rule=rule, active=True, actor=field.team.lead
        ),
    )


def test_the_preview_of_deleting_a_rule_is_what_saving_it_does(field):
    rule, _outcome = boards.study_rule_create(
        study=field.team.study,
        board_id=field.product.pk,
        tag_id=field.loose.pk,
        actor=field.team.lead,
    )
    loose = make_insight(field, field.loose)

    preview = boards.study_rule_preview_delete(study=field.team.study, rule=rule)

    assert pairs(preview.removed) == {(loose.pk, field.product.pk)}
    assert_preview_is_what_saving_does(
        preview,
        lambda: boards.study_rule_delete(study=field.team.study, rule=rule, actor=field.team.lead),
    )


def test_a_rule_for_every_study_is_an_administrators(field):
    default = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)

    for attempt in [
        lambda: boards.study_rule_preview_update(
            study=field.team.study, rule=default, active=False
        ),
        lambda: boards.study_rule_preview_delete(study=field.team.study, rule=default),
        lambda: boards.study_rule_update(
            study=field.team.study, rule=default, active=False, actor=field.team.lead
        ),
        lambda: boards.study_rule_delete(
            study=field.team.study, rule=default, actor=field.team.lead
        ),
    ]:
        with pytest.raises(PermissionDenied):
            attempt()
    default.refresh_from_db()
    assert default.active


def test_a_tag_of_another_study_is_refused_on_the_tag(field):
    with pytest.raises(ValidationError) as refused:
        boards.study_rule_create(
            study=field.team.study,
            board_id=field.product.pk,
            tag_id=TagFactory().pk,
            actor=field.team.lead,
        )
    assert refused.value.message_dict == {"tag": ["Choose a tag of this study."]}


def test_the_same_rule_twice_is_a_conflict(field):
    boards.study_rule_create(
        study=field.team.study,
        board_id=field.product.pk,
        tag_id=field.loose.pk,
        actor=field.team.lead,
    )
    with pytest.raises(ConflictError):
        boards.study_rule_create(
            study=field.team.study,
            board_id=field.product.pk,
            tag_id=field.loose.pk,
            actor=field.team.lead,
        )


def test_a_closed_study_changes_no_rule(field):
    rule, _outcome = boards.study_rule_create(
        study=field.team.study,
        board_id=field.product.pk,
        tag_id=field.loose.pk,
        actor=field.team.lead,
    )
    field.team.study.status = StudyStatus.CLOSED
    field.team.study.save()

    with pytest.raises(ConflictError):
        boards.study_rule_update(
            study=field.team.study, rule=rule, active=False, actor=field.team.lead
        )
    rule.refresh_from_db()
    assert rule.active


# --- The API -----------------------------------------------------------------------------


def rules_url(field) -> str:
    return f"/api/v1/studies/{field.team.study.pk}/routing-rules/"


def test_the_api_lists_the_rules_with_what_the_lead_may_change(field, client_for):
    response = client_for(field.team.lead).get(rules_url(field))

    assert response.status_code == 200
    defaults = RoutingRule.objects.filter(study__isnull=True, tag__isnull=True).count()
    assert len(response.json()) == defaults
    assert {rule["editable"] for rule in response.json()} == {False}


@pytest.mark.parametrize(
    ("persona", "code"), [("product", 403), ("researcher", 403), ("outsider", 404)]
)
def test_only_the_lead_reads_the_rules(field, client_for, persona, code):
    response = client_for(getattr(field.team, persona)).get(rules_url(field))
    assert response.status_code == code


def test_the_api_preview_then_the_save_agree(field, client_for):
    loose = make_insight(field, field.loose)
    client = client_for(field.team.lead)
    body = {"board": str(field.product.pk), "tag": str(field.loose.pk)}

    preview = client.post(
        f"{rules_url(field)}preview/", {"change": "create", **body}, format="json"
    )

    assert preview.status_code == 200
    assert preview.json()["removed"] == []
    assert [(row["insight"]["id"], row["board"]["slug"]) for row in preview.json()["placed"]] == [
        (str(loose.pk), "product")
    ]
    assert not RoutingRule.objects.filter(tag=field.loose).exists()

    created = client.post(rules_url(field), body, format="json")

    assert created.status_code == 201
    assert created.json()["cards_placed"] == 1
    assert created.json()["rule"]["editable"] is True
    assert created.json()["rule"]["study"]["id"] == str(field.team.study.pk)
    assert (loose.pk, field.product.pk) in live_cards()


def test_the_api_switches_and_deletes_a_study_rule(field, client_for):
    rule, _outcome = boards.study_rule_create(
        study=field.team.study,
        board_id=field.product.pk,
        tag_id=field.loose.pk,
        actor=field.team.lead,
    )
    make_insight(field, field.loose)
    client = client_for(field.team.lead)
    url = f"{rules_url(field)}{rule.pk}/"

    preview = client.post(
        f"{rules_url(field)}preview/",
        {"change": "update", "rule": str(rule.pk), "active": False},
        format="json",
    )
    assert len(preview.json()["removed"]) == 1
    switched = client.patch(url, {"active": False}, format="json")
    assert switched.status_code == 200
    assert switched.json()["cards_removed"] == 1
    assert switched.json()["rule"]["active"] is False

    deleted = client.delete(url)
    assert deleted.status_code == 200
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


def test_the_api_refuses_a_global_rule_with_403_and_changes_nothing(field, client_for):
    default = RoutingRule.objects.get(board=field.product, tag_group=TagGroup.PAIN_POINT)
    client = client_for(field.team.lead)
    url = f"{rules_url(field)}{default.pk}/"

    assert client.patch(url, {"active": False}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    preview = client.post(
        f"{rules_url(field)}preview/", {"change": "delete", "rule": str(default.pk)}, format="json"
    )
    assert preview.status_code == 403
    default.refresh_from_db()
    assert default.active


def test_the_api_answers_404_for_a_rule_of_another_study(field, client_for):
    other = RoutingRule.objects.create(board=field.product, tag=TagFactory(), study=None)

    response = client_for(field.team.lead).patch(
        f"{rules_url(field)}{other.pk}/", {"active": False}, format="json"
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({"board": "00000000-0000-0000-0000-000000000000", "tag_group": "pain_point"}, "board"),
        ({"board": None, "tag_group": "pain_point"}, "board"),
        ({"tag_group": "pain_point"}, "board"),
        ({"board": "BOARD"}, "tag"),
        ({"board": "BOARD", "tag_group": "nonsense"}, "tag_group"),
    ],
)
def test_the_api_refuses_a_bad_rule_by_field(field, client_for, body, field_name):
    body = {k: (str(field.product.pk) if v == "BOARD" else v) for k, v in body.items()}
    response = client_for(field.team.lead).post(rules_url(field), body, format="json")

    assert response.status_code == 400
    assert field_name in response.json()["errors"]


def test_the_api_preview_needs_the_rule_to_change(field, client_for):
    response = client_for(field.team.lead).post(
        f"{rules_url(field)}preview/", {"change": "delete"}, format="json"
    )
    assert response.status_code == 400
    assert "rule" in response.json()["errors"]
