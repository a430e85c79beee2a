"""A quote whose household's marketing consent is not in force is labelled "Not for
marketing use" wherever it is shown, for every viewer, by the one rule
(selectors.marketing_consent_in_force): the insight page and API, the visit page. (The round
report, trends' evidence and search have their own tests.)"""

import pytest
from django.test import Client
from django.utils import timezone

from studies.scheduling.models import ConsentKind
from tests.synthesis.api.conftest import make_insight

pytestmark = pytest.mark.django_db

LABEL = "Not for marketing use"
VIEWERS = ["lead", "researcher", "product", "marketing", "sales"]


def page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", VIEWERS)
def test_the_insight_page_and_api_label_the_quote_without_consent_for_every_viewer(
    field, client_for, persona
):
    # households[2] never consented to marketing use; households[0] did.
    insight = make_insight(field, field.quotable, evidence=[field.quotes[0], field.quotes[2]])
    viewer = getattr(field.team, persona)

    html = page(viewer, f"/insights/{insight.pk}/")
    evidence = client_for(viewer).get(f"/api/v1/insights/{insight.pk}/").json()["evidence"]

    assert html.count(LABEL) == 1
    cleared = {row["observation"]: row["cleared_for_marketing"] for row in evidence}
    assert cleared == {str(field.quotes[0].pk): True, str(field.quotes[2].pk): False}


def test_withdrawing_marketing_consent_labels_the_quote_at_once(field, client_for):
    insight = make_insight(field, field.quotable, evidence=[field.quotes[0]])
    assert LABEL not in page(field.team.marketing, f"/insights/{insight.pk}/")

    field.households[0].consents.filter(kind=ConsentKind.MARKETING).update(
        withdrawn_at=timezone.now()
    )

    assert LABEL in page(field.team.marketing, f"/insights/{insight.pk}/")
    evidence = client_for(field.team.marketing).get(f"/api/v1/insights/{insight.pk}/").json()
    assert evidence["evidence"][0]["cleared_for_marketing"] is False


@pytest.mark.parametrize("persona", VIEWERS)
def test_the_visit_page_labels_quotes_of_a_household_without_marketing_consent(field, persona):
    viewer = getattr(field.team, persona)
    unconsented = field.quotes[2].visit
    consented = field.quotes[0].visit

    assert LABEL in page(viewer, f"/visits/{unconsented.pk}/")
    assert LABEL not in page(viewer, f"/visits/{consented.pk}/")
