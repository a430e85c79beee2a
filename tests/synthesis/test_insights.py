"""Insights: evidence across households and rounds, counts kept on the record, refusals."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from studies.common.errors import ConflictError
from studies.fieldwork.models import Photo, PhotoStatus
from studies.synthesis.models import Comment, Evidence, Insight
from studies.synthesis.selectors import rounds_backing
from studies.synthesis.services import insights
from tests.factories import ObservationFactory, TagFactory

pytestmark = pytest.mark.django_db


def create(field, **overrides):
    arguments = {
        "study": field.team.study,
        "actor": field.team.researcher,
        "statement": "  People lose track of   what is in the freezer. ",
        "observation_ids": [field.notes[0].pk, field.quotes[1].pk],
    }
    return insights.insight_create(**(arguments | overrides))


def test_it_counts_households_and_rounds_behind_an_insight(field):
    insight = create(field, research_question_id=field.question.pk, tag_ids=[field.pain.pk])

    insight.refresh_from_db()
    assert insight.statement == "People lose track of what is in the freezer."
    assert insight.evidence_count == 2
    assert insight.household_count == 2
    assert insight.latest_round == field.rounds[1]
    assert insight.research_question == field.question
    assert insight.first_observed_at == field.notes[0].captured_at
    assert rounds_backing(insight_ids=[insight.pk]) == {insight.pk: field.rounds}


def test_adding_evidence_twice_adds_it_once(field):
    insight = create(field)

    added = insights.insight_evidence_add(
        insight=insight,
        actor=field.team.lead,
        observation_ids=[field.quotes[1].pk, field.quotes[2].pk],
    )
    again = insights.insight_evidence_add(
        insight=insight, actor=field.team.lead, observation_ids=[field.quotes[2].pk]
    )

    insight.refresh_from_db()
    assert (added, again) == (1, 0)
    assert insight.evidence_count == 3
    assert insight.household_count == 3


def test_a_photo_of_the_evidence_becomes_the_cover(field):
    photo = Photo.objects.create(
        visit=field.quotes[1].visit,
        observation=field.quotes[1],
        author=field.team.researcher,
        captured_at=timezone.now(),
        status=PhotoStatus.READY,
    )

    insight = create(field)

    insight.refresh_from_db()
    assert insight.cover_photo == photo


def test_removing_evidence_recounts_and_the_last_piece_stays(field):
    insight = create(field)
    first, second = Evidence.objects.filter(insight=insight).order_by("created_at", "pk")

    insights.insight_evidence_remove(
        insight=insight, actor=field.team.lead, evidence_ids=[first.pk]
    )

    insight.refresh_from_db()
    assert insight.evidence_count == 1
    assert insight.household_count == 1
    with pytest.raises(ConflictError):
        insights.insight_evidence_remove(
            insight=insight, actor=field.team.lead, evidence_ids=[second.pk]
        )
    assert Evidence.objects.filter(insight=insight).count() == 1


def test_evidence_from_another_study_is_refused_and_nothing_is_saved(field):
    elsewhere = ObservationFactory()

    with pytest.raises(ValidationError) as refused:
        create(field, observation_ids=[field.notes[0].pk, elsewhere.pk])

    assert refused.value.message_dict == {
        "observations": [f"{elsewhere.pk} is not part of this study."]
    }
    assert not Insight.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"statement": "   "}, "statement"),
        ({"statement": "x" * 301}, "statement"),
        ({"observation_ids": []}, "observations"),
        ({"tag_ids": ["other study"]}, "tags"),
        ({"research_question_id": "other study"}, "research_question"),
    ],
)
def test_bad_insights_are_refused(field, overrides, field_name):
    if overrides.get("tag_ids") == ["other study"]:
        overrides["tag_ids"] = [TagFactory().pk]
    if overrides.get("research_question_id") == "other study":
        overrides["research_question_id"] = TagFactory().study.questions.create(text="?").pk

    with pytest.raises(ValidationError) as refused:
        create(field, **overrides)

    assert list(refused.value.message_dict) == [field_name]
    assert not Insight.objects.exists()


def test_deleted_observations_cannot_become_evidence(field):
    field.notes[0].deleted_at = timezone.now() - dt.timedelta(minutes=1)
    field.notes[0].save(update_fields=["deleted_at"])

    with pytest.raises(ValidationError):
        create(field, observation_ids=[field.notes[0].pk])


def test_a_comment_needs_words(field):
    insight = create(field)

    with pytest.raises(ValidationError):
        insights.comment_create(insight=insight, author=field.team.product, text="  ")
    comment = insights.comment_create(
        insight=insight, author=field.team.product, text=" Seen this too. "
    )

    assert list(Comment.objects.values_list("text", flat=True)) == ["Seen this too."]
    assert comment.author == field.team.product


def test_a_photo_still_processing_may_be_the_cover_but_a_failed_one_never(field):
    def photo(status, minutes_ago):
        return Photo.objects.create(
            visit=field.quotes[1].visit,
            observation=field.quotes[1],
            author=field.team.researcher,
            captured_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
            status=status,
            failure_reason="Not an image." if status == PhotoStatus.FAILED else "",
        )

    photo(PhotoStatus.FAILED, minutes_ago=10)
    pending = photo(PhotoStatus.PENDING, minutes_ago=5)

    insight = create(field)

    insight.refresh_from_db()
    assert insight.cover_photo == pending
