"""Full-text search over observations, quotes and insights, on whichever database runs
(photos: test_search_photos.py).

CI runs this file on SQLite (FTS5) and on PostgreSQL (tsvector + GIN): every expectation
here must hold on both.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from studies.common.roles import Role
from studies.fieldwork.models import Observation, ObservationKind, ObservationTag
from studies.privacy.services import consent_withdraw
from studies.scheduling.models import Consent, ConsentKind, GuideQuestion
from studies.synthesis.models import Insight
from studies.synthesis.search.service import search
from studies.synthesis.services import insights
from tests.conftest import enrol_consenting
from tests.factories import MembershipFactory, ObservationFactory, RoundFactory, VisitFactory

pytestmark = pytest.mark.django_db


@dataclass
class Leftovers:
    """Four texts about leftovers, from the best match to the weakest."""

    twice_in_statement: Insight
    short_note: Observation
    long_quote: Observation
    in_description: Insight


def hits_of(page):
    return [(hit.kind, hit.id) for hit in page.hits]


def make_insight(field, statement, description="", evidence=None, tags=()):
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement=statement,
        description=description,
        observation_ids=[o.pk for o in (evidence or field.notes[:1])],
        tag_ids=[tag.pk for tag in tags],
    )


@pytest.fixture
def leftovers(field) -> Leftovers:
    visit = field.notes[0].visit
    return Leftovers(
        twice_in_statement=make_insight(
            field, "Leftovers are forgotten until the leftovers go off."
        ),
        short_note=ObservationFactory(visit=visit, text="Leftovers go in tubs."),
        long_quote=ObservationFactory(
            visit=field.quotes[1].visit,
            kind=ObservationKind.QUOTE,
            text=(
                "On Sunday we roast a chicken, on Monday we eat what is left, and by "
                "Wednesday nobody wants the leftovers any more so they sit at the back "
                "behind the milk and the jam."
            ),
        ),
        in_description=make_insight(
            field,
            "Labels fade in the cold.",
            description="Nobody reads the lids, so leftovers get thrown away.",
        ),
    )


def test_it_ranks_better_matches_first(field, leftovers):
    page = search(user=field.team.lead, query="leftovers")

    assert hits_of(page) == [
        ("insight", leftovers.twice_in_statement.pk),
        ("observation", leftovers.short_note.pk),
        ("quote", leftovers.long_quote.pk),
        ("insight", leftovers.in_description.pk),
    ]
    assert page.total == 4
    assert [hit.rank for hit in page.hits] == sorted((hit.rank for hit in page.hits), reverse=True)


def test_equal_matches_come_newest_first(field):
    # The three notes say the same thing in as many words; the last one was captured last.
    page = search(user=field.team.lead, query="takeaway", kinds={"observation"})

    assert hits_of(page) == [("observation", note.pk) for note in reversed(field.notes)]


def test_it_fills_each_hit_with_where_it_comes_from(field, leftovers):
    hits = {hit.id: hit for hit in search(user=field.team.lead, query="leftovers").hits}

    note = hits[leftovers.short_note.pk]
    assert note.kind == "observation"
    assert note.title == ""
    assert note.text == "Leftovers go in tubs."
    assert note.snippet == "<mark>Leftovers</mark> go in tubs."
    assert note.study_id == field.team.study.pk
    assert note.study_title == field.team.study.title
    assert note.round_label == "2026-Q3"
    assert note.household_code == field.households[0].code
    assert note.url == (f"/visits/{leftovers.short_note.visit_id}/#obs-{leftovers.short_note.pk}")
    assert note.at == leftovers.short_note.captured_at

    insight = hits[leftovers.in_description.pk]
    assert insight.kind == "insight"
    assert insight.title == "Labels fade in the cold."
    assert insight.title_html == "Labels fade in the cold."
    assert insight.snippet == "Nobody reads the lids, so <mark>leftovers</mark> get thrown away."
    assert insight.round_label == "2026-Q3"
    assert insight.household_code == ""
    assert insight.url == f"/insights/{leftovers.in_description.pk}/"


def test_a_quote_hit_names_who_said_it(field):
    page = search(user=field.team.lead, query="late", kinds={"quote"})

    assert {(hit.household_code, hit.round_label, hit.speaker) for hit in page.hits} == {
        (household.code, "2026-Q4", "mother, 40s") for household in field.households
    }


def test_an_answer_hit_shows_its_question_in_the_words_it_was_asked(field):
    question = GuideQuestion.objects.create(
        round=field.rounds[0], position=0, text="Where do leftovers go?"
    )
    answered_before = ObservationFactory(
        visit=field.notes[0].visit,
        kind=ObservationKind.ANSWER,
        text="Into the bottom drawer.",
        guide_question=question,
        question_text="Where do leftovers go?",
    )
    question.text = "Where do leftovers end up?"
    question.save(update_fields=["text"])
    answered_after = ObservationFactory(
        visit=field.notes[1].visit,
        kind=ObservationKind.ANSWER,
        text="The drawer under the oven.",
        guide_question=question,
    )
    note = ObservationFactory(visit=field.notes[2].visit, text="A drawer of spare lids.")

    hits = {hit.id: hit for hit in search(user=field.team.product, query="drawer").hits}

    assert {pk: (hit.kind, hit.question) for pk, hit in hits.items()} == {
        answered_before.pk: ("observation", "Where do leftovers go?"),
        answered_after.pk: ("observation", "Where do leftovers end up?"),
        note.pk: ("observation", ""),
    }
    assert hits[answered_before.pk].answer == answered_before
    assert hits[note.pk].answer is None


def test_a_quote_hit_says_whether_marketing_may_use_it_now(field):
    codes = [household.code for household in field.households]

    def cleared(user):
        page = search(user=user, query="late", kinds={"quote"})
        return {hit.household_code: hit.cleared_for_marketing for hit in page.hits}

    before = cleared(field.team.lead)
    consent = Consent.objects.get(household=field.households[0], kind=ConsentKind.MARKETING)
    consent_withdraw(consent=consent, actor=field.team.lead)

    # Research roles, product and sales find every quote, labelled; marketing finds only
    # the quotes it may use, as in the quote bank.
    assert before == {codes[0]: True, codes[1]: True, codes[2]: False}
    assert cleared(field.team.product) == {codes[0]: False, codes[1]: True, codes[2]: False}
    assert cleared(field.team.marketing) == {codes[1]: True}
    assert [
        hit.not_for_marketing for hit in search(user=field.team.lead, query="takeaway").hits
    ] == [False] * 3


def test_the_speaker_is_searched_too(field):
    page = search(user=field.team.lead, query="mother")

    assert sorted(hits_of(page)) == sorted(("quote", quote.pk) for quote in field.quotes)


def test_matches_are_marked_and_everything_else_escaped(field):
    hostile = ObservationFactory(
        visit=field.notes[0].visit,
        text='Typed <script>alert(1)</script> into the "leftovers" & tubs box',
    )
    insight = make_insight(field, "<b>Leftovers</b> & 'tubs'", evidence=[hostile])

    hits = {hit.id: hit for hit in search(user=field.team.lead, query="leftovers").hits}

    assert hits[hostile.pk].snippet == (
        "Typed &lt;script&gt;alert(1)&lt;/script&gt; into the "
        "&quot;<mark>leftovers</mark>&quot; &amp; tubs box"
    )
    assert hits[insight.pk].title_html == (
        "&lt;b&gt;<mark>Leftovers</mark>&lt;/b&gt; &amp; &#x27;tubs&#x27;"
    )


def test_the_characters_used_as_markers_cannot_forge_a_mark(field):
    sneaky = ObservationFactory(
        visit=field.notes[0].visit, text="odd \x03bytes\x02 around leftovers"
    )

    (hit,) = search(user=field.team.lead, query="leftovers").hits

    assert hit.id == sneaky.pk
    assert hit.snippet == "odd bytes around <mark>leftovers</mark>"


def test_a_long_text_is_cut_around_its_first_match(field):
    words = [f"word{n}" for n in range(60)]
    words[20] = "leftovers"
    long_note = ObservationFactory(visit=field.notes[0].visit, text=" ".join(words))

    (hit,) = search(user=field.team.lead, query="leftovers").hits

    assert hit.id == long_note.pk
    assert hit.snippet == (
        "… " + " ".join(words[12:20]) + " <mark>leftovers</mark> " + " ".join(words[21:42]) + " …"
    )
    assert hit.text == long_note.text


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ({"observation"}, {"observation"}),
        ({"quote"}, {"quote"}),
        ({"insight"}, {"insight"}),
        ({"observation", "quote"}, {"observation", "quote"}),
        ({"observation", "quote", "insight"}, {"observation", "quote", "insight"}),
    ],
)
def test_it_finds_only_the_kinds_asked_for(field, leftovers, kinds, expected):
    page = search(user=field.team.lead, query="leftovers", kinds=kinds)

    assert {hit.kind for hit in page.hits} == expected
    assert page.total == len(page.hits)


def test_asking_for_no_kind_finds_nothing(field, leftovers):
    assert search(user=field.team.lead, query="leftovers", kinds=set()).total == 0


def test_it_narrows_to_a_round(field, leftovers):
    latest = field.rounds[1]
    backed_by_latest = make_insight(field, "Jam is a leftover too.", evidence=[field.quotes[0]])

    page = search(user=field.team.lead, query="leftovers", round_id=latest.pk)

    assert sorted(hits_of(page)) == sorted(
        [("quote", leftovers.long_quote.pk), ("insight", backed_by_latest.pk)]
    )


def test_it_narrows_to_a_tag(field, leftovers):
    ObservationTag.objects.create(observation=leftovers.short_note, tag=field.pain)
    tagged = make_insight(field, "Leftovers pile up.", tags=[field.pain])

    page = search(user=field.team.lead, query="leftovers", tag_id=field.pain.pk)

    assert sorted(hits_of(page)) == sorted(
        [("observation", leftovers.short_note.pk), ("insight", tagged.pk)]
    )


def test_it_narrows_to_a_study(field, leftovers):
    other = make_other_study(field, text="Leftovers in the other study.")
    MembershipFactory(study=other.visit.round.study, user=field.team.lead, role=Role.RESEARCHER)

    everywhere = search(user=field.team.lead, query="leftovers")
    only_other = search(
        user=field.team.lead, query="leftovers", study_id=other.visit.round.study_id
    )

    assert everywhere.total == 5
    assert hits_of(only_other) == [("observation", other.pk)]


def make_other_study(field, text):
    """An observation in the outsider's study, which the team is not on."""
    study = field.team.outsider.memberships.get().study
    household = enrol_consenting(study, 1, prefix="O")[0]
    visit = VisitFactory(
        round=RoundFactory(study=study, label="OTHER-1"),
        household=household,
        researcher=field.team.outsider,
    )
    return ObservationFactory(visit=visit, text=text)


def test_nobody_finds_what_is_in_a_study_they_are_not_on(field, leftovers):
    theirs = make_other_study(field, text="Leftovers in the other study.")

    team_sees = search(user=field.team.lead, query="leftovers")
    outsider_sees = search(user=field.team.outsider, query="leftovers")
    outsider_filters_our_study = search(
        user=field.team.outsider, query="leftovers", study_id=field.team.study.pk
    )

    assert theirs.pk not in {hit.id for hit in team_sees.hits}
    assert team_sees.total == 4
    assert hits_of(outsider_sees) == [("observation", theirs.pk)]
    assert outsider_filters_our_study.total == 0


@pytest.mark.parametrize("persona", ["lead", "researcher", "researcher2", "product", "marketing"])
def test_every_member_of_the_study_can_search_it(field, leftovers, persona):
    assert search(user=getattr(field.team, persona), query="leftovers").total == 4


def test_an_anonymous_user_finds_nothing(field, leftovers):
    assert search(user=AnonymousUser(), query="leftovers").total == 0


def test_deleted_observations_never_appear(field, leftovers):
    note = leftovers.short_note
    note.deleted_at = timezone.now()
    note.save(update_fields=["deleted_at", "updated_at"])

    page = search(user=field.team.lead, query="leftovers")

    assert note.pk not in {hit.id for hit in page.hits}
    assert page.total == 3


def test_an_edited_observation_is_found_by_its_new_words_at_once(field, leftovers):
    note = leftovers.short_note
    note.text = "Soup goes in jars."
    note.save(update_fields=["text", "updated_at"])

    assert note.pk not in {hit.id for hit in search(user=field.team.lead, query="leftovers").hits}
    assert hits_of(search(user=field.team.lead, query="soup")) == [("observation", note.pk)]


def test_an_observation_removed_for_good_is_gone_at_once(field, leftovers):
    leftovers.short_note.delete()

    assert search(user=field.team.lead, query="leftovers").total == 3


def test_an_edited_insight_is_found_by_its_new_words_at_once(field, leftovers):
    insight = leftovers.in_description
    insights.insight_update(
        insight=insight,
        actor=field.team.lead,
        statement="Lids go missing.",
        description="Containers without lids end up in the bin.",
    )

    page = search(user=field.team.lead, query="leftovers")
    found = search(user=field.team.lead, query="lids missing")

    assert insight.pk not in {hit.id for hit in page.hits}
    assert hits_of(found) == [("insight", insight.pk)]


def test_a_deleted_insight_is_gone_at_once(field, leftovers):
    leftovers.twice_in_statement.delete()

    assert hits_of(search(user=field.team.lead, query="leftovers"))[0] == (
        "observation",
        leftovers.short_note.pk,
    )


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("", 0),
        ("   ", 0),
        ('"', 0),
        ('""', 0),
        ("AND OR NOT", 0),
        ("the", 0),
        ("*", 0),
        ("x'y", 0),
        ("😀", 0),
        ("-leftovers", 0),
        ("\x00", 0),
        ("'); DROP TABLE fieldwork_observation; --", 0),
        ("NEAR(leftovers tubs)", 0),
        ("main:leftovers", 0),
        ("((leftovers", 4),
        ("leftovers:*", 4),
        ("^leftovers", 4),
        ("leftovers\x00", 4),
        ('"leftovers', 4),
        ("Leftovers!", 4),
        ("LEFTOVERS", 4),
        ("leftover", 4),
        ("leftovers 😀", 4),
        ("leftovers -tubs", 3),
        ("leftovers or jam", 4),
        ("tubs or chicken", 5),
        ('"go in tubs"', 1),
        ("l" * 200, 0),
    ],
)
def test_any_text_is_a_valid_query(field, leftovers, query, total):
    assert search(user=field.team.lead, query=query).total == total


def test_a_query_longer_than_200_characters_is_refused(field):
    with pytest.raises(ValidationError) as refused:
        search(user=field.team.lead, query="l" * 201)

    assert refused.value.message_dict == {"q": ["Search with at most 200 characters."]}


def test_bad_kinds_and_pages_are_refused_by_name(field):
    with pytest.raises(ValidationError) as refused:
        search(user=field.team.lead, query="x", kinds={"video"}, page=0, page_size=51)

    assert refused.value.message_dict == {
        "kind": ["Unknown kind video: use observation, quote, insight, photo."],
        "page": ["Pages are numbered from 1 to 1000."],
        "page_size": ["Ask for 1 to 50 results a page."],
    }


def test_it_pages_through_the_results(field, leftovers):
    first = search(user=field.team.lead, query="leftovers", page_size=3)
    second = search(user=field.team.lead, query="leftovers", page=2, page_size=3)
    beyond = search(user=field.team.lead, query="leftovers", page=3, page_size=3)

    assert hits_of(first) + hits_of(second) == hits_of(
        search(user=field.team.lead, query="leftovers")
    )
    assert (first.total, second.total, beyond.total) == (4, 4, 4)
    assert (first.page_count, first.has_previous, first.has_next) == (2, False, True)
    assert (second.has_previous, second.has_next) == (True, False)
    assert beyond.hits == []


def test_a_page_costs_three_queries_whatever_its_size(field, leftovers, django_assert_num_queries):
    for _ in range(5):
        ObservationFactory(visit=field.notes[1].visit, text="More leftovers.")

    # The ranked page with its highlights, the page's observations, the page's insights.
    with django_assert_num_queries(3):
        page = search(user=field.team.lead, query="leftovers")

    assert page.total == 9
    assert {hit.kind for hit in page.hits} == {"observation", "quote", "insight"}


def test_a_query_with_nothing_to_search_costs_no_query(field, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert search(user=field.team.lead, query="  ").total == 0


def test_a_page_past_the_end_counts_once_more(field, leftovers, django_assert_num_queries):
    # The ranked page (empty), then the count it could not carry.
    with django_assert_num_queries(2):
        page = search(user=field.team.lead, query="leftovers", page=9)

    assert (page.hits, page.total) == ([], 4)


def test_words_are_matched_by_their_stem(field):
    note = ObservationFactory(visit=field.notes[0].visit, text="She was labelling the jars.")

    assert hits_of(search(user=field.team.lead, query="labels")) == [("observation", note.pk)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_what_is_there_and_can_be_undone(team):
    # Built from factories: a transactional test cannot count on the boards that data
    # migrations seed, as an earlier one may have flushed them.
    visit = VisitFactory(
        round=RoundFactory(study=team.study),
        household=enrol_consenting(team.study, 1)[0],
        researcher=team.researcher,
    )
    indexed = ObservationFactory(visit=visit, text="Leftovers in tubs.")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("synthesis", "0002_default_boards_and_rules")])
    written_without_index = ObservationFactory(visit=visit, text="Leftovers from before.")

    MigrationExecutor(connection).migrate(latest)

    page = search(user=team.lead, query="leftovers")
    assert sorted(hits_of(page)) == sorted(
        [("observation", indexed.pk), ("observation", written_without_index.pk)]
    )
