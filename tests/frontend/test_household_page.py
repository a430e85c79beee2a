"""The household page: pseudonym for the team, contact for the research team, consent and
erasure for the research lead — through the same services as the API."""

import pytest
from django.urls import reverse

from studies.common.models import AuditAction, AuditEvent
from studies.privacy.models import Erasure
from studies.scheduling.models import Consent, ConsentKind, HouseholdContact
from tests.frontend.conftest import SECRET_ADDRESS, SECRET_NAME

pytestmark = pytest.mark.django_db


def page_url(world, name: str = "household", *extra) -> str:
    return reverse(f"frontend:{name}", args=[world.team.study.pk, world.households[0].pk, *extra])


def test_the_lead_sees_contact_consent_and_the_erasure_form(client, world):
    client.force_login(world.team.lead)

    response = client.get(page_url(world))

    page = response.content.decode()
    assert response.status_code == 200
    assert SECRET_NAME in page
    assert SECRET_ADDRESS in page
    assert "Withdraw" in page
    assert "Erase for good" in page
    viewed = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (viewed.actor, viewed.target, viewed.detail["where"]) == (
        world.team.lead,
        world.households[0].code,
        "household page",
    )


@pytest.mark.parametrize("persona", ["product", "marketing"])
def test_product_and_marketing_see_the_pseudonym_only(client, world, persona):
    client.force_login(getattr(world.team, persona))

    page = client.get(page_url(world)).content.decode()

    assert world.households[0].code in page
    assert SECRET_NAME not in page
    assert SECRET_ADDRESS not in page
    assert "Withdraw" not in page
    assert "Erase for good" not in page
    assert not AuditEvent.objects.exists()


def test_outsiders_get_404_and_visitors_the_login_page(client, world):
    assert client.get(page_url(world)).status_code == 302
    client.force_login(world.team.outsider)
    assert client.get(page_url(world)).status_code == 404


def test_the_study_page_links_each_household(client, world):
    client.force_login(world.team.product)

    page = client.get(reverse("frontend:study", args=[world.team.study.pk])).content.decode()

    assert f'href="{page_url(world)}"' in page


def test_the_lead_withdraws_a_consent_from_the_page(client, world):
    consent = Consent.objects.get(household=world.households[0], kind=ConsentKind.PHOTOS)
    client.force_login(world.team.lead)

    response = client.post(page_url(world, "household-consent-withdraw", consent.pk))

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAWN).count() == 1


def test_a_researcher_may_not_withdraw_and_nothing_changes(client, world):
    consent = Consent.objects.get(household=world.households[0], kind=ConsentKind.PHOTOS)
    client.force_login(world.team.researcher)

    response = client.post(page_url(world, "household-consent-withdraw", consent.pk))

    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_lead_records_consent_and_a_blank_version_is_refused(client, world):
    client.force_login(world.team.lead)

    refused = client.post(page_url(world, "household-consent"), {"kind": "marketing"})
    recorded = client.post(
        page_url(world, "household-consent"), {"kind": "marketing", "version": "2.0"}
    )

    assert refused.status_code == 400
    assert refused.context["consent_form"].errors == {"version": ["This field is required."]}
    assert recorded.status_code == 302
    consent = Consent.objects.get(household=world.households[0], kind=ConsentKind.MARKETING)
    assert (consent.version, consent.recorded_by) == ("2.0", world.team.lead)


def test_a_wrong_code_erases_nothing_and_the_right_one_erases(client, world):
    household = world.households[0]
    client.force_login(world.team.lead)
    body = {"requested_on": "2026-11-30", "reference": "ticket 9"}

    refused = client.post(page_url(world, "household-erase"), {**body, "confirm_code": "H-0"})
    erased = client.post(
        page_url(world, "household-erase"), {**body, "confirm_code": household.code}
    )

    assert refused.status_code == 400
    assert refused.context["erasure_form"].errors == {
        "confirm_code": [f"Type the household's code, {household.code}, to confirm."]
    }
    assert erased.status_code == 302
    assert not HouseholdContact.objects.filter(household=household).exists()
    assert Erasure.objects.get().reference == "ticket 9"
    after = client.get(page_url(world)).content.decode()
    assert "Erasure record" in after
    assert "Erase for good" not in after
