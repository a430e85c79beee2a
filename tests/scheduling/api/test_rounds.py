"""/api/v1/rounds/ and plan-next-round: creating, changing and planning rounds."""

import datetime as dt

import pytest

from studies.common.roles import Role
from studies.scheduling.models import GuideQuestion, Round, StudyStatus, Visit
from tests.conftest import enrol_consenting
from tests.factories import MembershipFactory, RoundFactory, StudyFactory, UserFactory

ROUNDS = "/api/v1/rounds/"


def round_url(round_: Round) -> str:
    return f"{ROUNDS}{round_.pk}/"


def plan_url(study) -> str:
    return f"/api/v1/studies/{study.pk}/plan-next-round/"


def with_guide(round_: Round, *questions: str) -> Round:
    GuideQuestion.objects.bulk_create(
        GuideQuestion(round=round_, position=index, text=text)
        for index, text in enumerate(questions)
    )
    return round_


def round_payload(study_, **overrides) -> dict:
    return {
        "study": str(study_.pk),
        "label": "2027-Q2",
        "window_start": "2027-04-01",
        "window_end": "2027-06-30",
        "guide": ["Show me your fridge.", "What did you throw away this week?"],
        **overrides,
    }


def test_it_refuses_anonymous_requests(api_client, fieldwork):
    assert api_client.get(ROUNDS).status_code == 401
    assert api_client.get(round_url(fieldwork.round)).status_code == 401
    assert api_client.post(ROUNDS, {}).status_code == 401


def test_members_list_the_rounds_of_their_studies(client_for, team, fieldwork):
    RoundFactory(study=team.outsider.memberships.get().study, label="Theirs")

    response = client_for(team.marketing).get(ROUNDS)

    assert response.status_code == 200
    assert [row["label"] for row in response.json()["results"]] == ["2027-Q1"]


def test_outsiders_neither_list_nor_read_the_rounds(client_for, team, fieldwork):
    client = client_for(team.outsider)

    assert client.get(ROUNDS, {"study": str(team.study.pk)}).json()["count"] == 0
    assert client.get(round_url(fieldwork.round)).status_code == 404


def test_the_list_filters_by_study(client_for, team, fieldwork):
    other = StudyFactory()
    MembershipFactory(study=other, user=team.lead, role=Role.RESEARCH_LEAD)
    RoundFactory(study=other, label="Other")
    client = client_for(team.lead)

    assert client.get(ROUNDS).json()["count"] == 2
    assert [
        row["label"] for row in client.get(ROUNDS, {"study": str(other.pk)}).json()["results"]
    ] == ["Other"]


def test_the_list_costs_the_same_queries_for_many_rounds(
    client_for, team, fieldwork, django_assert_num_queries
):
    with_guide(fieldwork.round, "One", "Two")
    client = client_for(team.product)
    # count, the page of rounds, their guides
    with django_assert_num_queries(3):
        client.get(ROUNDS)
    for index in range(6):
        with_guide(RoundFactory(study=team.study, label=f"Old-{index}"), "Q")

    with django_assert_num_queries(3):
        response = client.get(ROUNDS)

    assert response.json()["count"] == 7


def test_a_round_shows_its_guide_in_order(client_for, team, fieldwork):
    with_guide(fieldwork.round, "First", "Second", "Third")

    response = client_for(team.researcher).get(round_url(fieldwork.round))

    assert response.status_code == 200
    assert response.json() == {
        "id": str(fieldwork.round.pk),
        "study": str(team.study.pk),
        "label": "2027-Q1",
        "window_start": "2027-01-01",
        "window_end": "2027-03-31",
        "planned_automatically": False,
        "guide": ["First", "Second", "Third"],
        "created_at": response.json()["created_at"],
    }


def test_the_lead_creates_a_round(client_for, team):
    response = client_for(team.lead).post(ROUNDS, round_payload(team.study))

    assert response.status_code == 201, response.json()
    round_ = Round.objects.get(pk=response.json()["id"])
    assert (round_.study, round_.label, round_.window_start, round_.window_end) == (
        team.study,
        "2027-Q2",
        dt.date(2027, 4, 1),
        dt.date(2027, 6, 30),
    )
    assert response.json()["guide"] == [
        "Show me your fridge.",
        "What did you throw away this week?",
    ]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"window_start": "2027-06-30", "window_end": "2027-04-01"},
            {"window_end": ["The window must not end before it starts."]},
        ),
        (
            {"window_start": "2027-02-30"},
            {
                "window_start": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
        ),
        (
            {"window_end": "9999-12-31"},
            {"window_end": ["Use a date between 1970-01-01 and 2999-12-31."]},
        ),
        ({"guide": ["Fine", ""]}, {"guide[1]": ["This field may not be blank."]}),
        ({"guide": "not a list"}, {"guide": ['Expected a list of items but got type "str".']}),
        ({"study": "123"}, {"study": ["Must be a valid UUID."]}),
        (
            {"study": "00000000-0000-0000-0000-000000000000"},
            {"study": ["Not found, or not in a study of yours."]},
        ),
        ({"label": ""}, {"label": ["This field may not be blank."]}),
    ],
)
def test_bad_round_input_is_a_400_naming_the_field(client_for, team, overrides, errors):
    response = client_for(team.lead).post(ROUNDS, round_payload(team.study, **overrides))

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert not Round.objects.exists()


def test_a_duplicate_label_is_a_400_on_label(client_for, team, fieldwork):
    response = client_for(team.lead).post(ROUNDS, round_payload(team.study, label="2027-Q1"))

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"label": ["This study already has a round called 2027-Q1."]}
    }
    assert Round.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 400)],
)
def test_only_the_lead_creates_rounds(client_for, team, persona, status):
    response = client_for(getattr(team, persona)).post(ROUNDS, round_payload(team.study))

    assert response.status_code == status
    assert not Round.objects.exists()


def test_the_lead_replaces_the_guide_and_moves_the_window(client_for, team, fieldwork):
    with_guide(fieldwork.round, "Old question")

    response = client_for(team.lead).patch(
        round_url(fieldwork.round),
        {"guide": ["New first", "New second"], "window_end": "2027-02-28", "label": "Winter"},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["guide"] == ["New first", "New second"]
    fieldwork.round.refresh_from_db()
    assert (fieldwork.round.label, fieldwork.round.window_end) == ("Winter", dt.date(2027, 2, 28))


def test_a_window_cannot_shrink_past_a_booked_visit(client_for, team, fieldwork):
    response = client_for(team.lead).patch(
        round_url(fieldwork.round), {"window_start": "2027-02-01"}
    )

    assert response.status_code == 409
    assert response.json() == {
        "errors": {
            "window_start": [
                f"Visit to {fieldwork.households[0].code} on 2027-01-12 would fall outside the "
                "window; move or cancel it first."
            ]
        }
    }
    fieldwork.round.refresh_from_db()
    assert fieldwork.round.window_start == dt.date(2027, 1, 1)


def test_a_patched_window_is_checked_against_the_stored_start(client_for, team, fieldwork):
    response = client_for(team.lead).patch(round_url(fieldwork.round), {"window_end": "2026-12-01"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"window_end": ["The window must not end before it starts."]}
    }


def test_renaming_to_a_taken_label_is_a_400(client_for, team, fieldwork):
    RoundFactory(study=team.study, label="2026-Q4")

    response = client_for(team.lead).patch(round_url(fieldwork.round), {"label": "2026-Q4"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"label": ["This study already has a round called 2026-Q4."]}
    }


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_only_the_lead_changes_a_round(client_for, team, fieldwork, persona, status):
    with_guide(fieldwork.round, "Kept")

    response = client_for(getattr(team, persona)).patch(
        round_url(fieldwork.round), {"label": "Mine", "guide": []}
    )

    assert response.status_code == status
    fieldwork.round.refresh_from_db()
    assert fieldwork.round.label == "2027-Q1"
    assert list(fieldwork.round.guide.values_list("text", flat=True)) == ["Kept"]


@pytest.fixture
def early_march(time_machine):
    time_machine.move_to(dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC), tick=False)


def test_the_lead_plans_the_next_round_once(client_for, team, early_march):
    households = enrol_consenting(team.study, 3)
    previous = with_guide(
        RoundFactory(
            study=team.study,
            label="2027-Q1",
            window_start=dt.date(2027, 1, 1),
            window_end=dt.date(2027, 3, 31),
        ),
        "Carry me over",
    )
    client = client_for(team.lead)

    first = client.post(plan_url(team.study))
    second = client.post(plan_url(team.study))

    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["round"]["label"], body["round"]["window_start"], body["round"]["window_end"]) == (
        "2027-Q2",
        "2027-04-01",
        "2027-06-30",
    )
    assert body["round"]["guide"] == ["Carry me over"]
    assert (body["visits_proposed"], body["unplaced_households"]) == (3, [])
    assert second.status_code == 409
    assert second.json() == {"errors": {"round": ["Round 2027-Q2 is already planned."]}}
    planned = Round.objects.exclude(pk=previous.pk).get()
    assert sorted(
        Visit.objects.filter(round=planned).values_list("household__code", flat=True)
    ) == [household.code for household in households]


def test_households_without_a_researcher_are_reported_unplaced(db, client_for, early_march):
    lead = UserFactory()
    study = StudyFactory()
    MembershipFactory(study=study, user=lead, role=Role.RESEARCH_LEAD)
    households = enrol_consenting(study, 2)

    response = client_for(lead).post(plan_url(study))

    assert response.status_code == 201
    assert response.json()["visits_proposed"] == 0
    assert response.json()["unplaced_households"] == [household.code for household in households]


def test_a_closed_study_gets_no_new_round(client_for, team, early_march):
    team.study.status = StudyStatus.CLOSED
    team.study.save()

    response = client_for(team.lead).post(plan_url(team.study))

    assert response.status_code == 409
    assert response.json()["errors"]["study"] == [
        f"{team.study.title} is closed: its data stays, and nothing in it changes."
    ]
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("researcher", 403), ("product", 403), ("marketing", 403), ("outsider", 404)],
)
def test_only_the_lead_plans(client_for, team, early_march, persona, status):
    response = client_for(getattr(team, persona)).post(plan_url(team.study))

    assert response.status_code == status
    assert not Round.objects.exists()
