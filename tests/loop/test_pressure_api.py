"""/api/v1/insights/<id>/pressure-test/: read it, put an insight up, score it, change one's
scores; and the pressure test on the board cards API. Personas: anonymous, outsider,
researcher (may put up, may not score), product, marketing and sales (score)."""

import pytest

from studies.common.roles import Role
from studies.loop.models import PressureReview, PressureTest
from studies.loop.services.pressure import pressure_test_open
from studies.synthesis.models import BoardCard
from tests.factories import MembershipFactory, UserFactory
from tests.loop.pressure_support import score
from tests.synthesis import conftest as synthesis
from tests.synthesis.api.conftest import iso, make_insight

pytestmark = pytest.mark.django_db

field = synthesis.field

SCALE = ["Score it with a whole number from 1 (weak) to 5 (strong)."]
EVIDENCE = {"households": 3, "rounds": 1, "strength": 2}


def url(insight, tail: str = "") -> str:
    return f"/api/v1/insights/{insight.pk}/pressure-test/{tail}"


def scores(importance=4, differentiation=3, feasibility=2, comment="") -> dict:
    return {
        "importance": importance,
        "differentiation": differentiation,
        "feasibility": feasibility,
        "comment": comment,
    }


@pytest.fixture
def insight(field):
    return make_insight(field, field.pain)


@pytest.fixture
def put_up(field, insight) -> PressureTest:
    return pressure_test_open(insight=insight, actor=field.team.researcher)


def review_json(review: PressureReview) -> dict:
    return {
        "id": str(review.pk),
        "reviewer": review.reviewer.username,
        "team": review.team,
        "importance": review.importance,
        "differentiation": review.differentiation,
        "feasibility": review.feasibility,
        "comment": review.comment,
        "created_at": iso(review.created_at),
        "updated_at": iso(review.updated_at),
    }


# --- Reading ------------------------------------------------------------------------------


def test_a_member_reads_the_test_with_teams_reviews_and_evidence(client_for, field, put_up):
    product = score(put_up, field.team.product, 5, 4, 4, "Comes up in every interview.")
    sales = score(put_up, field.team.sales, 2, 1, 1)
    put_up.refresh_from_db()

    response = client_for(field.team.researcher).get(url(put_up.insight))

    assert response.status_code == 200
    assert response.json() == {
        "insight": str(put_up.insight_id),
        "opened_by": "researcher",
        "opened_at": iso(put_up.created_at),
        # product 13/3, sales 4/3: (13/3 + 4/3) / 2 = 17/6 = 2.833…
        "score": "2.83",
        "teams_scored": 2,
        "complete": True,
        "completed_at": iso(put_up.completed_at),
        "evidence": EVIDENCE,
        "teams": [
            {
                "team": "product",
                "label": "Product",
                "reviewers": ["product"],
                "importance": "5.00",
                "differentiation": "4.00",
                "feasibility": "4.00",
                "score": "4.33",
            },
            {
                "team": "sales",
                "label": "Sales",
                "reviewers": ["sales"],
                "importance": "2.00",
                "differentiation": "1.00",
                "feasibility": "1.00",
                "score": "1.33",
            },
        ],
        "reviews": [review_json(product), review_json(sales)],
    }


def test_an_insight_not_put_up_is_not_found_with_a_reason(client_for, field, insight):
    response = client_for(field.team.product).get(url(insight))

    assert response.status_code == 404
    assert response.json() == {
        "errors": {"detail": ["This insight has not been put up for a pressure test."]}
    }


def test_outsiders_and_strangers_get_nothing(client_for, field, put_up):
    assert client_for(None).get(url(put_up.insight)).status_code == 401
    response = client_for(field.team.outsider).get(url(put_up.insight))
    # As for an insight that does not exist: nothing says it was put up.
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}


def test_reading_costs_four_queries_however_many_reviews(
    client_for, field, put_up, django_assert_num_queries
):
    client = client_for(field.team.marketing)
    score(put_up, field.team.product, 3, 3, 3)
    # the insight with its study, the viewer's role, the test with who opened it, the
    # reviews with their reviewers
    with django_assert_num_queries(4):
        client.get(url(put_up.insight))
    for index in range(4):
        user = UserFactory(username=f"seller{index}")
        MembershipFactory(study=field.team.study, user=user, role=Role.SALES)
        score(put_up, user, 4, 4, 4)

    with django_assert_num_queries(4):
        response = client.get(url(put_up.insight))

    assert len(response.json()["reviews"]) == 5


# --- Putting up -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["lead", "researcher", "product", "marketing"])
def test_the_research_team_product_and_marketing_put_an_insight_up(
    client_for, field, insight, persona
):
    response = client_for(getattr(field.team, persona)).post(url(insight))

    assert response.status_code == 201
    body = response.json()
    assert (body["opened_by"], body["score"], body["teams_scored"], body["complete"]) == (
        persona,
        None,
        0,
        False,
    )
    assert (body["teams"], body["reviews"], body["evidence"]) == ([], [], EVIDENCE)
    assert PressureTest.objects.get().insight == insight


def test_sales_may_not_put_an_insight_up(client_for, field, insight):
    response = client_for(field.team.sales).post(url(insight))

    assert response.status_code == 403
    assert not PressureTest.objects.exists()


def test_putting_up_twice_is_a_conflict(client_for, field, put_up):
    response = client_for(field.team.product).post(url(put_up.insight))

    assert response.status_code == 409
    assert response.json() == {
        "errors": {"insight": ["This insight is already up for a pressure test."]}
    }
    assert PressureTest.objects.get().opened_by == field.team.researcher


def test_outsiders_cannot_put_up(client_for, field, insight):
    assert client_for(None).post(url(insight)).status_code == 401
    assert client_for(field.team.outsider).post(url(insight)).status_code == 404
    assert not PressureTest.objects.exists()


# --- Scoring --------------------------------------------------------------------------------


def test_sales_scores_and_gets_the_aggregate_back(client_for, field, put_up):
    response = client_for(field.team.sales).post(
        url(put_up.insight, "reviews/"), scores(4, 3, 2, "Buyers ask for it."), format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["score"], body["teams_scored"], body["complete"]) == ("3.00", 1, False)
    review = PressureReview.objects.get()
    assert body["reviews"] == [review_json(review)]
    assert (review.reviewer, review.team, review.comment) == (
        field.team.sales,
        "sales",
        "Buyers ask for it.",
    )


def test_marketing_after_product_completes_the_test(client_for, field, put_up):
    score(put_up, field.team.product, 4, 4, 4)

    response = client_for(field.team.marketing).post(
        url(put_up.insight, "reviews/"), scores(2, 2, 2), format="json"
    )

    body = response.json()
    assert (body["score"], body["teams_scored"], body["complete"]) == ("3.00", 2, True)
    assert body["completed_at"] == iso(PressureTest.objects.get().completed_at)


def test_a_second_product_reviewer_does_not_complete_it(client_for, field, put_up):
    score(put_up, field.team.product, 4, 4, 4)
    designer = MembershipFactory(
        study=field.team.study, user=UserFactory(username="designer"), role=Role.PRODUCT
    ).user

    response = client_for(designer).post(
        url(put_up.insight, "reviews/"), scores(2, 2, 2), format="json"
    )

    body = response.json()
    assert (body["score"], body["teams_scored"], body["complete"]) == ("3.00", 1, False)
    assert body["teams"][0]["reviewers"] == ["product", "designer"]


@pytest.mark.parametrize("persona", ["lead", "researcher"])
def test_the_research_team_may_not_score(client_for, field, put_up, persona):
    response = client_for(getattr(field.team, persona)).post(
        url(put_up.insight, "reviews/"), scores(), format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "errors": {"detail": ["You do not have permission to perform this action."]}
    }
    assert not PressureReview.objects.exists()


def test_outsiders_cannot_score(client_for, field, put_up):
    assert client_for(None).post(url(put_up.insight, "reviews/"), scores()).status_code == 401
    response = client_for(field.team.outsider).post(url(put_up.insight, "reviews/"), scores())
    assert response.status_code == 404
    assert not PressureReview.objects.exists()


def test_scoring_an_insight_not_put_up_is_not_found(client_for, field, insight):
    response = client_for(field.team.sales).post(url(insight, "reviews/"), scores(), format="json")

    assert response.status_code == 404
    assert response.json() == {
        "errors": {"detail": ["This insight has not been put up for a pressure test."]}
    }


def test_scoring_twice_is_a_conflict_that_says_to_change_instead(client_for, field, put_up):
    client = client_for(field.team.sales)
    client.post(url(put_up.insight, "reviews/"), scores(3, 3, 3), format="json")

    response = client.post(url(put_up.insight, "reviews/"), scores(5, 5, 5), format="json")

    assert response.status_code == 409
    assert response.json() == {
        "errors": {
            "reviewer": [
                "You have already scored this insight: change your scores instead of scoring "
                "it again."
            ]
        }
    }
    assert list(PressureReview.objects.values_list("importance", flat=True)) == [3]


@pytest.mark.parametrize(
    "bad",
    [0, 6, -2, 2.5, 3.0, "3.0", "three", "", None, True, [3], {"score": 3}, 10**20],
    ids=repr,
)
def test_a_score_off_the_scale_or_not_whole_is_a_400_naming_the_field(
    client_for, field, put_up, bad
):
    response = client_for(field.team.product).post(
        url(put_up.insight, "reviews/"), scores(differentiation=bad), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"differentiation": SCALE}}
    assert not PressureReview.objects.exists()


def test_missing_scores_are_each_named(client_for, field, put_up):
    response = client_for(field.team.product).post(
        url(put_up.insight, "reviews/"), {"comment": "No idea."}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"importance": SCALE, "differentiation": SCALE, "feasibility": SCALE}
    }


def test_a_form_encoded_score_is_read_as_a_number(client_for, field, put_up):
    response = client_for(field.team.product).post(
        url(put_up.insight, "reviews/"),
        {"importance": "5", "differentiation": "4", "feasibility": "3"},
    )

    assert response.status_code == 201
    assert response.json()["score"] == "4.00"


def test_a_body_that_is_not_an_object_is_a_400(client_for, field, put_up):
    response = client_for(field.team.product).post(
        url(put_up.insight, "reviews/"), [4, 4, 4], format="json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


# --- Changing one's scores ----------------------------------------------------------------


def test_a_reviewer_changes_some_of_their_scores(client_for, field, put_up):
    score(put_up, field.team.marketing, 4, 4, 4, "Good copy angle.")
    score(put_up, field.team.sales, 2, 2, 2)

    response = client_for(field.team.marketing).patch(
        url(put_up.insight, "reviews/mine/"), {"feasibility": 1}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    # marketing (4 + 4 + 1) / 3 = 3, sales 2
    assert (body["score"], body["teams_scored"], body["complete"]) == ("2.50", 2, True)
    review = PressureReview.objects.get(reviewer=field.team.marketing)
    assert (review.importance, review.feasibility, review.comment) == (4, 1, "Good copy angle.")


def test_changing_without_a_review_is_a_conflict(client_for, field, put_up):
    response = client_for(field.team.sales).patch(
        url(put_up.insight, "reviews/mine/"), {"importance": 3}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "errors": {"reviewer": ["You have not scored this insight yet: score it first."]}
    }


def test_a_change_with_nothing_in_it_is_a_400(client_for, field, put_up):
    score(put_up, field.team.sales, 2, 2, 2)

    response = client_for(field.team.sales).patch(
        url(put_up.insight, "reviews/mine/"), {}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"non_field_errors": ["Give at least one score or a comment to change."]}
    }


def test_a_bad_change_changes_nothing(client_for, field, put_up):
    score(put_up, field.team.sales, 2, 2, 2)

    response = client_for(field.team.sales).patch(
        url(put_up.insight, "reviews/mine/"), {"importance": 5, "feasibility": 0}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"feasibility": SCALE}}
    assert PressureReview.objects.get().importance == 2


def test_the_research_team_has_no_scores_to_change(client_for, field, put_up):
    response = client_for(field.team.researcher).patch(
        url(put_up.insight, "reviews/mine/"), {"importance": 3}, format="json"
    )

    assert response.status_code == 403


# --- On the board cards API ---------------------------------------------------------------


def cards_url(field, query: str = "") -> str:
    return f"/api/v1/boards/{field.product.slug}/cards/{query}"


def test_a_card_carries_its_pressure_test(client_for, field, put_up):
    score(put_up, field.team.product, 4, 4, 4)
    score(put_up, field.team.sales, 2, 3, 4)
    untested = make_insight(field, field.pain, statement="Never put up.")

    response = client_for(field.team.product).get(cards_url(field))

    summaries = {
        card["insight"]["id"]: card["pressure_test"] for card in response.json()["results"]
    }
    assert summaries == {
        str(put_up.insight_id): {"score": "3.50", "teams_scored": 2, "complete": True},
        str(untested.pk): None,
    }


def test_cards_sort_by_pressure_score(client_for, field):
    made = {
        name: make_insight(field, field.pain, statement=name)
        for name in ("untested", "low", "high", "tied complete", "tied incomplete", "unscored")
    }
    for name in ("low", "high", "tied complete", "tied incomplete", "unscored"):
        pressure_test_open(insight=made[name], actor=field.team.researcher)

    def test_of(name):
        return PressureTest.objects.get(insight=made[name])

    score(test_of("low"), field.team.product, 1, 1, 1)
    score(test_of("high"), field.team.product, 5, 5, 5)
    score(test_of("tied complete"), field.team.product, 3, 3, 3)
    score(test_of("tied complete"), field.team.sales, 3, 3, 3)
    score(test_of("tied incomplete"), field.team.sales, 3, 3, 3)

    client = client_for(field.team.product)
    by_pressure = client.get(cards_url(field, "?sort=pressure")).json()["results"]
    by_move = client.get(cards_url(field)).json()["results"]

    assert [card["insight"]["statement"] for card in by_pressure][:4] == [
        "high",
        "tied complete",
        "tied incomplete",
        "low",
    ]
    # Never put up and never scored alike come last, most recently moved first.
    assert [card["insight"]["statement"] for card in by_pressure][4:] == ["unscored", "untested"]
    assert [card["insight"]["statement"] for card in by_move] == list(reversed(made))


def test_an_unknown_sort_is_a_400(client_for, field):
    response = client_for(field.team.product).get(cards_url(field, "?sort=score"))

    assert response.status_code == 400
    assert response.json() == {"errors": {"sort": ['"score" is not a valid choice.']}}


def test_sorting_by_pressure_costs_no_more_queries(
    client_for, field, put_up, django_assert_num_queries
):
    score(put_up, field.team.product, 4, 4, 4)
    for index in range(3):
        insight = make_insight(field, field.pain, statement=f"More {index}")
        score(
            pressure_test_open(insight=insight, actor=field.team.lead),
            field.team.sales,
            index + 1,
            2,
            3,
        )
    client = client_for(field.team.product)

    # as tests/synthesis/api/test_boards.py counts: the tests come joined to the cards
    with django_assert_num_queries(7):
        response = client.get(cards_url(field, "?sort=pressure"))

    assert response.json()["count"] == 4
    assert BoardCard.objects.filter(board=field.product).count() == 4
