"""GET /api/v1/studies/{id}/tags/: the chips capture offers, your recent ones first."""

import datetime as dt

import pytest
from django.utils import timezone

from studies.fieldwork.models import TagGroup
from tests.factories import ObservationFactory, TagFactory
from tests.fieldwork import sync_support
from tests.fieldwork.sync_support import signed_in

capture = sync_support.capture


def tags_url(study) -> str:
    return f"/api/v1/studies/{study.pk}/tags/"


def used(tag, visit, author, hours_ago: float, *, deleted: bool = False) -> None:
    moment = timezone.now() - dt.timedelta(hours=hours_ago)
    observation = ObservationFactory(
        visit=visit, author=author, captured_at=moment, deleted_at=moment if deleted else None
    )
    observation.tags.add(tag)


@pytest.fixture
def tags(team, capture):
    names = {
        "zeta": TagFactory(study=team.study, name="Zeta"),
        "alpha": TagFactory(study=team.study, name="alpha"),
        "workaround": TagFactory(study=team.study, name="Hacks", group=TagGroup.WORKAROUND),
        "pain": TagFactory(study=team.study, name="Queues", group=TagGroup.PAIN_POINT),
        "long ago": TagFactory(study=team.study, name="Long ago"),
        "recent": TagFactory(study=team.study, name="Recent", group=TagGroup.DELIGHT),
        "someone else's": TagFactory(study=team.study, name="Theirs"),
        "deleted": TagFactory(study=team.study, name="Withdrawn"),
    }
    TagFactory(name="Other study")
    used(names["long ago"], capture.visit, team.researcher, hours_ago=48)
    used(names["recent"], capture.visit, team.researcher, hours_ago=1)
    used(names["long ago"], capture.visit, team.researcher, hours_ago=30)
    used(names["someone else's"], capture.other_visit, team.researcher2, hours_ago=0.5)
    used(names["deleted"], capture.visit, team.researcher, hours_ago=0.1, deleted=True)
    return names


def test_your_recent_tags_come_first_then_the_default_groups_then_the_rest(team, tags):
    response = signed_in(team.researcher).get(tags_url(team.study))

    assert response.status_code == 200
    body = response.json()
    assert [tag["name"] for tag in body["results"]] == [
        "Recent",
        "Long ago",
        "Queues",
        "Hacks",
        "alpha",
        "Theirs",
        "Withdrawn",
        "Zeta",
    ]
    recent = body["results"][0]
    assert recent == {
        "id": str(tags["recent"].pk),
        "name": "Recent",
        "group": "delight",
        "colour": "#5b6b7f",
        "description": "",
        "last_used_at": recent["last_used_at"],
    }
    assert recent["last_used_at"] is not None
    assert body["results"][2]["last_used_at"] is None


def test_recency_is_each_users_own(team, tags):
    names = [
        t["name"] for t in signed_in(team.researcher2).get(tags_url(team.study)).json()["results"]
    ]

    assert names[:4] == ["Theirs", "Queues", "Hacks", "Recent"]


@pytest.mark.parametrize("persona", ["lead", "researcher", "product", "marketing"])
def test_every_member_reads_the_studys_tags(team, tags, persona):
    response = signed_in(getattr(team, persona)).get(tags_url(team.study))

    assert response.status_code == 200
    assert response.json()["count"] == 8


def test_outsiders_and_anonymous_visitors_do_not(api_client, team, tags):
    assert api_client.get(tags_url(team.study)).status_code == 401
    response = signed_in(team.outsider).get(tags_url(team.study))
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}


def test_the_list_costs_the_same_queries_for_many_tags(
    team, capture, tags, django_assert_num_queries
):
    client = signed_in(team.researcher)
    # the study, the user's role in it, the count, the page of tags with their last use
    with django_assert_num_queries(4):
        client.get(tags_url(team.study))
    for n in range(20):
        used(TagFactory(study=team.study), capture.visit, team.researcher, hours_ago=n)

    with django_assert_num_queries(4):
        response = client.get(tags_url(team.study))

    assert response.json()["count"] == 28
