"""/api/v1/households/ and consents: the panel, and who may see personal data."""

import datetime as dt

import pytest
from django.utils import timezone

from studies.common.models import AuditAction, AuditEvent
from studies.common.roles import Role
from studies.scheduling.models import Consent, ConsentKind, Enrolment, Household
from tests.conftest import enrol_consenting
from tests.factories import (
    ConsentFactory,
    EnrolmentFactory,
    HouseholdFactory,
    MembershipFactory,
    StudyFactory,
)

HOUSEHOLDS = "/api/v1/households/"
CONTACT_KEYS = {"name", "address", "phone", "email"}


def household_url(household: Household, suffix: str = "") -> str:
    return f"{HOUSEHOLDS}{household.pk}/{suffix}"


@pytest.fixture
def panel(team) -> list[Household]:
    return enrol_consenting(team.study, 2)


def test_it_refuses_anonymous_requests(api_client, panel):
    assert api_client.get(HOUSEHOLDS).status_code == 401
    assert api_client.get(household_url(panel[0])).status_code == 401


@pytest.mark.parametrize("persona", ["lead", "researcher"])
def test_leads_and_researchers_see_personal_data(client_for, team, panel, persona):
    response = client_for(getattr(team, persona)).get(HOUSEHOLDS)

    assert response.status_code == 200
    first = response.json()["results"][0]
    contact = panel[0].contact
    assert first == {
        "id": str(panel[0].pk),
        "code": panel[0].code,
        "segment": {"household size": "4", "region": "north"},
        "segment_phrase": "",
        "contact": {
            "name": contact.name,
            "address": contact.address,
            "phone": contact.phone,
            "email": contact.email,
        },
        "created_at": first["created_at"],
        "updated_at": first["updated_at"],
    }


@pytest.mark.parametrize("persona", ["product", "marketing"])
def test_product_and_marketing_see_the_pseudonym_and_segment_only(client_for, team, panel, persona):
    client = client_for(getattr(team, persona))

    listed = client.get(HOUSEHOLDS)
    detail = client.get(household_url(panel[0]))

    assert [(row["code"], row["segment"], row["contact"]) for row in listed.json()["results"]] == [
        (household.code, {"household size": "4", "region": "north"}, None) for household in panel
    ]
    assert detail.json()["contact"] is None
    for household in panel:
        contact = household.contact
        for secret in (contact.name, contact.address, contact.phone, contact.email):
            assert secret not in listed.content.decode()
            assert secret not in detail.content.decode()


def test_a_researcher_in_one_study_sees_personal_data_product_in_another_does_not(
    client_for, team, panel
):
    # team.product is product here; in a second study the same household is theirs to
    # research, so they may see its contact there, and only then.
    other = StudyFactory()
    MembershipFactory(study=other, user=team.product, role=Role.RESEARCHER)
    EnrolmentFactory(study=other, household=panel[1])

    rows = client_for(team.product).get(HOUSEHOLDS).json()["results"]

    assert [(row["code"], row["contact"] is not None) for row in rows] == [
        (panel[0].code, False),
        (panel[1].code, True),
    ]


def test_outsiders_neither_list_nor_read_the_panel(client_for, team, panel):
    client = client_for(team.outsider)

    assert client.get(HOUSEHOLDS).json()["count"] == 0
    assert client.get(household_url(panel[0])).status_code == 404
    assert client.get(household_url(panel[0], "consents/")).status_code == 404


def test_the_study_filter_reveals_nothing_about_other_panels(client_for, team, panel):
    other = enrol_consenting(team.outsider.memberships.get().study, 1)[0]
    EnrolmentFactory(study=team.outsider.memberships.get().study, household=panel[0])

    mine = client_for(team.outsider).get(HOUSEHOLDS, {"study": str(team.study.pk)})
    theirs = client_for(team.outsider).get(
        HOUSEHOLDS, {"study": str(team.outsider.memberships.get().study_id)}
    )

    assert mine.json()["count"] == 0
    assert [row["code"] for row in theirs.json()["results"]] == sorted([panel[0].code, other.code])


def test_a_malformed_study_filter_is_a_400(client_for, team):
    response = client_for(team.lead).get(HOUSEHOLDS, {"study": "nope"})

    assert response.status_code == 400
    assert response.json() == {"errors": {"study": ["Enter a valid UUID."]}}


def test_the_list_costs_the_same_queries_for_many_households(
    client_for, team, panel, django_assert_num_queries
):
    client = client_for(team.lead)
    # count, the page of households (with personal_data_visible), their visible contacts,
    # the audit entry recording whose contacts were shown
    with django_assert_num_queries(4):
        client.get(HOUSEHOLDS)
    enrol_consenting(team.study, 10, prefix="M")

    with django_assert_num_queries(4):
        response = client.get(HOUSEHOLDS)

    assert response.json()["count"] == 12
    shown = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).first()
    assert (shown.actor, len(shown.detail["households"])) == (team.lead, 12)


def test_the_lead_adds_a_household_to_the_panel(client_for, team):
    response = client_for(team.lead).post(
        HOUSEHOLDS,
        {
            "study": str(team.study.pk),
            "code": "H-100",
            "segment": {"region": "south"},
            "segment_phrase": "  retired,   coastal ",
            "name": "Ada Lovelace",
            "phone": "+44 20 0000 0000",
        },
    )

    assert response.status_code == 201, response.json()
    household = Household.objects.get(code="H-100")
    assert response.json()["contact"] == {
        "name": "Ada Lovelace",
        "address": "",
        "phone": "+44 20 0000 0000",
        "email": "",
    }
    assert household.segment == {"region": "south"}
    assert household.segment_phrase == "retired, coastal"
    assert Enrolment.objects.filter(study=team.study, household=household).exists()


def test_a_household_added_with_its_consents_and_no_code_gets_a_pseudonym(client_for, team):
    response = client_for(team.lead).post(
        HOUSEHOLDS,
        {
            "study": str(team.study.pk),
            "name": "Ana Silva",
            "email": "ana.silva@example.org",
            "participation_given_on": "2026-01-05",
            "photos_given_on": "2026-01-05",
            "consent_version": "2.1",
        },
    )

    assert response.status_code == 201, response.json()
    household = Household.objects.get(pk=response.json()["id"])
    assert household.code.startswith("H-")
    consents = Consent.objects.filter(household=household).order_by("kind")
    assert [(c.kind, c.version) for c in consents] == [
        (ConsentKind.PARTICIPATION, "2.1"),
        (ConsentKind.PHOTOS, "2.1"),
    ]
    # The same contact again is refused, as a second row of an import would be.
    again = client_for(team.lead).post(
        HOUSEHOLDS,
        {"study": str(team.study.pk), "name": "A. Silva", "email": "ana.silva@example.org"},
    )
    assert again.status_code == 400
    assert "email" in again.json()["errors"]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"code": "H-1"}, {"study": ["This field is required."]}),
        (
            {"study": "00000000-0000-0000-0000-000000000000", "code": "H-1"},
            {"study": ["Not found, or not in a study of yours."]},
        ),
        ({"study": "bad", "code": "H-1"}, {"study": ["Must be a valid UUID."]}),
        (
            {"code": "H-1", "segment": ["a"]},
            {"segment": ['Expected a dictionary of items but got type "list".']},
        ),
        # Checked as a row of a panel import is, by the same service.
        (
            {"code": "H-1", "email": "not an address", "phone": "12"},
            {
                "name": ["Give the contact's name."],
                "email": ["“not an address” is not an e-mail address."],
                "phone": [
                    "“12” is not a phone number: use digits, spaces and + ( ) - . / only, "
                    "6 to 15 digits."
                ],
            },
        ),
        (
            {"code": "H-1", "name": "Ana Silva", "participation_given_on": "2026-01-05"},
            {"consent_version": ["Give the version of the consent text the household agreed to."]},
        ),
    ],
)
def test_bad_household_input_is_a_400(client_for, team, payload, errors):
    payload = {"study": str(team.study.pk), **payload} if "study" not in errors else payload

    response = client_for(team.lead).post(HOUSEHOLDS, payload)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert not Household.objects.filter(code="H-1").exists()


def test_a_taken_code_is_a_400_and_saves_nothing(client_for, team, panel):
    response = client_for(team.lead).post(
        HOUSEHOLDS, {"study": str(team.study.pk), "code": panel[0].code, "name": "Twin"}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["code"]
    assert Household.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 400)],
)
def test_only_the_lead_adds_households(client_for, team, persona, status):
    response = client_for(getattr(team, persona)).post(
        HOUSEHOLDS, {"study": str(team.study.pk), "code": "H-100"}
    )

    assert response.status_code == status
    assert not Household.objects.filter(code="H-100").exists()


def test_the_lead_changes_a_household(client_for, team, panel):
    response = client_for(team.lead).patch(
        household_url(panel[0]),
        {"segment": {"region": "east"}, "segment_phrase": "parent of two", "phone": "+44 1"},
    )

    assert response.status_code == 200
    assert response.json()["segment"] == {"region": "east"}
    assert response.json()["segment_phrase"] == "parent of two"
    assert response.json()["contact"]["phone"] == "+44 1"
    panel[0].refresh_from_db()
    assert panel[0].contact.phone == "+44 1"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_only_the_lead_changes_a_household(client_for, team, panel, persona, status):
    response = client_for(getattr(team, persona)).patch(household_url(panel[0]), {"code": "X"})

    assert response.status_code == status
    panel[0].refresh_from_db()
    assert panel[0].code != "X"


def test_members_read_consents(client_for, team, panel):
    response = client_for(team.marketing).get(household_url(panel[0], "consents/"))

    assert response.status_code == 200
    [consent] = [item for item in response.json() if item["kind"] == "participation"]
    assert (consent["kind"], consent["version"], consent["in_force"]) == (
        "participation",
        "1.0",
        True,
    )


def test_the_lead_records_consent(client_for, team, panel):
    given_at = (timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)

    response = client_for(team.lead).post(
        household_url(panel[0], "consents/"),
        {"kind": "marketing", "version": "2.1", "given_at": given_at.isoformat()},
    )

    assert response.status_code == 201, response.json()
    consent = Consent.objects.get(pk=response.json()["id"])
    assert (consent.kind, consent.version, consent.given_at, consent.recorded_by) == (
        "marketing",
        "2.1",
        given_at,
        team.lead,
    )


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"kind": "gossip", "version": "1"}, {"kind": ['"gossip" is not a valid choice.']}),
        (
            {"kind": "photos", "version": "1", "given_at": "yesterday"},
            {
                "given_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        (
            {"kind": "photos", "version": "1", "given_at": "2020-01-01T10:00"},
            {"given_at": ["Include a UTC offset, e.g. 2027-01-12T09:00:00+00:00."]},
        ),
        (
            {"kind": "photos", "version": "1", "given_at": "2999-01-01T10:00Z"},
            {"given_at": ["Consent cannot be given in the future."]},
        ),
    ],
)
def test_bad_consent_input_is_a_400(client_for, team, panel, payload, errors):
    response = client_for(team.lead).post(household_url(panel[0], "consents/"), payload)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert panel[0].consents.count() == 2


@pytest.mark.parametrize("persona", ["researcher", "product", "marketing"])
def test_only_the_lead_records_and_withdraws_consent(client_for, team, panel, persona):
    client = client_for(getattr(team, persona))
    consent = panel[0].consents.get(kind=ConsentKind.PARTICIPATION)

    recorded = client.post(household_url(panel[0], "consents/"), {"kind": "photos", "version": "1"})
    withdrawn = client.post(f"/api/v1/consents/{consent.pk}/withdraw/")

    assert (recorded.status_code, withdrawn.status_code) == (403, 403)
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert panel[0].consents.count() == 2


def test_the_lead_withdraws_consent_once(client_for, team, panel):
    consent = panel[0].consents.get(kind=ConsentKind.PARTICIPATION)
    client = client_for(team.lead)

    first = client.post(f"/api/v1/consents/{consent.pk}/withdraw/")
    second = client.post(f"/api/v1/consents/{consent.pk}/withdraw/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["in_force"] is False
    assert first.json()["withdrawn_at"] == second.json()["withdrawn_at"]


def test_outsiders_cannot_withdraw_consent(client_for, team, panel):
    consent = panel[0].consents.get(kind=ConsentKind.PARTICIPATION)

    response = client_for(team.outsider).post(f"/api/v1/consents/{consent.pk}/withdraw/")

    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_a_household_only_in_another_study_stays_hidden(client_for, team):
    hidden = HouseholdFactory()
    EnrolmentFactory(study=team.outsider.memberships.get().study, household=hidden)
    ConsentFactory(household=hidden)

    response = client_for(team.lead).get(household_url(hidden))

    assert response.status_code == 404


@pytest.mark.parametrize("page", ["99", "null"])
def test_a_page_that_is_not_there_answers_404_as_the_schema_documents(
    client_for, team, panel, page
):
    response = client_for(team.lead).get(HOUSEHOLDS, {"page": page})

    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Invalid page."]}}


def test_a_body_of_an_unknown_content_type_answers_415_as_the_schema_documents(
    client_for, team, panel
):
    response = client_for(team.lead).patch(
        household_url(panel[0]), "phone=1", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json() == {
        "errors": {"detail": ['Unsupported media type "text/plain" in request.']}
    }
