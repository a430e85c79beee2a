"""Consent takes effect in the same request everywhere it matters: withdrawn marketing
consent empties the quote bank, its exports, search and the API of that household's
quotes; withdrawn photo consent hides its photos on every page and endpoint."""

import pytest
from django.urls import reverse

from studies.common.models import AuditAction, AuditEvent
from studies.privacy.services import consent_withdraw
from studies.scheduling.models import Consent, ConsentKind
from studies.synthesis.models import Insight
from tests.privacy.conftest import stored_photo

pytestmark = pytest.mark.django_db

QUOTES = "/api/v1/quotes/"
CSV = "/api/v1/quotes/export.csv"
MARKDOWN = "/api/v1/quotes/export.md"
SEARCH = "/api/v1/search/"


def consent(household, kind: str) -> Consent:
    return Consent.objects.get(household=household, kind=kind)


def withdraw(client, item: Consent):
    return client.post(f"/api/v1/consents/{item.pk}/withdraw/")


def everything_marketing_reads(client) -> dict[str, str]:
    """What a marketer reads of the quote bank: the API list, both exports, search."""
    return {
        "api": client.get(QUOTES).content.decode(),
        "csv": b"".join(client.get(CSV).streaming_content).decode(),
        "markdown": b"".join(client.get(MARKDOWN).streaming_content).decode(),
        "search": client.get(SEARCH, {"q": "freezer", "kind": "quote"}).content.decode(),
    }


def test_withdrawing_marketing_consent_removes_the_quotes_everywhere_at_once(
    client_for, field, quotable
):
    gone, kept = field.quotes[0], field.quotes[1]
    marketer = client_for(field.team.marketing)
    before = everything_marketing_reads(marketer)
    assert all(gone.text in body and kept.text in body for body in before.values()), before

    response = withdraw(client_for(field.team.lead), consent(field.households[0], "marketing"))

    assert response.status_code == 200
    after = everything_marketing_reads(client_for(field.team.marketing))
    assert {where: gone.text in body for where, body in after.items()} == {
        "api": False,
        "csv": False,
        "markdown": False,
        "search": False,
    }
    assert all(kept.text in body for body in after.values())


def test_the_quote_bank_page_drops_the_quote_in_the_next_request(client, field, quotable):
    gone = field.quotes[0]
    client.force_login(field.team.marketing)
    assert gone.text in client.get(reverse("frontend:quotes")).content.decode()

    consent_withdraw(consent=consent(field.households[0], "marketing"), actor=field.team.lead)

    assert gone.text not in client.get(reverse("frontend:quotes")).content.decode()


def test_research_roles_still_find_the_quote_they_captured(client_for, field, quotable):
    withdraw(client_for(field.team.lead), consent(field.households[0], "marketing"))

    found = client_for(field.team.researcher).get(SEARCH, {"q": "freezer", "kind": "quote"})

    assert field.quotes[0].text in found.content.decode()


def test_withdrawing_consent_is_audited_and_withdrawing_twice_changes_nothing(client_for, field):
    item = consent(field.households[0], "marketing")
    lead = client_for(field.team.lead)

    first, second = withdraw(lead, item), withdraw(lead, item)

    assert first.json()["withdrawn_at"] == second.json()["withdrawn_at"] is not None
    event = AuditEvent.objects.get(action=AuditAction.CONSENT_WITHDRAWN)
    assert (event.actor, event.target, event.detail["kind"]) == (
        field.team.lead,
        field.households[0].code,
        "marketing",
    )


def test_recording_consent_is_audited(client_for, field):
    response = client_for(field.team.lead).post(
        f"/api/v1/households/{field.households[2].pk}/consents/",
        {"kind": "marketing", "version": "2.0"},
    )

    assert response.status_code == 201
    event = AuditEvent.objects.get(action=AuditAction.CONSENT_GIVEN)
    assert (event.actor, event.target, event.detail["version"]) == (
        field.team.lead,
        field.households[2].code,
        "2.0",
    )


@pytest.mark.parametrize("persona", ["researcher", "product", "marketing"])
def test_only_a_lead_withdraws_and_a_refusal_changes_nothing(client_for, field, persona):
    item = consent(field.households[0], "marketing")

    response = withdraw(client_for(getattr(field.team, persona)), item)

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.withdrawn_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAWN).exists()


def test_withdrawing_photo_consent_hides_the_photos_everywhere_at_once(client, client_for, field):
    household = field.households[0]
    visit = field.quotes[0].visit
    photo = stored_photo(visit, observation=field.quotes[0])
    insight = client_for(field.team.researcher).post(
        "/api/v1/insights/",
        {
            "study": str(field.team.study.pk),
            "statement": "The freezer is a black box.",
            "tags": [str(field.pain.pk)],
            "observations": [str(field.quotes[0].pk)],
            "photos": [str(photo.pk)],
        },
    )
    assert insight.status_code == 201, insight.json()
    insight = Insight.objects.get(pk=insight.json()["id"])
    assert insight.cover_photo == photo
    client.force_login(field.team.product)
    file_url = f"/photos/{photo.pk}/thumb.webp"
    assert client.get(file_url).status_code == 200

    withdraw(client_for(field.team.lead), consent(household, "photos"))

    product = client_for(field.team.product)
    assert client.get(file_url).status_code == 404
    assert product.get(f"/api/v1/photos/{photo.pk}/").status_code == 404
    assert product.get(f"/api/v1/visits/{visit.pk}/photos/").json()["results"] == []
    detail = product.get(f"/api/v1/insights/{insight.pk}/").json()
    assert detail["cover_photo"] is None
    assert str(photo.pk) not in str(detail)
    page = client.get(reverse("frontend:insight", args=[insight.pk])).content.decode()
    board = client.get(reverse("frontend:board", args=["product"])).content.decode()
    assert str(photo.pk) not in page
    assert str(photo.pk) not in board


def test_giving_photo_consent_again_brings_the_photos_back(client_for, field):
    household = field.households[0]
    photo = stored_photo(field.quotes[0].visit, observation=field.quotes[0])
    lead = client_for(field.team.lead)
    withdraw(lead, consent(household, "photos"))
    assert lead.get(f"/api/v1/photos/{photo.pk}/").status_code == 404

    given = lead.post(
        f"/api/v1/households/{household.pk}/consents/", {"kind": "photos", "version": "3.0"}
    )

    assert given.status_code == 201
    assert lead.get(f"/api/v1/photos/{photo.pk}/").status_code == 200
    assert given.json()["kind"] == ConsentKind.PHOTOS
