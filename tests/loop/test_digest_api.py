"""/api/v1/me/digest/: each person reads and switches their own weekly digest."""

import pytest

from studies.common.models import User
from studies.common.roles import Role
from tests.factories import MembershipFactory, StudyFactory

DIGEST = "/api/v1/me/digest/"


def digest_on(user: User) -> bool:
    return User.objects.get(pk=user.pk).weekly_digest


def test_it_refuses_anonymous_requests_and_changes_nothing(api_client, team):
    answers = [api_client.get(DIGEST), api_client.patch(DIGEST, {"weekly_digest": False})]

    assert [answer.status_code for answer in answers] == [401, 401]
    assert not User.objects.filter(weekly_digest=False).exists()


@pytest.mark.parametrize(
    ("persona", "teams"),
    [
        ("product", ["product"]),
        ("marketing", ["marketing"]),
        ("lead", []),
        ("researcher", []),
        ("sales", []),
        ("outsider", []),
    ],
)
def test_it_answers_the_setting_and_the_teams_by_role(client_for, team, persona, teams):
    response = client_for(getattr(team, persona)).get(DIGEST)

    assert response.status_code == 200
    assert response.json() == {"weekly_digest": True, "teams": teams}


def test_teams_come_from_every_study_product_first(client_for, team):
    MembershipFactory(study=StudyFactory(), user=team.marketing, role=Role.PRODUCT)

    response = client_for(team.marketing).get(DIGEST)

    assert response.json() == {"weekly_digest": True, "teams": ["product", "marketing"]}


def test_it_switches_the_digest_off_and_on_again(client_for, team):
    client = client_for(team.product)

    off = client.patch(DIGEST, {"weekly_digest": False})

    assert off.status_code == 200
    assert off.json() == {"weekly_digest": False, "teams": ["product"]}
    assert digest_on(team.product) is False
    assert digest_on(team.marketing) is True  # only one's own

    on = client.patch(DIGEST, {"weekly_digest": True})

    assert on.json() == {"weekly_digest": True, "teams": ["product"]}
    assert digest_on(team.product) is True


def test_a_patch_without_the_field_changes_nothing(client_for, team):
    response = client_for(team.product).patch(DIGEST, {})

    assert response.status_code == 200
    assert response.json() == {"weekly_digest": True, "teams": ["product"]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("maybe", "Must be a valid boolean."),
        (None, "This field may not be null."),
        ([True], "Must be a valid boolean."),
        ({"on": True}, "Must be a valid boolean."),
    ],
)
def test_anything_but_a_boolean_is_refused_and_changes_nothing(client_for, team, value, message):
    response = client_for(team.product).patch(DIGEST, {"weekly_digest": value}, format="json")

    assert response.status_code == 400
    assert response.json() == {"errors": {"weekly_digest": [message]}}
    assert digest_on(team.product) is True


def test_a_body_that_is_not_json_is_a_400(client_for, team):
    response = client_for(team.product).generic(
        "PATCH", DIGEST, "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert digest_on(team.product) is True


def test_other_methods_are_refused(client_for, team):
    client = client_for(team.product)

    answers = [client.post(DIGEST, {}), client.put(DIGEST, {}), client.delete(DIGEST)]

    assert [answer.status_code for answer in answers] == [405, 405, 405]
