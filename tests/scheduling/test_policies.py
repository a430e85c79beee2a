"""The rules of the field about visits, each in its one home (studies/scheduling/policies.py),
and the consumers that ask them."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from studies.common.roles import Role
from studies.scheduling import policies, services
from studies.scheduling.models import GuideQuestion, VisitStatus
from tests.conftest import enrol_consenting
from tests.factories import RoundFactory, VisitFactory
from tests.fieldwork.sync_support import signed_in

NOW = dt.datetime(2027, 3, 27, 23, 30, tzinfo=dt.UTC)  # Sunday 28 March in Auckland


@pytest.mark.parametrize(
    ("role", "own", "may"),
    [
        (Role.RESEARCHER, True, True),
        (Role.RESEARCHER, False, False),
        (Role.RESEARCH_LEAD, False, True),
        (Role.PRODUCT, True, False),
        (Role.MARKETING, False, False),
        (Role.SALES, True, False),
        (None, True, False),
    ],
)
def test_who_may_conduct_a_visit(role, own, may):
    assert policies.may_conduct_visit(role=role, researcher_id=7, user_id=7 if own else 8) is may


def finished(hours_ago: float):
    return SimpleNamespace(
        status=VisitStatus.COMPLETED,
        researcher_id=7,
        finished_at=NOW - dt.timedelta(hours=hours_ago),
    )


@pytest.mark.parametrize(
    ("role", "user_id", "hours_ago", "may"),
    [
        (Role.RESEARCHER, 7, 1, True),
        (Role.RESEARCHER, 7, 24, True),
        (Role.RESEARCHER, 7, 24.01, False),
        (Role.RESEARCHER, 8, 1, False),
        (Role.RESEARCH_LEAD, 8, 24 * 90, True),
        (Role.PRODUCT, 7, 1, False),
    ],
)
def test_a_finished_visit_is_reopened_by_its_researcher_within_a_day_by_a_lead_any_time(
    role, user_id, hours_ago, may
):
    assert (
        policies.may_reopen_visit(role=role, visit=finished(hours_ago), user_id=user_id, now=NOW)
        is may
    )


def test_only_a_finished_visit_can_be_reopened():
    running = SimpleNamespace(status=VisitStatus.IN_PROGRESS, researcher_id=7, finished_at=None)

    assert (
        policies.may_reopen_visit(role=Role.RESEARCH_LEAD, visit=running, user_id=7, now=NOW)
        is False
    )


def test_the_field_window_is_whole_days_in_the_researchers_zone_across_a_clock_change():
    window = policies.field_window(now=NOW, zone=zoneinfo.ZoneInfo("Europe/London"), days=2)

    # 23:30 UTC on Saturday 27 March 2027 is 23:30 in London; the clocks go forward that night.
    assert (window.first_day, window.last_day) == (dt.date(2027, 3, 27), dt.date(2027, 3, 28))
    assert window.start == dt.datetime(2027, 3, 27, 0, 0, tzinfo=dt.UTC)
    assert window.end == dt.datetime(2027, 3, 28, 23, 0, tzinfo=dt.UTC)
    # Instants, not wall clocks: the day of the change is 23 hours long.
    assert window.end.astimezone(dt.UTC) - window.start.astimezone(dt.UTC) == dt.timedelta(hours=47)


# --- The consumers ---------------------------------------------------------------------------


@pytest.fixture
def field(team):
    """The researcher's visits around NOW (Auckland), in every state the window sorts."""
    team.researcher.time_zone = "Pacific/Auckland"
    team.researcher.save()
    round_ = RoundFactory(study=team.study, label="2027-Q1")
    households = enrol_consenting(team.study, 8)
    at = dt.datetime(2027, 3, 28, 9, 0, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland"))

    def visit(index, start, **fields):
        return VisitFactory(
            round=round_,
            household=households[index],
            researcher=team.researcher,
            scheduled_start=start,
            **fields,
        )

    return {
        "this morning, not started": visit(0, at - dt.timedelta(hours=2)),
        "this afternoon": visit(1, at + dt.timedelta(hours=5)),
        "finished today": visit(
            2,
            at - dt.timedelta(hours=1),
            status=VisitStatus.COMPLETED,
            finished_at=NOW - dt.timedelta(minutes=5),
        ),
        "cancelled today": visit(3, at, status=VisitStatus.CANCELLED),
        "in three days": visit(4, at + dt.timedelta(days=2)),
        "in four days": visit(5, at + dt.timedelta(days=3)),
        "still going from last week": visit(
            6,
            at - dt.timedelta(days=6),
            status=VisitStatus.IN_PROGRESS,
            started_at=at - dt.timedelta(days=6),
        ),
        "yesterday": visit(7, at - dt.timedelta(days=1)),
    }


def test_today_lists_exactly_the_visits_the_phone_keeps_offline(team, field):
    page = Client()

    with time_machine.travel(NOW, tick=False):
        page.force_login(team.researcher)
        today = page.get("/today/")
        bundle = signed_in(team.researcher).get("/api/v1/me/offline-bundle/").json()

    listed = [visit.pk for visit in today.context["visits"]]
    kept = [visit["id"] for visit in bundle["visits"]]
    expected = [
        field[name].pk
        for name in (
            "still going from last week",
            "this morning, not started",
            "finished today",
            "this afternoon",
            "in three days",
        )
    ]
    assert listed == expected
    assert kept == [str(pk) for pk in expected]


def test_a_researcher_reopens_her_visit_within_the_grace_and_a_lead_later(team, field):
    visit = field["finished today"]

    with time_machine.travel(NOW, tick=False):
        mine = signed_in(team.researcher).post(
            f"/api/v1/visits/{visit.pk}/transition/", {"status": "in_progress"}, format="json"
        )
    visit.refresh_from_db()
    assert mine.status_code == 200, mine.json()
    assert (visit.status, visit.finished_at) == (VisitStatus.IN_PROGRESS, None)

    services.visit_transition(visit=visit, actor=team.researcher, to_status=VisitStatus.COMPLETED)
    later = timezone.now() + policies.REOPEN_GRACE + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        too_late = signed_in(team.researcher).post(
            f"/api/v1/visits/{visit.pk}/transition/", {"status": "in_progress"}, format="json"
        )
        by_lead = signed_in(team.lead).post(
            f"/api/v1/visits/{visit.pk}/transition/", {"status": "in_progress"}, format="json"
        )

    assert too_late.status_code == 409
    assert too_late.json()["errors"] == {
        "status": [
            "This visit was finished more than 24 hours ago: ask a research lead to reopen it."
        ]
    }
    assert by_lead.status_code == 200
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS


def test_the_visit_page_offers_reopen_only_to_who_may(team, field):
    visit = field["finished today"]
    researcher, other = Client(), Client()

    with time_machine.travel(NOW, tick=False):
        researcher.force_login(team.researcher)
        other.force_login(team.researcher2)
        mine = researcher.get(f"/visits/{visit.pk}/")
        theirs = other.get(f"/visits/{visit.pk}/")

    assert [str(label) for _status, label in mine.context["transitions"]] == ["Reopen visit"]
    assert theirs.context["transitions"] == []


# --- Guides keep their questions ------------------------------------------------------------


def test_planning_carries_the_guide_with_the_same_questions(team):
    study = team.study
    study.status = "active"
    study.save()
    enrol_consenting(study, 1)
    first = RoundFactory(study=study, label="2026-Q4")
    services.guide_replace(
        round_=first, questions=["Walk me through a week.", "Show me the fridge."]
    )

    outcome = services.round_plan_next(study=study)

    carried = list(outcome.round.guide.asked())
    asked = list(first.guide.asked())
    assert [q.text for q in carried] == ["Walk me through a week.", "Show me the fridge."]
    assert [q.key for q in carried] == [q.key for q in asked]
    assert {q.pk for q in carried}.isdisjoint({q.pk for q in asked})


def test_a_question_named_by_id_keeps_its_identity_when_reworded_and_moved(team):
    round_ = RoundFactory(study=team.study)
    services.guide_replace(round_=round_, questions=["One?", "Two?"])
    one, two = round_.guide.asked()

    services.guide_replace(
        round_=round_,
        questions=[
            services.GuideItem(text="Two, reworded?", question_id=two.pk),
            services.GuideItem(text="One?", question_id=one.pk),
            "Three?",
        ],
    )

    reworded, kept, new = round_.guide.asked()
    assert (reworded.pk, reworded.key, reworded.text) == (two.pk, two.key, "Two, reworded?")
    assert (kept.pk, kept.position) == (one.pk, 1)
    assert new.text == "Three?"
    assert new.key not in {one.key, two.key}
    assert GuideQuestion.objects.filter(round=round_).count() == 3


def test_a_guide_naming_a_question_of_another_round_is_refused_and_nothing_changes(team):
    round_, other = RoundFactory(study=team.study), RoundFactory(study=team.study)
    services.guide_replace(round_=round_, questions=["One?"])
    services.guide_replace(round_=other, questions=["Elsewhere?"])
    stranger = other.guide.get()

    with pytest.raises(ValidationError) as refused:
        services.guide_replace(
            round_=round_, questions=[services.GuideItem(text="x", question_id=stranger.pk)]
        )

    assert "guide" in refused.value.message_dict
    assert [q.text for q in round_.guide.asked()] == ["One?"]
