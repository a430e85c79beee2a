"""The Loop health page: who sees it, what it shows, a round at a time, and bad input."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from studies.synthesis.models import Column
from tests.factories import RoundFactory
from tests.loop.health_support import T0, Chain, days, hours


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
    chain.waiting = chain.insight(
        made=T0 + days(7), observations=[late], statement="Lids go missing."
    )
    chain.route(chain.waiting, at=T0 + days(8), product=True)
    chain.move(chain.waiting, chain.product, Column.EXPLORING, at=T0 + days(8) + hours(5))
    chain.at(T0 + days(10))
    return chain


def page_url(chain: Chain) -> str:
    return reverse("frontend:loop-health", args=[chain.study.pk])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    """The page's visible text on one line, tags and repeated spaces removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_anonymous_is_sent_to_sign_in(chain):
    response = Client().get(page_url(chain))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_outsider_gets_not_found(chain):
    assert signed_in(chain.team.outsider).get(page_url(chain)).status_code == 404


@pytest.mark.parametrize(
    "persona", ["lead", "researcher", "researcher2", "product", "marketing", "sales"]
)
def test_every_member_sees_the_headline_steps_trend_and_open_items(chain, persona):
    response = signed_in(getattr(chain.team, persona)).get(page_url(chain))

    assert response.status_code == 200
    text = text_of(response)
    assert "Observation to decision median 8 days , 90% within 8 days, 1 decided" in text
    # Each step with its median, 90th percentile and count.
    assert "Captured → synced 1 day 12 h 3 days 2 observations" in text
    assert "Synced → in an insight 23 h 30 min 1 day 2 observations" in text
    assert "In an insight → routed to a board 1 day 1 day 2 cards" in text
    assert "Routed → decided 3 days 3 days 1 card" in text
    # The trend: a chart and a table, oldest round first.
    assert 'id="loop-trend-title"' in response.content.decode()
    assert text.index("2026-Q3 3 days 1 observation") < text.index("2026-Q4 1 h 1 observation")
    # The one open card, linking to its insight.
    assert "Lids go missing. Waiting for a decision on Product board, in Exploring" in text
    assert "since 18 Jan 2027, 14:00" in text
    assert "Open 4 days since first observed" in text
    assert reverse("frontend:insight", args=[chain.waiting.pk]) in response.content.decode()


def test_times_are_shown_in_the_viewers_zone(chain):
    chain.team.product.time_zone = "America/New_York"
    chain.team.product.save(update_fields=["time_zone"])

    text = text_of(signed_in(chain.team.product).get(page_url(chain)))

    assert "since 18 Jan 2027, 09:00" in text


def test_one_round_at_a_time(chain):
    second = chain.rounds[1]

    response = signed_in(chain.team.lead).get(page_url(chain), {"round": str(second.pk)})

    assert response.status_code == 200
    text = text_of(response)
    assert "Loop health · 2026-Q4" in text
    assert "Captured → synced 1 h 1 h 1 observation" in text
    assert "No decisions yet" in text
    assert "Lids go missing." in text
    # The trend still covers every round.
    assert "2026-Q3 3 days" in text
    assert f'<option value="{second.pk}" selected>2026-Q4</option>' in response.content.decode()


@pytest.mark.parametrize("value", ["not-a-uuid", "other study"])
def test_a_round_that_is_not_one_of_the_studys_is_a_400_with_a_clear_message(chain, value):
    if value == "other study":
        value = str(RoundFactory(label="Elsewhere").pk)

    response = signed_in(chain.team.lead).get(page_url(chain), {"round": value})

    assert response.status_code == 400
    text = text_of(response)
    assert "That round could not be used; choose one from the list." in text
    assert "Select a valid choice." in text
    assert "Observation to decision" not in text


def test_a_study_with_nothing_yet_explains_itself_and_draws_no_chart(team):
    response = signed_in(team.lead).get(reverse("frontend:loop-health", args=[team.study.pk]))

    assert response.status_code == 200
    text = text_of(response)
    assert "Nothing to measure yet" in text
    assert "This study has no observations or insights yet." in text
    assert "<svg" not in response.content.decode()


def test_the_study_and_round_pages_link_to_it(chain):
    client = signed_in(chain.team.sales)
    study_page = client.get(reverse("frontend:study", args=[chain.study.pk])).content.decode()
    round_ = chain.rounds[1]
    round_page = client.get(reverse("frontend:round", args=[round_.pk])).content.decode()

    assert f'href="{page_url(chain)}"' in study_page
    assert f'href="{page_url(chain)}?round={round_.pk}"' in round_page


def test_the_page_takes_a_fixed_number_of_queries(chain, django_assert_num_queries):
    client = signed_in(chain.team.lead)
    client.get(page_url(chain))  # the session is read once warm
    # Session and user; the study and the member's role; the rounds for the selector; then
    # loop_health's seven: rounds, observations, evidence, insights, cards, their events and
    # the quote uses; the menu.
    with django_assert_num_queries(13):
        client.get(page_url(chain))
