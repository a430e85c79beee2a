"""The round report page: the team sees pseudonyms, never personal data; a round without
visits gets a reason, not an empty page."""

import pytest
from django.urls import reverse

from studies.privacy.services import consent_withdraw
from studies.scheduling.models import ConsentKind
from tests.factories import ConsentFactory
from tests.loop.report_support import (
    SECRET_NAME,
    build_fieldwork_with_an_insight,
    withdrawn_marketing_consent,
)

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


@pytest.mark.parametrize("persona", ["marketing", "lead", "product", "sales"])
def test_a_quote_whose_marketing_consent_was_withdrawn_is_labelled_for_everyone(
    client, fieldwork, persona
):
    withdrawn_marketing_consent(fieldwork)
    client.force_login(getattr(fieldwork.team, persona))

    page = client.get(report_url(fieldwork.second)).content.decode()

    figures = page.split('<figure class="quote">')[1:]
    assert len(figures) == 2
    labelled = [figure for figure in figures if "Not for marketing use" in figure]
    assert len(labelled) == 1
    assert "The freezer is a black hole (0)." in labelled[0]
    assert "Quotes labelled “Not for marketing use” come from households" in page
    assert "data-copy-text" not in page


def test_without_such_quotes_nothing_is_labelled(client, fieldwork):
    for household in fieldwork.households[:2]:
        ConsentFactory(household=household, kind=ConsentKind.MARKETING)
    client.force_login(fieldwork.team.marketing)

    page = client.get(report_url(fieldwork.second)).content.decode()

    assert "The freezer is a black hole (0)." in page
    assert "Not for marketing use" not in page


def test_consent_withdrawn_again_labels_the_quote_at_once(client, fieldwork):
    consent = ConsentFactory(household=fieldwork.households[1], kind=ConsentKind.MARKETING)
    ConsentFactory(household=fieldwork.households[0], kind=ConsentKind.MARKETING)
    client.force_login(fieldwork.team.marketing)
    assert "Not for marketing use" not in client.get(report_url(fieldwork.second)).content.decode()

    consent_withdraw(consent=consent, actor=fieldwork.team.lead)

    page = client.get(report_url(fieldwork.second)).content.decode()
    labelled = [f for f in page.split('<figure class="quote">')[1:] if "Not for marketing" in f]
    assert len(labelled) == 1
    assert "The freezer is a black hole (1)." in labelled[0]
