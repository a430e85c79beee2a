"""The pressure test on the insight page and on the boards, through Django's client: who
may put an insight up and score it, what the section shows, refusals with their messages,
and the board's badge and sort."""

import pytest
from django.urls import reverse

from studies.loop.models import PressureReview, PressureTest
from studies.loop.services.pressure import pressure_test_open
from tests.frontend.test_boards_pages import (
    board_url,
    client_for,
    columns,
    insight_url,
    make_insight,
    texts,
)
from tests.loop.pressure_support import score
from tests.synthesis import conftest as synthesis

pytestmark = pytest.mark.django_db

field = synthesis.field
SCALE = "Score it with a whole number from 1 (weak) to 5 (strong)."


def open_url(insight) -> str:
    return reverse("frontend:insight-pressure-open", args=[insight.pk])


def review_url(insight) -> str:
    return reverse("frontend:insight-pressure-review", args=[insight.pk])


def change_url(insight) -> str:
    return reverse("frontend:insight-pressure-review-change", args=[insight.pk])


def form(importance="4", differentiation="3", feasibility="5", comment="") -> dict:
    return {
        "pressure-importance": importance,
        "pressure-differentiation": differentiation,
        "pressure-feasibility": feasibility,
        "pressure-comment": comment,
    }


@pytest.fixture
def insight(field):
    return make_insight(field, field.pain)


@pytest.fixture
def put_up(field, insight) -> PressureTest:
    return pressure_test_open(insight=insight, actor=field.team.researcher)


def page_text(response) -> str:
    return " ".join(texts(response, "pressure"))


# --- Putting up -----------------------------------------------------------------------------


def test_a_researcher_puts_an_insight_up_from_its_page(field, insight):
    researcher = client_for(field.team.researcher)
    page = researcher.get(insight_url(insight))
    assert f'action="{open_url(insight)}"' in page.content.decode()
    assert "Put up for a pressure test" in page_text(page)

    response = researcher.post(open_url(insight))

    assert response.status_code == 302
    assert response["Location"] == insight_url(insight) + "#pressure-test"
    assert PressureTest.objects.get().opened_by == field.team.researcher
    shown = researcher.get(response["Location"])
    assert texts(shown, "message") == ["The insight is up for a pressure test."]
    assert texts(shown, "pressure-facts") == [
        "Score Not scored yet Teams Needs a second team: no one has scored yet "
        "Evidence 3 households · 1 round Strength 2 of 5"
    ]


def test_sales_sees_no_put_up_button_and_may_not_post_one(field, insight):
    sales = client_for(field.team.sales)

    page = sales.get(insight_url(insight))

    assert open_url(insight) not in page.content.decode()
    assert "Not put up for a pressure test yet." in page_text(page)
    assert sales.post(open_url(insight)).status_code == 403
    assert not PressureTest.objects.exists()


def test_putting_up_twice_shows_why_with_a_409(field, put_up):
    response = client_for(field.team.product).post(open_url(put_up.insight))

    assert response.status_code == 409
    assert "This insight is already up for a pressure test." in page_text(response)
    assert PressureTest.objects.count() == 1


def test_an_outsider_gets_404_for_each_pressure_form(field, put_up):
    outsider = client_for(field.team.outsider)
    for url in (open_url, review_url, change_url):
        assert outsider.post(url(put_up.insight), form()).status_code == 404
    assert not PressureReview.objects.exists()


# --- Scoring --------------------------------------------------------------------------------


def test_sales_scores_then_product_completes_the_test(field, put_up):
    sales = client_for(field.team.sales)
    page = sales.get(insight_url(put_up.insight))
    assert texts(page, "form-title")[-1] == "Score it for Sales"
    assert f'action="{review_url(put_up.insight)}"' in page.content.decode()

    response = sales.post(review_url(put_up.insight), form("4", "3", "5", "Buyers ask for it."))

    assert response.status_code == 302
    assert response["Location"] == insight_url(put_up.insight) + "#pressure-test"
    shown = sales.get(response["Location"])
    assert texts(shown, "message") == ["Your scores are in."]
    assert texts(shown, "pressure-facts")[0].startswith(
        "Score 4.00 of 5 Teams Needs a second team: only Sales has scored"
    )

    client_for(field.team.product).post(review_url(put_up.insight), form("2", "2", "2"))

    page = sales.get(insight_url(put_up.insight))
    # sales 4, product 2: (4 + 2) / 2
    assert texts(page, "pressure-facts") == [
        "Score 3.00 of 5 Teams Complete: scored by Product and Sales "
        "Evidence 3 households · 1 round Strength 2 of 5"
    ]
    assert texts(page, "pressure-teams") == [
        "Scores by team: each signal's mean over the team's reviewers "
        "Team Reviewers Importance Differentiation Feasibility Team score "
        f"Product {field.team.product} 2.00 2.00 2.00 2.00 "
        f"Sales {field.team.sales} 4.00 3.00 5.00 4.00"
    ]
    assert texts(page, "pressure-reviews") == [
        f"{field.team.product} (Product) importance 2, differentiation 2, feasibility 2 "
        f"{field.team.sales} (Sales) importance 4, differentiation 3, feasibility 5 "
        "Buyers ask for it."
    ]


def test_the_form_is_prefilled_to_change_ones_scores(field, put_up):
    score(put_up, field.team.marketing, 2, 5, 3, "Great angle.")
    marketing = client_for(field.team.marketing)

    page = marketing.get(insight_url(put_up.insight))

    html = page.content.decode()
    assert texts(page, "form-title")[-1] == "Change your scores for Marketing"
    assert f'action="{change_url(put_up.insight)}"' in html
    for name, value in (("importance", 2), ("differentiation", 5), ("feasibility", 3)):
        assert f'name="pressure-{name}" value="{value}"' in html
        assert f'name="pressure-{name}" value="{value}" required' not in html
    checked = [
        element
        for element in html.split("<input")
        if 'type="radio"' in element and " checked" in element.split(">")[0]
    ]
    assert len(checked) == 3
    assert "Great angle." in texts(page, "pressure-form")[0]

    response = marketing.post(change_url(put_up.insight), form("5", "5", "5", "Changed mind."))

    assert response.status_code == 302
    review = PressureReview.objects.get()
    assert (review.importance, review.differentiation, review.comment) == (5, 5, "Changed mind.")
    assert texts(marketing.get(response["Location"]), "message") == ["Your scores are changed."]


def test_scores_off_the_scale_or_missing_rerender_with_a_400_and_change_nothing(field, put_up):
    response = client_for(field.team.product).post(
        review_url(put_up.insight), form(importance="7", differentiation="", feasibility="2.5")
    )

    assert response.status_code == 400
    errors = {
        name: response.context["pressure"].form.errors.get(name)
        for name in ("importance", "differentiation", "feasibility")
    }
    assert errors == {"importance": [SCALE], "differentiation": None, "feasibility": [SCALE]}
    assert not PressureReview.objects.exists()
    # The fieldset names its problem for screen readers too.
    assert 'aria-describedby="id_pressure-importance_hint id_pressure-importance_problems"' in (
        response.content.decode()
    )


def test_a_missing_score_gets_the_services_message(field, put_up):
    response = client_for(field.team.product).post(
        review_url(put_up.insight), form(differentiation="")
    )

    assert response.status_code == 400
    assert response.context["pressure"].form.errors == {"differentiation": [SCALE]}
    assert not PressureReview.objects.exists()


def test_scoring_twice_shows_a_409_that_says_to_change_instead(field, put_up):
    score(put_up, field.team.sales, 3, 3, 3)

    response = client_for(field.team.sales).post(review_url(put_up.insight), form())

    assert response.status_code == 409
    assert texts(response, "form-errors") == [
        "You have already scored this insight: change your scores instead of scoring it again."
    ]
    # The form now changes the review that is there.
    assert f'action="{change_url(put_up.insight)}"' in response.content.decode()
    assert PressureReview.objects.get().importance == 3


@pytest.mark.parametrize("persona", ["lead", "researcher"])
def test_the_research_team_sees_no_scoring_form_and_may_not_score(field, put_up, persona):
    client = client_for(getattr(field.team, persona))

    page = client.get(insight_url(put_up.insight))

    assert "pressure-form" not in page.content.decode()
    assert client.post(review_url(put_up.insight), form()).status_code == 403
    assert client.post(change_url(put_up.insight), form()).status_code == 403
    assert not PressureReview.objects.exists()


def test_scoring_an_insight_not_put_up_is_404(field, insight):
    assert client_for(field.team.sales).post(review_url(insight), form()).status_code == 404


def test_the_page_states_the_rules(field, put_up):
    page = client_for(field.team.product).get(insight_url(put_up.insight))

    assert texts(page, "pressure-legend") == [
        "Evidence strength is derived, not scored: households give 1 point for 1, 2 for 2–3 "
        "and 3 for 4 or more; rounds add nothing for 1, 1 point for 2 and 2 for 3 or more."
    ]
    assert texts(page, "pressure-rules")[0].startswith(
        "How it adds up: each team's score is the mean of its three signal means"
    )


# --- Boards ---------------------------------------------------------------------------------


def test_the_cards_show_the_pressure_badge(field, put_up):
    score(put_up, field.team.product, 4, 4, 4)
    score(put_up, field.team.sales, 3, 3, 3)
    make_insight(field, field.pain, statement="Never put up.")
    up_only = make_insight(field, field.pain, statement="Up, unscored.")
    pressure_test_open(insight=up_only, actor=field.team.lead)

    response = client_for(field.team.product).get(board_url())

    assert texts(response, "pressure-badge") == [
        "Up for a pressure test",
        "Pressure test 3.50 of 5 complete",
    ]


def test_the_board_sorts_by_pressure_score(field):
    made = {
        name: make_insight(field, field.pain, statement=name)
        for name in ("untested", "low", "tied incomplete", "tied complete", "high")
    }
    tests = {
        name: pressure_test_open(insight=made[name], actor=field.team.lead)
        for name in ("low", "tied incomplete", "tied complete", "high")
    }
    score(tests["low"], field.team.product, 1, 2, 1)
    score(tests["high"], field.team.sales, 5, 4, 5)
    score(tests["tied incomplete"], field.team.product, 3, 3, 3)
    score(tests["tied complete"], field.team.product, 3, 3, 3)
    score(tests["tied complete"], field.team.marketing, 3, 3, 3)
    product = client_for(field.team.product)

    by_pressure = product.get(board_url(), {"sort": "pressure"})
    by_move = product.get(board_url())

    assert by_pressure.status_code == 200
    assert columns(by_pressure)["new"] == [
        "high",
        "tied complete",
        "tied incomplete",
        "low",
        "untested",
    ]
    assert columns(by_move)["new"] == list(reversed(made))
    # A sort is not a filter: the board does not say "No cards match."
    assert by_pressure.context["filtered"] is False


def test_an_unknown_sort_is_reported_and_the_usual_order_kept(field, insight):
    response = client_for(field.team.product).get(board_url(), {"sort": "chaos"})

    assert response.status_code == 400
    assert response.context["filter_form"].errors["sort"] == [
        "Select a valid choice. chaos is not one of the available choices."
    ]
    assert columns(response)["new"] == [insight.statement]


def test_the_quote_bank_has_no_sort(field):
    response = client_for(field.team.marketing).get(reverse("frontend:quotes"))

    assert "sort" not in response.context["filter_form"].fields


def test_the_board_sorted_by_pressure_takes_eighteen_queries(
    field, put_up, django_assert_num_queries
):
    score(put_up, field.team.product, 4, 4, 4)
    product = client_for(field.team.product)

    # as test_boards_pages counts them: the tests are joined to the cards, not fetched
    with django_assert_num_queries(18):
        response = product.get(board_url(), {"sort": "pressure"})

    assert response.status_code == 200
