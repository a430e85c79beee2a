"""The study's next discussion guide: question identity across rounds, planning carrying
it, rounds not yet open following it, answers kept, and what is refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from studies.common.errors import ConflictError
from studies.fieldwork.models import ObservationKind
from studies.scheduling import selectors, services
from studies.scheduling.models import GuideQuestion, NextGuideQuestion, StudyStatus
from studies.scheduling.services.guides import next_guide_replace
from studies.scheduling.services.rounds import GuideItem
from tests.conftest import enrol_consenting
from tests.factories import ObservationFactory, RoundFactory, VisitFactory

# 2026-12-11 is 21 days before 2027-Q1 opens.
LEAD_DAY = dt.datetime(2026, 12, 11, 2, 15, tzinfo=dt.UTC)


def guide_of(round_) -> list[tuple[str, str]]:
    return [(q.section, q.text) for q in round_.guide.asked()]


def next_guide(study) -> list[tuple[str, str]]:
    return [(q.section, q.text) for q in study.next_guide.order_by("position")]


def open_round(study, label="NOW", days_ago=3):
    today = services.study_today(study)
    return RoundFactory(
        study=study,
        label=label,
        window_start=today - dt.timedelta(days=days_ago),
        window_end=today + dt.timedelta(days=30),
    )


def future_round(study, label="SOON"):
    today = services.study_today(study)
    return RoundFactory(
        study=study,
        label=label,
        window_start=today + dt.timedelta(days=10),
        window_end=today + dt.timedelta(days=60),
    )


def answer(question: GuideQuestion, team):
    visit = VisitFactory(round=question.round, researcher=team.researcher)
    return ObservationFactory(
        visit=visit, author=team.researcher, kind=ObservationKind.ANSWER, guide_question=question
    )


def test_it_writes_the_guide_with_sections_and_new_keys(team):
    questions = next_guide_replace(
        study=team.study,
        items=[
            GuideItem(text="  Walk me through a week  ", section="Warm-up"),
            GuideItem(text="Show me the fridge", section="Kitchen"),
            GuideItem(text="What is thrown away?", section="Kitchen"),
        ],
    )

    assert next_guide(team.study) == [
        ("Warm-up", "Walk me through a week"),
        ("Kitchen", "Show me the fridge"),
        ("Kitchen", "What is thrown away?"),
    ]
    assert len({q.key for q in questions}) == 3


def test_a_question_named_by_key_keeps_its_key_when_reworded_and_moved(team):
    first, second = next_guide_replace(
        study=team.study, items=[GuideItem(text="One?"), GuideItem(text="Two?")]
    )

    next_guide_replace(
        study=team.study,
        items=[
            GuideItem(text="Two, reworded?", key=second.key, section="S"),
            GuideItem(text="One?", key=first.key),
            GuideItem(text="Three?"),
        ],
    )

    rows = list(team.study.next_guide.order_by("position"))
    assert [(r.key, r.text, r.section) for r in rows[:2]] == [
        (second.key, "Two, reworded?", "S"),
        (first.key, "One?", ""),
    ]
    assert rows[2].key not in {first.key, second.key}


def test_planning_carries_the_next_guide_into_the_new_round(team):
    enrol_consenting(team.study, 2)
    earlier = open_round(team.study, label="2026-Q4")
    services.guide_replace(round_=earlier, questions=["Old question"])
    written = next_guide_replace(
        study=team.study,
        items=[GuideItem(text="Fridge?", section="Kitchen"), GuideItem(text="Bins?")],
    )

    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)

    assert guide_of(outcome.round) == [("Kitchen", "Fridge?"), ("", "Bins?")]
    assert [q.key for q in outcome.round.guide.asked()] == [q.key for q in written]


def test_a_study_that_never_wrote_a_next_guide_carries_its_latest_rounds(team):
    latest = open_round(team.study, label="2026-Q4")
    services.guide_replace(
        round_=latest, questions=[GuideItem(text="Fridge?", section="Kitchen"), "Bins?"]
    )

    outcome = services.round_plan_next(study=team.study, now=LEAD_DAY)

    assert guide_of(outcome.round) == [("Kitchen", "Fridge?"), ("", "Bins?")]
    assert [q.key for q in outcome.round.guide.asked()] == [q.key for q in latest.guide.asked()]


def test_a_round_not_yet_open_follows_each_edit_by_key(team):
    soon = future_round(team.study)
    running = open_round(team.study)
    services.guide_replace(round_=running, questions=["As it runs?"])
    first, _second = next_guide_replace(
        study=team.study, items=[GuideItem(text="One?"), GuideItem(text="Two?")]
    )
    soon_first = soon.guide.get(key=first.key)

    next_guide_replace(
        study=team.study,
        items=[GuideItem(text="One, better?", key=first.key, section="New"), GuideItem("Three?")],
    )

    assert guide_of(soon) == [("New", "One, better?"), ("", "Three?")]
    # The same row: anything pointing at the question still does.
    assert soon.guide.get(key=first.key).pk == soon_first.pk
    assert guide_of(running) == [("", "As it runs?")]


def test_a_removed_question_with_answers_is_kept_off_the_guide_with_them(team):
    soon = future_round(team.study)
    first, second = next_guide_replace(
        study=team.study, items=[GuideItem(text="Kept?"), GuideItem(text="Answered?")]
    )
    answered = soon.guide.get(key=second.key)
    observation = answer(answered, team)

    next_guide_replace(study=team.study, items=[GuideItem(text="Kept?", key=first.key)])

    answered.refresh_from_db()
    observation.refresh_from_db()
    assert answered.position is None
    assert observation.guide_question_id == answered.pk
    assert guide_of(soon) == [("", "Kept?")]
    assert next_guide(team.study) == [("", "Kept?")]


def test_the_editor_counts_answers_by_key_across_rounds(team):
    running = open_round(team.study)
    services.guide_replace(round_=running, questions=["Fridge?", "Bins?"])
    fridge = running.guide.get(text="Fridge?")
    answer(fridge, team)
    answer(fridge, team)

    questions = list(selectors.next_guide_list(study=team.study, with_answer_counts=True))

    assert [(q.text, q.answer_count) for q in questions] == [("Fridge?", 2), ("Bins?", 0)]


def test_an_empty_question_is_refused_by_its_place_and_nothing_saved(team):
    soon = future_round(team.study)
    next_guide_replace(study=team.study, items=[GuideItem(text="Before?")])

    with pytest.raises(ValidationError) as raised:
        next_guide_replace(
            study=team.study,
            items=[GuideItem(text="Fine?"), GuideItem(text="   "), GuideItem(text="")],
        )

    assert raised.value.message_dict == {
        "items[1].text": ["Question 2 is empty: write it or remove it."],
        "items[2].text": ["Question 3 is empty: write it or remove it."],
    }
    assert next_guide(team.study) == [("", "Before?")]
    assert guide_of(soon) == [("", "Before?")]


def test_a_key_from_another_study_is_refused(team):
    elsewhere = next_guide_replace(
        study=team.outsider.memberships.get().study, items=[GuideItem(text="Theirs?")]
    )[0]

    with pytest.raises(ValidationError) as raised:
        next_guide_replace(study=team.study, items=[GuideItem(text="Mine?", key=elsewhere.key)])

    assert raised.value.message_dict == {"items[0].key": ["Question 1 is not one of this study's."]}
    assert not team.study.next_guide.exists()


def test_a_closed_study_refuses_a_new_guide(team):
    next_guide_replace(study=team.study, items=[GuideItem(text="Before?")])
    team.study.status = StudyStatus.CLOSED
    team.study.save()

    with pytest.raises(ConflictError):
        next_guide_replace(study=team.study, items=[GuideItem(text="After?")])

    assert list(NextGuideQuestion.objects.values_list("text", flat=True)) == ["Before?"]


def test_planning_first_and_writing_the_guide_after_fills_the_planned_round(team):
    enrol_consenting(team.study, 1)
    outcome = services.round_plan_next(study=team.study)
    assert guide_of(outcome.round) == []

    next_guide_replace(study=team.study, items=[GuideItem(text="Late but in time?")])

    assert guide_of(outcome.round) == [("", "Late but in time?")]
