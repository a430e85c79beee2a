"""GET /api/v1/studies/<id>/loop-health/: who may read it, what it answers, bad input."""

import pytest
from django.urls import reverse

from studies.synthesis.models import Column
from tests.factories import RoundFactory
from tests.loop.health_support import T0, Chain, days, hours

DAY = 24 * 60 * 60


@pytest.fixture
def chain(team, time_machine) -> Chain:
    chain = Chain(team, time_machine)
    note = chain.observe(captured=T0 - days(3), synced=T0)
    decided = chain.insight(made=T0 + days(1), observations=[note], statement="Decided.")
    chain.route(decided, at=T0 + days(2), product=True)
    chain.move(decided, chain.product, Column.PLANNED, at=T0 + days(5))
    late = chain.observe(
        captured=T0 + days(6), synced=T0 + days(6) + hours(1), round_=chain.rounds[1]
    )
    chain.waiting = chain.insight(made=T0 + days(7), observations=[late], statement="Waiting.")
    chain.route(chain.waiting, at=T0 + days(8), product=True)
    chain.at(T0 + days(10))
    return chain


def url(chain: Chain) -> str:
    return reverse("api-study-loop-health", args=[chain.study.pk])


def step(name: str, label: str, count: int, median: int | None, p90: int | None) -> dict:
    return {
        "step": name,
        "label": label,
        "count": count,
        "median_seconds": median,
        "p90_seconds": p90,
    }


def test_anonymous_is_asked_to_sign_in(chain, client_for):
    response = client_for(None).get(url(chain))

    assert response.status_code == 401
    assert "errors" in response.json()


def test_an_outsider_is_told_the_study_is_not_there(chain, client_for):
    response = client_for(chain.team.outsider).get(url(chain))

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["detail"]


@pytest.mark.parametrize(
    "persona", ["lead", "researcher", "researcher2", "product", "marketing", "sales"]
)
def test_every_member_reads_the_whole_study(chain, client_for, persona):
    response = client_for(getattr(chain.team, persona)).get(url(chain))

    assert response.status_code == 200
    first, second = chain.rounds[:2]
    first_round_steps = [
        step("captured_synced", "Captured → synced", 1, 3 * DAY, 3 * DAY),
        step("synced_insight", "Synced → in an insight", 1, DAY, DAY),
        step("insight_routed", "In an insight → routed to a board", 1, DAY, DAY),
        step("routed_decided", "Routed → decided", 1, 3 * DAY, 3 * DAY),
        step("observation_decision", "Observation to decision", 1, 8 * DAY, 8 * DAY),
    ]
    second_round_steps = [
        step("captured_synced", "Captured → synced", 1, 3600, 3600),
        step("synced_insight", "Synced → in an insight", 1, DAY - 3600, DAY - 3600),
        step("insight_routed", "In an insight → routed to a board", 1, DAY, DAY),
        step("routed_decided", "Routed → decided", 0, None, None),
        step("observation_decision", "Observation to decision", 0, None, None),
    ]
    assert response.json() == {
        "round": None,
        "timings": [
            step("captured_synced", "Captured → synced", 2, 3 * DAY // 2 + 1800, 3 * DAY),
            step("synced_insight", "Synced → in an insight", 2, DAY - 1800, DAY),
            step("insight_routed", "In an insight → routed to a board", 2, DAY, DAY),
            step("routed_decided", "Routed → decided", 1, 3 * DAY, 3 * DAY),
            step("observation_decision", "Observation to decision", 1, 8 * DAY, 8 * DAY),
        ],
        "by_round": [
            {"round": str(first.pk), "label": first.label, "timings": first_round_steps},
            {"round": str(second.pk), "label": second.label, "timings": second_round_steps},
        ],
        "slowest_open": [
            {
                "insight": str(chain.waiting.pk),
                "statement": "Waiting.",
                "waiting_for": "Waiting for a decision on Product board, in New",
                "board": "product",
                "column": "new",
                "since": (T0 + days(8)).isoformat().replace("+00:00", "Z"),
                "age_seconds": 4 * DAY,
            }
        ],
        "decided": 1,
        "open": 1,
    }


def test_one_round(chain, client_for):
    second = chain.rounds[1]

    response = client_for(chain.team.product).get(url(chain), {"round": str(second.pk)})

    assert response.status_code == 200
    body = response.json()
    assert body["round"] == str(second.pk)
    assert [(t["step"], t["count"]) for t in body["timings"]] == [
        ("captured_synced", 1),
        ("synced_insight", 1),
        ("insight_routed", 1),
        ("routed_decided", 0),
        ("observation_decision", 0),
    ]
    assert (body["decided"], body["open"], len(body["by_round"])) == (0, 1, 2)


def test_an_empty_round_parameter_means_every_round(chain, client_for):
    response = client_for(chain.team.lead).get(url(chain), {"round": ""})

    assert response.status_code == 200
    assert (response.json()["round"], response.json()["decided"]) == (None, 1)


@pytest.mark.parametrize("which", ["malformed", "other study", "missing"])
def test_a_bad_round_is_a_400_naming_it(chain, client_for, which):
    other = RoundFactory(label="Elsewhere")  # in a study of its own
    value = {
        "malformed": "not-a-uuid",
        "other study": str(other.pk),
        "missing": "00000000-0000-4000-8000-000000000000",
    }[which]

    response = client_for(chain.team.lead).get(url(chain), {"round": value})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["round"]
    assert errors["round"] == (
        ["Must be a valid UUID."] if which == "malformed" else ["No such round in this study."]
    )


def test_the_number_of_queries_is_fixed(chain, client_for, django_assert_num_queries):
    chain.route(chain.waiting, at=T0 + days(9), product=True, marketing=True)
    client = client_for(chain.team.sales)
    # The study and the member's role, then the seven of loop_health: rounds, live
    # observations, evidence, insights, live cards with their board, their events, and the
    # uses of the study's quotes.
    with django_assert_num_queries(9):
        response = client.get(url(chain))

    assert response.status_code == 200
