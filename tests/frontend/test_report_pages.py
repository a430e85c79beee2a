"""The round report page: the team sees pseudonyms, never personal data; a round without
visits gets a reason, not an empty page."""

import pytest
from django.urls import reverse

from tests.loop.report_support import SECRET_NAME, build_fieldwork_with_an_insight

pytestmark = pytest.mark.django_db


@pytest.fixture
def fieldwork(team):
    return build_fieldwork_with_an_insight(team)


def report_url(round_) -> str:
    return reverse("frontend:round-report", args=[round_.pk])


@pytest.mark.parametrize("persona", ["lead", "researcher", "product", "marketing", "sales"])
def test_every_member_reads_the_report_with_pseudonyms_only(client, fieldwork, persona):
    client.force_login(getattr(fieldwork.team, persona))

    response = client.get(report_url(fieldwork.second))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Round report: 2026-Q3" in page
    assert fieldwork.households[0].code in page
    assert "parent of three, suburban" in page
    assert SECRET_NAME not in page
    assert "The freezer is where food goes to be forgotten." in page
    assert "The freezer is a black hole (0)." in page
    assert "What changed since 2026-Q2" in page
    assert "1 visit is still to come, so this report is interim." in page


def test_the_round_page_links_to_its_report(client, fieldwork):
    client.force_login(fieldwork.team.product)

    response = client.get(reverse("frontend:round", args=[fieldwork.second.pk]))

    assert report_url(fieldwork.second) in response.content.decode()


def test_a_round_without_visits_answers_409_with_the_reason(client, fieldwork):
    client.force_login(fieldwork.team.lead)

    response = client.get(report_url(fieldwork.upcoming))

    page = response.content.decode()
    assert response.status_code == 409
    assert "No household has been visited in 2027-Q1 yet" in page
    assert "Print or save as PDF" not in page


def test_the_first_round_says_there_is_nothing_to_compare_with(client, fieldwork):
    client.force_login(fieldwork.team.lead)

    page = client.get(report_url(fieldwork.first)).content.decode()

    assert "there is no earlier round to compare with yet" in page
    assert "No insight draws on this round" in page


def test_an_outsider_gets_404_and_anonymous_the_sign_in_page(client, fieldwork):
    url = report_url(fieldwork.second)
    assert client.get(url).status_code == 302

    client.force_login(fieldwork.team.outsider)

    assert client.get(url).status_code == 404
