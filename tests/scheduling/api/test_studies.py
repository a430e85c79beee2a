"""/api/v1/studies/: listing, creating and changing studies, their team and enrolments."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from studies.accounts.services import api_token_create
from studies.common.roles import Role
from studies.scheduling.models import Enrolment, Study, StudyMembership
from tests.factories import (
    EnrolmentFactory,
    HouseholdFactory,
    MembershipFactory,
    StudyFactory,
    UserFactory,
)

STUDIES = "/api/v1/studies/"


def study_url(study: Study, suffix: str = "") -> str:
    return f"{STUDIES}{study.pk}/{suffix}"


def test_it_refuses_anonymous_requests(api_client, team):
    response = api_client.get(STUDIES)

    assert response.status_code == 401
    assert response.json() == {
        "errors": {"detail": ["Authentication credentials were not provided."]}
    }
    assert response["WWW-Authenticate"] == "Token"


def test_it_lists_only_the_users_studies_with_their_role_and_team(client_for, team):
    team.study.questions.create(text="Where do leftovers go?", position=0)

    response = client_for(team.product).get(STUDIES)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [study] = body["results"]
    assert study["id"] == str(team.study.pk)
    assert study["my_role"] == "product"
    assert study["questions"] == ["Where do leftovers go?"]
    assert study["time_zone"] == "Europe/London"
    assert [(member["username"], member["role"]) for member in study["team"]] == [
        ("marketing", "marketing"),
        ("product", "product"),
        ("lead", "research_lead"),
        ("researcher", "researcher"),
        ("researcher2", "researcher"),
        ("sales", "sales"),
    ]


def test_outsiders_see_only_their_own_study(client_for, team):
    response = client_for(team.outsider).get(STUDIES)

    assert [study["title"] for study in response.json()["results"]] == ["Another study"]


def test_the_list_costs_the_same_queries_for_many_studies(
    client_for, team, django_assert_num_queries
):
    client = client_for(team.lead)
    # count, the page of studies (with my_role), the teams with their users, the questions
    with django_assert_num_queries(4):
        client.get(STUDIES)
    for _index in range(5):
        MembershipFactory(user=team.lead, role=Role.RESEARCH_LEAD, study=StudyFactory())
        MembershipFactory(study=team.study)

    with django_assert_num_queries(4):
        response = client.get(STUDIES)

    assert response.json()["count"] == 6


def test_a_lead_creates_a_study_and_leads_it(client_for, team):
    response = client_for(team.lead).post(
        STUDIES,
        {
            "title": "Breakfast at home",
            "why": "What makes a weekday breakfast easy?",
            "questions": ["Who cooks?", "When?"],
            "cadence": "monthly",
            "time_zone": "America/New_York",
            "workday_start": "08:00",
            "workday_end": "16:00",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    study = Study.objects.get(pk=body["id"])
    assert (study.title, study.cadence, study.time_zone, study.status) == (
        "Breakfast at home",
        "monthly",
        "America/New_York",
        "draft",
    )
    assert body["my_role"] == "research_lead"
    assert body["questions"] == ["Who cooks?", "When?"]
    assert body["workday_start"] == "08:00:00"
    assert body["team"] == [
        {"username": "lead", "name": team.lead.get_full_name(), "role": "research_lead"}
    ]


@pytest.mark.parametrize("persona", ["researcher", "product", "marketing"])
def test_only_administrators_and_leads_start_studies(client_for, team, persona):
    response = client_for(getattr(team, persona)).post(STUDIES, {"title": "T", "why": "W"})

    assert response.status_code == 403
    assert response.json() == {
        "errors": {"detail": ["Only administrators and research leads start studies."]}
    }
    assert Study.objects.count() == 2


def test_an_administrator_in_no_study_may_start_one(client_for, db):
    admin = UserFactory(username="admin", is_staff=True)

    response = client_for(admin).post(STUDIES, {"title": "T", "why": "W"})

    assert response.status_code == 201
    assert response.json()["my_role"] == "research_lead"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"title": "No why"},
            {"why": ["This field is required."]},
        ),
        (
            {"title": "T", "why": "W", "time_zone": "Mars/Olympus"},
            {
                "time_zone": [
                    "Mars/Olympus is not a known time zone (use an IANA name such as "
                    "Europe/London)."
                ]
            },
        ),
        (
            {"title": "T", "why": "W", "workday_start": "18:00", "workday_end": "09:00"},
            {"workday_end": ["The working day must end after it starts."]},
        ),
        (
            {"title": "T", "why": "W", "questions": ["Fine", ""]},
            {"questions[1]": ["This field may not be blank."]},
        ),
        (
            {"title": "T", "why": "W", "cadence": "weekly", "visit_minutes": "long"},
            {
                "cadence": ['"weekly" is not a valid choice.'],
                "visit_minutes": ["A valid integer is required."],
            },
        ),
        (
            ["not", "an", "object"],
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        ),
    ],
)
def test_bad_study_input_is_a_400_naming_the_field(client_for, team, payload, errors):
    response = client_for(team.lead).post(STUDIES, payload)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert Study.objects.count() == 2


def test_malformed_json_is_a_400(client_for, team):
    response = client_for(team.lead).post(
        STUDIES, data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["detail"]


def test_members_read_a_study_and_outsiders_get_404(client_for, team):
    assert client_for(team.marketing).get(study_url(team.study)).json()["my_role"] == "marketing"
    response = client_for(team.outsider).get(study_url(team.study))

    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}


def test_a_malformed_uuid_is_a_404(client_for, team):
    assert client_for(team.lead).get(f"{STUDIES}not-a-uuid/").status_code == 404


def test_the_lead_changes_a_study(client_for, team):
    response = client_for(team.lead).patch(
        study_url(team.study), {"title": "Food at home", "questions": ["What is thrown away?"]}
    )

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["questions"]) == (
        "Food at home",
        ["What is thrown away?"],
    )
    team.study.refresh_from_db()
    assert team.study.title == "Food at home"


def test_a_patch_checks_the_working_day_against_the_stored_end(client_for, team):
    response = client_for(team.lead).patch(study_url(team.study), {"workday_start": "19:00"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"workday_end": ["The working day must end after it starts."]}
    }


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_only_the_lead_changes_a_study(client_for, team, persona, status):
    response = client_for(getattr(team, persona)).patch(study_url(team.study), {"title": "Mine"})

    assert response.status_code == status
    team.study.refresh_from_db()
    assert team.study.title != "Mine"


def test_members_list_the_team(client_for, team):
    response = client_for(team.researcher).get(study_url(team.study, "members/"))

    assert response.status_code == 200
    assert [member["username"] for member in response.json()] == [
        "marketing",
        "product",
        "lead",
        "researcher",
        "researcher2",
        "sales",
    ]


def test_the_lead_adds_a_member_by_username_and_changes_their_role(client_for, team):
    newcomer = UserFactory(username="newcomer")
    client = client_for(team.lead)

    added = client.post(
        study_url(team.study, "members/"), {"username": "newcomer", "role": "researcher"}
    )
    changed = client.post(
        study_url(team.study, "members/"), {"username": "newcomer", "role": "product"}
    )

    assert (added.status_code, added.json()["role"]) == (201, "researcher")
    assert (changed.status_code, changed.json()["role"]) == (200, "product")
    assert StudyMembership.objects.get(study=team.study, user=newcomer).role == "product"


def test_adding_an_unknown_user_is_a_400(client_for, team):
    response = client_for(team.lead).post(
        study_url(team.study, "members/"), {"username": "nobody", "role": "researcher"}
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"username": ["No one is called nobody."]}}


@pytest.mark.parametrize("persona", ["researcher", "product", "marketing", "sales"])
def test_only_the_lead_changes_the_team(client_for, team, persona):
    UserFactory(username="newcomer")
    client = client_for(getattr(team, persona))

    added = client.post(
        study_url(team.study, "members/"), {"username": "newcomer", "role": "researcher"}
    )
    removed = client.delete(study_url(team.study, "members/researcher2/"))

    assert (added.status_code, removed.status_code) == (403, 403)
    assert team.study.memberships.count() == 6


def test_the_lead_removes_a_member(client_for, team):
    response = client_for(team.lead).delete(study_url(team.study, "members/researcher2/"))

    assert response.status_code == 204
    assert not team.study.memberships.filter(user=team.researcher2).exists()


def test_removing_someone_not_on_the_team_is_a_404(client_for, team):
    response = client_for(team.lead).delete(study_url(team.study, "members/outsider/"))

    assert response.status_code == 404


def test_the_only_lead_cannot_leave_or_be_demoted(client_for, team):
    client = client_for(team.lead)

    removed = client.delete(study_url(team.study, "members/lead/"))
    demoted = client.post(
        study_url(team.study, "members/"), {"username": "lead", "role": "researcher"}
    )

    assert (removed.status_code, demoted.status_code) == (409, 409)
    assert removed.json() == {"errors": {"username": ["lead is the study's only research lead."]}}
    assert team.study.memberships.get(user=team.lead).role == "research_lead"


def test_the_lead_enrols_a_household_from_another_study_they_lead(client_for, team):
    other_study = StudyFactory()
    MembershipFactory(study=other_study, user=team.lead, role=Role.RESEARCH_LEAD)
    household = HouseholdFactory(code="H-900")
    EnrolmentFactory(study=other_study, household=household)

    response = client_for(team.lead).post(
        study_url(team.study, "enrolments/"), {"household": str(household.pk)}
    )

    assert response.status_code == 201
    assert response.json()["household"] == {"id": str(household.pk), "code": "H-900"}
    assert Enrolment.objects.filter(study=team.study, household=household).exists()


@pytest.mark.parametrize("household_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_enrolling_an_unknown_household_is_a_400(client_for, team, household_id):
    response = client_for(team.lead).post(
        study_url(team.study, "enrolments/"), {"household": household_id}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["household"]


def test_a_lead_cannot_enrol_a_household_of_a_panel_they_do_not_manage(client_for, team):
    household = HouseholdFactory()
    EnrolmentFactory(study=team.outsider.memberships.get().study, household=household)

    response = client_for(team.lead).post(
        study_url(team.study, "enrolments/"), {"household": str(household.pk)}
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"household": ["Not found, or not in a study of yours."]}}
    assert not Enrolment.objects.filter(study=team.study, household=household).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_only_the_lead_enrols(client_for, team, persona, status):
    left = timezone.now() - dt.timedelta(days=3)
    household = HouseholdFactory()
    EnrolmentFactory(study=team.study, household=household, left_at=left)

    response = client_for(getattr(team, persona)).post(
        study_url(team.study, "enrolments/"), {"household": str(household.pk)}
    )

    assert response.status_code == status
    assert Enrolment.objects.get(study=team.study, household=household).left_at == left


def test_integrations_authenticate_with_a_token(api_client, team):
    _token, key = api_token_create(user=team.lead, name="Spreadsheet")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api_client.get(STUDIES)

    assert response.json()["count"] == 1


def test_the_web_app_authenticates_with_its_session_and_csrf_token(team):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(team.lead)

    listed = client.get(STUDIES)
    forged = client.post(STUDIES, {"title": "T", "why": "W"})

    assert listed.json()["count"] == 1
    assert forged.status_code == 403
    assert Study.objects.count() == 2
