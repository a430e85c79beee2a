"""Running a study: closing and reopening it, a draft becoming active with its first round,
and the API of both (PATCH /api/v1/studies/<id>/ and /api/v1/studies/<id>/guide/)."""

import datetime as dt

import pytest

from studies.common.errors import ConflictError
from studies.fieldwork.models import ObservationKind
from studies.scheduling import services
from studies.scheduling.models import GuideQuestion, NextGuideQuestion, Round, Study, StudyStatus
from studies.scheduling.services.guides import next_guide_replace
from studies.scheduling.services.rounds import GuideItem
from studies.scheduling.services.studies import study_close, study_reopen
from tests.conftest import enrol_consenting
from tests.factories import ObservationFactory, RoundFactory, VisitFactory

LEAD_DAY = dt.datetime(2026, 12, 11, 2, 15, tzinfo=dt.UTC)


def status_of(study: Study) -> str:
    return Study.objects.values_list("status", flat=True).get(pk=study.pk)


# --- Services ---------------------------------------------------------------------------


def test_a_draft_study_becomes_active_when_its_first_round_is_planned(team):
    Study.objects.filter(pk=team.study.pk).update(status=StudyStatus.DRAFT)
    team.study.refresh_from_db()
    enrol_consenting(team.study, 1)

    services.round_plan_next(study=team.study, now=LEAD_DAY)

    assert status_of(team.study) == StudyStatus.ACTIVE
    # So the periodic job carries on with the round after it.
    later = services.rounds_plan_due(now=LEAD_DAY + dt.timedelta(days=91))
    assert [o.round.label for o in later if o.round.study_id == team.study.pk] == ["2027-Q2"]


def test_a_closed_study_changes_no_more_but_keeps_its_data(team):
    study_close(study=team.study)

    with pytest.raises(ConflictError):
        services.study_update(study=team.study, title="Renamed")
    with pytest.raises(ConflictError):
        services.round_create(
            study=team.study,
            label="X",
            window_start=dt.date(2027, 1, 1),
            window_end=dt.date(2027, 1, 31),
        )

    assert Study.objects.get(pk=team.study.pk).title == team.study.title
    assert not Round.objects.filter(study=team.study).exists()
    planned = services.rounds_plan_due(now=LEAD_DAY)
    assert team.study.pk not in {outcome.round.study_id for outcome in planned}


def test_reopening_makes_a_study_with_rounds_active_and_one_without_a_draft(team):
    other = team.outsider.memberships.get().study
    RoundFactory(study=team.study)
    study_close(study=team.study)
    study_close(study=other)

    study_reopen(study=team.study)
    study_reopen(study=other)

    assert (status_of(team.study), status_of(other)) == (StudyStatus.ACTIVE, StudyStatus.DRAFT)


def test_reopening_may_bring_other_changes_with_it(team):
    study_close(study=team.study)

    services.study_update(study=team.study, status=StudyStatus.ACTIVE, title="Again")

    assert Study.objects.values_list("status", "title").get(pk=team.study.pk) == (
        "active",
        "Again",
    )


# --- API: closing and reopening through PATCH -------------------------------------------


def study_url(study: Study, suffix: str = "") -> str:
    return f"/api/v1/studies/{study.pk}/{suffix}"


def test_the_api_closes_and_reopens_through_the_same_rule(client_for, team):
    api = client_for(team.lead)

    closed = api.patch(study_url(team.study), {"status": "closed"}, format="json")
    refused = api.patch(study_url(team.study), {"title": "Renamed"}, format="json")
    reopened = api.patch(study_url(team.study), {"status": "active"}, format="json")

    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert refused.status_code == 409
    assert "is closed" in refused.json()["errors"]["study"][0]
    assert (reopened.status_code, reopened.json()["status"]) == (200, "active")
    assert Study.objects.get(pk=team.study.pk).title == team.study.title


# --- API: the guide -------------------------------------------------------------------


def guide_url(study: Study) -> str:
    return study_url(study, "guide/")


def test_members_read_the_next_guide_with_keys_and_answer_counts(client_for, team):
    round_ = RoundFactory(study=team.study)
    services.guide_replace(round_=round_, questions=[GuideItem("Fridge?", section="Kitchen")])
    question = round_.guide.get()
    ObservationFactory(
        visit=VisitFactory(round=round_, researcher=team.researcher),
        kind=ObservationKind.ANSWER,
        guide_question=question,
    )

    response = client_for(team.sales).get(guide_url(team.study))

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"key": str(question.key), "section": "Kitchen", "text": "Fridge?", "answer_count": 1}
        ],
        "written": False,
    }


def test_the_lead_replaces_the_guide_keeping_keys(client_for, team):
    first = next_guide_replace(study=team.study, items=[GuideItem("One?")])[0]

    response = client_for(team.lead).put(
        guide_url(team.study),
        {
            "items": [
                {"text": "New?", "section": "Start"},
                {"key": str(first.key), "text": "One, reworded?", "section": ""},
            ]
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["written"] is True
    assert [(i["section"], i["text"]) for i in body["items"]] == [
        ("Start", "New?"),
        ("", "One, reworded?"),
    ]
    assert body["items"][1]["key"] == str(first.key)


def test_an_empty_question_is_a_400_naming_it_and_nothing_changes(client_for, team):
    next_guide_replace(study=team.study, items=[GuideItem("Before?")])

    response = client_for(team.lead).put(
        guide_url(team.study),
        {"items": [{"text": "Fine?"}, {"text": "  "}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"items[1].text": ["Question 2 is empty: write it or remove it."]}
    }
    assert list(NextGuideQuestion.objects.values_list("text", flat=True)) == ["Before?"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": "not a list"},
        {"items": [{"key": "not-a-uuid", "text": "x"}]},
        {"items": [{"section": "no text"}]},
        {"items": [{"text": "x", "section": "s" * 121}]},
    ],
)
def test_malformed_guides_are_a_400(client_for, team, body):
    response = client_for(team.lead).put(guide_url(team.study), body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"errors"}
    assert not NextGuideQuestion.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 401), ("outsider", 404), ("researcher", 403), ("product", 403), ("lead", 200)],
)
def test_only_the_lead_writes_the_guide(client_for, team, persona, expected):
    user = getattr(team, persona) if persona else None

    response = client_for(user).put(
        guide_url(team.study), {"items": [{"text": "Q?"}]}, format="json"
    )

    assert response.status_code == expected
    assert NextGuideQuestion.objects.exists() == (expected == 200)


@pytest.mark.parametrize(("persona", "expected"), [(None, 401), ("outsider", 404), ("sales", 200)])
def test_the_team_reads_the_guide_and_others_do_not(client_for, team, persona, expected):
    user = getattr(team, persona) if persona else None

    assert client_for(user).get(guide_url(team.study)).status_code == expected


def test_a_closed_studys_guide_is_a_409(client_for, team):
    study_close(study=team.study)

    response = client_for(team.lead).put(
        guide_url(team.study), {"items": [{"text": "Q?"}]}, format="json"
    )

    assert response.status_code == 409
    assert not NextGuideQuestion.objects.exists()
    assert not GuideQuestion.objects.exists()
