"""An erasure request deletes a household's personal data, photos and observations in one
transaction, takes effect in the same request everywhere, and leaves a record."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from studies.common.models import AuditAction, AuditEvent
from studies.fieldwork.models import Observation, Photo
from studies.privacy.models import Erasure
from studies.scheduling.models import (
    Consent,
    Enrolment,
    Household,
    HouseholdContact,
    Visit,
    VisitStatus,
)
from studies.synthesis.models import Evidence
from tests.factories import RoundFactory, VisitFactory
from tests.fieldwork.sync_support import signed_in, sync, upsert
from tests.privacy.conftest import stored_photo

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/"


def erase_url(household: Household) -> str:
    return f"/api/v1/households/{household.pk}/erase/"


def request_body(household: Household, **overrides: str) -> dict[str, str]:
    return {
        "confirm_code": household.code,
        "requested_on": "2026-11-30",
        "reference": "ticket 4411",
        **overrides,
    }


@pytest.fixture
def erased(field):
    return field.households[0]


def test_erasure_deletes_personal_data_photos_and_observations(
    client_for, field, quotable, django_capture_on_commit_callbacks
):
    household = field.households[0]
    household.contact.name = "Ottilie Brandt"
    household.contact.save()
    photo = stored_photo(field.quotes[0].visit, observation=field.quotes[0])
    files = [getattr(photo, name).name for name in ("original", "web_webp", "thumb_jpeg")]
    coming = VisitFactory(
        round=RoundFactory(
            study=field.team.study,
            label="2027-Q1",
            window_start=dt.date(2027, 1, 1),
            window_end=dt.date(2027, 3, 31),
        ),
        household=household,
        researcher=field.team.researcher,
        scheduled_start=timezone.now() + dt.timedelta(days=5),
        status=VisitStatus.SCHEDULED,
    )
    assert quotable.household_count == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(field.team.lead).post(erase_url(household), request_body(household))

    assert response.status_code == 201, response.json()
    household.refresh_from_db()
    assert household.erased_at is not None
    assert (household.segment, household.segment_phrase) == ({}, "")
    assert not HouseholdContact.objects.filter(household=household).exists()
    assert not Observation.objects.filter(visit__household=household).exists()
    assert not Photo.objects.filter(visit__household=household).exists()
    assert [default_storage.exists(name) for name in files] == [False, False, False]
    assert not Consent.objects.filter(household=household, withdrawn_at__isnull=True).exists()
    assert not Enrolment.objects.filter(household=household, left_at__isnull=True).exists()
    assert Visit.objects.get(pk=coming.pk).status == VisitStatus.CANCELLED
    quotable.refresh_from_db()
    assert (quotable.household_count, quotable.evidence_count) == (2, 2)
    assert not Evidence.objects.filter(observation__visit__household=household).exists()
    record = Erasure.objects.get(household=household)
    assert response.json() == {
        "id": str(record.pk),
        "household": str(household.pk),
        "household_code": household.code,
        "requested_on": "2026-11-30",
        "reference": "ticket 4411",
        "performed_by_username": "lead",
        "removed": {
            "observations": 2,
            "photos": 1,
            "photo_files": 5,
            "unfinished_uploads": 0,
            "contact": 1,
            "consents_withdrawn": 3,
            "enrolments_ended": 1,
            "visits_cancelled": 1,
            "insights_recounted": 1,
        },
        "created_at": response.json()["created_at"],
    }
    event = AuditEvent.objects.get(action=AuditAction.HOUSEHOLD_ERASED)
    assert (event.actor, event.target, event.detail["erasure"]) == (
        field.team.lead,
        household.code,
        str(record.pk),
    )
    assert "Ottilie" not in str(event.detail)


def test_erasure_takes_effect_in_the_quote_bank_exports_search_and_api(client_for, field, quotable):
    gone = field.quotes[0]
    client_for(field.team.lead).post(
        erase_url(field.households[0]), request_body(field.households[0])
    )

    marketer = client_for(field.team.marketing)
    bodies = [
        marketer.get("/api/v1/quotes/").content,
        b"".join(marketer.get("/api/v1/quotes/export.csv").streaming_content),
        b"".join(marketer.get("/api/v1/quotes/export.md").streaming_content),
        client_for(field.team.lead).get(SEARCH, {"q": "freezer"}).content,
        client_for(field.team.lead).get(f"/api/v1/insights/{quotable.pk}/").content,
    ]
    assert [gone.text.encode() in body for body in bodies] == [False] * 5
    assert all(field.quotes[1].text.encode() in body for body in bodies)


def test_a_wrong_confirmation_is_a_400_and_changes_nothing(client_for, field, erased):
    response = client_for(field.team.lead).post(
        erase_url(erased), request_body(erased, confirm_code="H-000")
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"confirm_code": [f"Type the household's code, {erased.code}, to confirm."]}
    }
    assert HouseholdContact.objects.filter(household=erased).exists()
    assert Observation.objects.filter(visit__household=erased).count() == 2
    assert not Erasure.objects.exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"requested_on": "soon"}, {"requested_on"}),
        ({"requested_on": "2999-01-01"}, {"requested_on"}),
        ({"reference": "x" * 201}, {"reference"}),
    ],
)
def test_bad_input_is_a_400_on_its_field(client_for, field, erased, body, errors):
    response = client_for(field.team.lead).post(erase_url(erased), request_body(erased, **body))

    assert response.status_code == 400
    assert set(response.json()["errors"]) == errors
    assert Household.objects.get(pk=erased.pk).erased_at is None


def test_erasing_twice_is_a_409(client_for, field, erased):
    lead = client_for(field.team.lead)
    lead.post(erase_url(erased), request_body(erased))

    again = lead.post(erase_url(erased), request_body(erased))

    assert again.status_code == 409
    assert again.json() == {"errors": {"household": ["This household's data was already erased."]}}
    assert Erasure.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_only_a_lead_of_its_study_erases(client_for, field, erased, persona, status):
    response = client_for(getattr(field.team, persona)).post(
        erase_url(erased), request_body(erased)
    )

    assert response.status_code == status
    assert HouseholdContact.objects.filter(household=erased).exists()
    assert not Erasure.objects.exists()


def test_items_captured_before_the_erasure_and_synced_after_are_refused(client_for, field, erased):
    visit = field.quotes[0].visit
    client_for(field.team.lead).post(erase_url(erased), request_body(erased))

    body = sync(
        signed_in(field.team.researcher),
        upsert(visit, captured_at=timezone.now() - dt.timedelta(days=12)),
    )

    [result] = body["results"]
    assert result["status"] == "rejected", result
    assert not Observation.objects.filter(visit=visit).exists()
