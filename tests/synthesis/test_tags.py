"""The study's tag taxonomy: merges lose no link, regrouping routes again, defaults, counts."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from studies.fieldwork.models import ObservationTag, Tag, TagGroup
from studies.synthesis.models import BoardCard, InsightTag, RoutingRule
from studies.synthesis.selectors import tag_counts
from studies.synthesis.services import insights, tags
from tests.factories import ObservationFactory, TagFactory

pytestmark = pytest.mark.django_db


def tag_observations(tag, *observations):
    ObservationTag.objects.bulk_create(ObservationTag(observation=o, tag=tag) for o in observations)


def make_insight(field, *tag_list, evidence):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="People lose track of what is in the freezer.",
        observation_ids=[o.pk for o in evidence],
        tag_ids=[tag.pk for tag in tag_list],
    )


def links(model, item, tag):
    return set(model.objects.filter(tag=tag).values_list(item, flat=True))


def live_boards(insight):
    return set(
        BoardCard.objects.filter(insight=insight, removed_at__isnull=True).values_list(
            "board__slug", flat=True
        )
    )


def test_a_merge_moves_every_link_and_collapses_duplicates(field):
    source = TagFactory(study=field.team.study, name="Freezer fog", group=TagGroup.PAIN_POINT)
    into = field.pain
    only_source, both, only_into = field.quotes
    tag_observations(source, only_source, both)
    tag_observations(into, both, only_into)
    tagged_source = make_insight(field, source, evidence=[only_source])
    tagged_both = make_insight(field, source, into, evidence=[both])
    tagged_into = make_insight(field, into, evidence=[only_into])
    rule = RoutingRule.objects.create(board=field.marketing, tag=source)

    outcome = tags.tag_merge(source=source, into=into, actor=field.team.lead)

    assert (outcome.observations_moved, outcome.insights_moved, outcome.rules_moved) == (1, 1, 1)
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert links(ObservationTag, "observation_id", into) == {o.pk for o in field.quotes}
    assert links(InsightTag, "insight_id", into) == {
        tagged_source.pk,
        tagged_both.pk,
        tagged_into.pk,
    }
    assert ObservationTag.objects.count() == 3
    assert InsightTag.objects.count() == 3
    rule.refresh_from_db()
    assert rule.tag_id == into.pk
    # The rule followed the tag, so everything now tagged `into` is on the marketing board.
    assert live_boards(tagged_source) == live_boards(tagged_into) == {"product", "marketing"}


def test_a_merge_across_studies_is_refused_and_changes_nothing(field):
    elsewhere = TagFactory(name="Elsewhere")
    tag_observations(field.pain, *field.quotes)

    with pytest.raises(ValidationError) as refused:
        tags.tag_merge(source=field.pain, into=elsewhere, actor=field.team.lead)

    assert refused.value.message_dict == {"into": ["Tags can only be merged within one study."]}
    assert Tag.objects.filter(pk__in=[field.pain.pk, elsewhere.pk]).count() == 2
    assert links(ObservationTag, "observation_id", field.pain) == {o.pk for o in field.quotes}
    assert not ObservationTag.objects.filter(tag=elsewhere).exists()


def test_a_tag_cannot_be_merged_into_itself(field):
    tag_observations(field.pain, *field.quotes)

    with pytest.raises(ValidationError) as refused:
        tags.tag_merge(source=field.pain, into=field.pain, actor=field.team.lead)

    assert refused.value.message_dict == {"into": ["A tag cannot be merged into itself."]}
    assert links(ObservationTag, "observation_id", field.pain) == {o.pk for o in field.quotes}


def test_regrouping_a_tag_routes_its_insights_again(field):
    insight = make_insight(field, field.loose, evidence=field.quotes)
    assert live_boards(insight) == set()

    tags.tag_update(tag=field.loose, actor=field.team.lead, group=TagGroup.PAIN_POINT)

    assert live_boards(insight) == {"product"}

    tags.tag_update(tag=field.loose, actor=field.team.lead, group="")

    assert live_boards(insight) == set()
    assert BoardCard.objects.filter(insight=insight, removed_at__isnull=False).count() == 1


def test_a_rename_onto_another_tags_name_is_refused(field):
    with pytest.raises(ValidationError) as refused:
        tags.tag_update(tag=field.loose, actor=field.team.lead, name="  freezer   BLINDNESS ")

    assert refused.value.message_dict == {
        "name": ["This study already has a tag called “freezer BLINDNESS”; merge into it instead."]
    }
    field.loose.refresh_from_db()
    assert field.loose.name == "Misc"


def test_the_default_tags_are_added_once(field):
    study = field.team.study
    before = set(Tag.objects.filter(study=study).values_list("pk", flat=True))

    created = tags.tags_ensure_defaults(study=study)
    again = tags.tags_ensure_defaults(study=study)

    assert [(tag.name, tag.group) for tag in created] == [
        ("Pain point", TagGroup.PAIN_POINT),
        ("Workaround", TagGroup.WORKAROUND),
        ("Delight", TagGroup.DELIGHT),
        ("Feature idea", TagGroup.FEATURE_IDEA),
        ("Quote-worthy", TagGroup.QUOTE_WORTHY),
        ("Unmet need", TagGroup.UNMET_NEED),
    ]
    assert len({tag.colour for tag in created}) == 6
    assert again == []
    assert Tag.objects.filter(study=study).count() == len(before) + 6


def test_a_default_tag_the_study_already_has_is_left_as_it_is(field):
    study = field.team.study
    own = TagFactory(study=study, name="delight", group="", colour="#123456")

    created = tags.tags_ensure_defaults(study=study)

    assert "Delight" not in [tag.name for tag in created]
    assert len(created) == 5
    own.refresh_from_db()
    assert (own.name, own.group, own.colour) == ("delight", "", "#123456")


def test_tag_counts_are_exact_per_round(field):
    first, latest = field.rounds
    tag_observations(field.pain, *field.notes, field.quotes[0])
    tag_observations(field.delight, field.quotes[1])
    gone = ObservationFactory(visit=field.quotes[2].visit, deleted_at=timezone.now())
    tag_observations(field.delight, gone)
    make_insight(field, field.pain, evidence=field.notes)
    make_insight(field, field.pain, field.delight, evidence=field.quotes)

    rounds, counts = tag_counts(study=field.team.study)

    assert rounds == [first, latest]
    by_name = {count.tag.name: count for count in counts}
    assert list(by_name) == [
        "Freezer blindness",
        "Joy of a clear shelf",
        "Misc",
        "Say it like this",
    ]
    pain, delight, loose = (
        by_name["Freezer blindness"],
        by_name["Joy of a clear shelf"],
        by_name["Misc"],
    )
    assert (pain.observations, pain.insights, pain.by_round) == (
        4,
        2,
        {first.pk: 3, latest.pk: 1},
    )
    # The deleted observation is not counted.
    assert (delight.observations, delight.insights, delight.by_round) == (1, 1, {latest.pk: 1})
    assert (loose.observations, loose.insights, loose.by_round) == (0, 0, {})
