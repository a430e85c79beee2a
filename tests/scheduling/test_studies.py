"""Studies, the household panel, consent and enrolment through their services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from studies.common.roles import Role
from studies.scheduling import services
from studies.scheduling.models import (
    Consent,
    ConsentKind,
    Enrolment,
    Household,
    HouseholdContact,
    Study,
)
from tests.factories import HouseholdFactory, StudyFactory, UserFactory


def test_the_creator_of_a_study_leads_it(db):
    creator = UserFactory()

    study = services.study_create(
        actor=creator,
        title="Food at home",
        why="How do families store food?",
        questions=["Where do leftovers go?", "Who decides what is thrown away?"],
        time_zone="Europe/London",
    )

    assert study.memberships.get().user == creator
    assert study.memberships.get().role == Role.RESEARCH_LEAD
    assert list(study.questions.values_list("text", flat=True)) == [
        "Where do leftovers go?",
        "Who decides what is thrown away?",
    ]
    assert (study.cadence, study.status, study.planning_lead_days) == ("quarterly", "draft", 21)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"why": ""}, "why"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"cadence": "weekly"}, "cadence"),
        ({"workday_start": dt.time(18), "workday_end": dt.time(9)}, "__all__"),
        ({"questions": ["Fine", "  "]}, "questions[1]"),
    ],
)
def test_an_invalid_study_is_refused_with_the_field_named_and_nothing_saved(db, fields, field):
    values = {"title": "T", "why": "W", **fields}

    with pytest.raises(ValidationError) as raised:
        services.study_create(actor=UserFactory(), **values)

    assert field in raised.value.message_dict
    assert not Study.objects.exists()


def test_new_studies_take_the_configured_planning_lead_time(db, settings):
    settings.RESEARCHHUB_PLANNING_LEAD_DAYS = 35

    study = services.study_create(actor=UserFactory(), title="T", why="W")

    assert study.planning_lead_days == 35


def test_updating_a_study_keeps_what_is_not_mentioned(db):
    study = StudyFactory(title="Old", visit_minutes=90)

    services.study_update(study=study, title="New", questions=["Q1"])

    study.refresh_from_db()
    assert (study.title, study.visit_minutes) == ("New", 90)
    assert list(study.questions.values_list("text", flat=True)) == ["Q1"]


def test_a_household_keeps_its_personal_data_apart(db):
    household = services.household_create(
        code="H-100",
        segment={"household size": "5", "region": "suburban"},
        name="Ada Example",
        phone="+44 20 7946 0100",
        email="ada@example.org",
    )

    assert household.segment == {"household size": "5", "region": "suburban"}
    assert HouseholdContact.objects.get(household=household).name == "Ada Example"
    assert not hasattr(Household, "name")


def test_a_duplicate_household_code_is_a_field_error(db):
    HouseholdFactory(code="H-001")

    with pytest.raises(ValidationError) as raised:
        services.household_create(code="H-001")

    assert list(raised.value.message_dict) == ["code"]
    assert Household.objects.count() == 1


def test_a_bad_email_saves_neither_household_nor_contact(db):
    with pytest.raises(ValidationError) as raised:
        services.household_create(code="H-002", email="not-an-email")

    assert list(raised.value.message_dict) == ["email"]
    assert not Household.objects.exists()


@pytest.mark.parametrize("segment", [["a", "b"], {"size": {"nested": 1}}, "text"])
def test_a_segment_must_be_flat_key_values(db, segment):
    with pytest.raises(ValidationError) as raised:
        services.household_create(code="H-003", segment=segment)

    assert list(raised.value.message_dict) == ["segment"]


def test_consent_is_in_force_from_given_until_withdrawn(db):
    household = HouseholdFactory()
    given = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    consent = services.consent_give(
        household=household,
        kind=ConsentKind.MARKETING,
        version="2.1",
        actor=None,
        given_at=given,
    )

    services.consent_withdraw(consent=consent, at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))

    in_force = Consent.objects.filter(household=household).in_force
    assert list(in_force(dt.datetime(2026, 3, 1, tzinfo=dt.UTC))) == [consent]
    assert list(in_force(dt.datetime(2026, 7, 1, tzinfo=dt.UTC))) == []


def test_consent_cannot_be_withdrawn_before_it_was_given(db):
    consent = services.consent_give(
        household=HouseholdFactory(),
        kind=ConsentKind.PHOTOS,
        version="1",
        actor=None,
        given_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )

    with pytest.raises(ValidationError):
        services.consent_withdraw(consent=consent, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_enrolling_twice_keeps_one_enrolment_and_reactivates_it(db):
    study, household = StudyFactory(), HouseholdFactory()
    services.household_enrol(study=study, household=household)
    services.household_unenrol(study=study, household=household)

    services.household_enrol(study=study, household=household)

    enrolment = Enrolment.objects.get()
    assert enrolment.left_at is None


def test_memberships_change_roles_in_place(db):
    study, user = StudyFactory(), UserFactory()
    services.membership_set(study=study, user=user, role=Role.PRODUCT)

    services.membership_set(study=study, user=user, role=Role.MARKETING)

    assert list(study.memberships.values_list("role", flat=True)) == [Role.MARKETING]
    with pytest.raises(ValidationError):
        services.membership_set(study=study, user=user, role="overlord")
