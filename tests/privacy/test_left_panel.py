"""A household that has left the panel keeps its pseudonym but no longer shows its name
and address to anyone in the study."""

import pytest
from django.urls import reverse

from studies.scheduling import services

pytestmark = pytest.mark.django_db


def test_the_api_stops_showing_the_contact_once_the_household_leaves(client_for, field):
    household = field.households[0]
    url = f"/api/v1/households/{household.pk}/"
    before = client_for(field.team.lead).get(url).json()["contact"]

    services.household_unenrol(study=field.team.study, household=household)

    after = client_for(field.team.lead).get(url).json()
    assert before is not None
    assert (after["code"], after["contact"]) == (household.code, None)


def test_the_visit_and_household_pages_stop_showing_it_too(client, field):
    household = field.households[0]
    household.contact.name = "Philippa Marsh"
    household.contact.save()
    client.force_login(field.team.lead)
    visit_page = reverse("frontend:visit", args=[field.quotes[0].visit_id])
    household_page = reverse("frontend:household", args=[field.team.study.pk, household.pk])
    assert "Philippa Marsh" in client.get(visit_page).content.decode()

    services.household_unenrol(study=field.team.study, household=household)

    assert "Philippa Marsh" not in client.get(visit_page).content.decode()
    assert "Philippa Marsh" not in client.get(household_page).content.decode()
