"""`generate_dataset`: a seeded dataset at scale, here at a tiny size."""

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import F

from studies.common.models import User
from studies.common.roles import Role
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    Photo,
    PhotoStatus,
    PhotoTag,
    Tag,
    TagGroup,
)
from studies.scheduling.models import (
    Consent,
    ConsentKind,
    Household,
    HouseholdContact,
    Round,
    Study,
    StudyMembership,
    Visit,
)
from studies.synthesis.models import (
    BoardCard,
    CardEvent,
    Column,
    Evidence,
    Insight,
    InsightTag,
    QuoteUse,
    Webhook,
)
from studies.synthesis.services.insights import insight_stats_refresh

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Wednesday in the middle of 2026-Q2: the rounds are 2025-Q2 to 2026-Q1.
TODAY = dt.datetime(2026, 5, 13, 10, 30, tzinfo=LONDON)
TINY = ["--households", "20", "--observations", "300", "--insights", "30", "--photos", "40"]


@pytest.fixture(autouse=True)
def _private_media_and_a_fixed_day(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(TODAY, tick=False):
        yield


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_dataset", *TINY, *args, stdout=out)
    return out.getvalue()


def observation_rows() -> list[tuple]:
    return list(
        Observation.objects.order_by("captured_at").values_list(
            "id", "kind", "text", "speaker", "captured_at", "visit__household__code"
        )
    )


def insight_rows() -> list[tuple]:
    return list(
        Insight.objects.order_by("id", "cards__board__slug").values_list(
            "id", "statement", "evidence_count", "created_at", "cards__column"
        )
    )


def test_it_builds_exactly_the_sizes_asked_for():
    generate()

    assert Study.objects.count() == 10
    assert Round.objects.count() == 40
    assert Household.objects.count() == HouseholdContact.objects.count() == 20
    assert Observation.objects.count() == 300
    assert Photo.objects.count() == 40
    assert Insight.objects.count() == 30
    assert set(Round.objects.values_list("label", flat=True)) == {
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    }
    assert User.objects.filter(username__startswith="dataset-").count() == 29


def test_every_study_has_tags_of_all_six_groups_and_a_mix_of_kinds():
    generate()

    for study in Study.objects.all():
        groups = set(Tag.objects.filter(study=study).values_list("group", flat=True))
        assert groups == set(TagGroup.values), study.title
    kinds = set(Observation.objects.values_list("kind", flat=True))
    assert kinds == set(ObservationKind.values)
    # Every observation's visit is a completed visit of its own household's study.
    assert not Observation.objects.exclude(visit__status="completed").exists()


def test_households_have_segment_phrases_and_consents_of_every_kind():
    generate()

    assert not Household.objects.filter(segment_phrase="").exists()
    assert Consent.objects.filter(kind=ConsentKind.PARTICIPATION).count() == 20
    assert Consent.objects.filter(kind=ConsentKind.MARKETING).exists()
    # The first household of each panel consents to everything and never withdraws.
    assert Consent.objects.in_force().filter(kind=ConsentKind.MARKETING).count() >= 10


def test_photos_are_ready_and_share_a_few_real_files(settings):
    generate()

    photos = Photo.objects.all()
    assert {photo.status for photo in photos} == {PhotoStatus.READY}
    files = {photo.web_jpeg.name for photo in photos}
    assert len(files) <= 11
    for name in files:
        assert (settings.MEDIA_ROOT / name).stat().st_size > 0
    # Photos are taken only in homes that allow them.
    assert not Photo.objects.exclude(visit__household__consents__kind=ConsentKind.PHOTOS).exists()
    # Those taken on their own carry tags of their own study, as a phone tags them.
    alone = photos.filter(observation__isnull=True)
    assert alone.filter(tags__isnull=False).exists()
    assert not PhotoTag.objects.exclude(tag__study=F("photo__visit__round__study")).exists()
    assert not PhotoTag.objects.filter(photo__observation__isnull=False).exists()


def test_answers_keep_the_words_asked_and_a_question_keeps_its_key_across_rounds():
    generate()

    answers = Observation.objects.filter(kind=ObservationKind.ANSWER).select_related(
        "guide_question"
    )
    assert answers.exists()
    assert all(answer.question_text == answer.guide_question.text for answer in answers)
    study = Study.objects.order_by("title").first()
    keys = [
        {question.text: question.key for question in round_.guide.asked()}
        for round_ in study.rounds.order_by("window_start")
    ]
    kept = "Tell us about the last time you threw food away."
    assert keys[0][kept] == keys[1][kept]
    reworded = "How do you keep track of what is in the freezer now?"
    assert keys[2][reworded] == keys[1]["How do you know what is in the freezer right now?"]


def test_the_product_and_marketing_logins_see_every_study():
    generate()

    for username in ("dataset-product-01", "dataset-marketing-01"):
        roles = set(
            StudyMembership.objects.filter(user__username=username).values_list("role", flat=True)
        )
        studies = StudyMembership.objects.filter(user__username=username).count()
        assert studies == 10
        assert roles == ({Role.PRODUCT} if "product" in username else {Role.MARKETING})


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    generate("--seed", "7")
    first = observation_rows(), insight_rows()

    generate("--seed", "7", "--reset")
    again = observation_rows(), insight_rows()

    generate("--seed", "8", "--reset")
    other = observation_rows(), insight_rows()

    assert again == first
    assert [row[2] for row in other[0]] != [row[2] for row in first[0]]
    assert other[1] != first[1]


def test_every_insights_counts_match_a_recount():
    generate()

    for insight in Insight.objects.all():
        stored = (
            insight.evidence_count,
            insight.household_count,
            insight.latest_round_id,
            insight.cover_photo_id,
            insight.first_observed_at,
        )
        insight_stats_refresh(insight=insight)
        insight.refresh_from_db()
        recounted = (
            insight.evidence_count,
            insight.household_count,
            insight.latest_round_id,
            insight.cover_photo_id,
            insight.first_observed_at,
        )
        assert stored == recounted, insight.statement
        assert 2 <= insight.evidence_count <= 10
    assert Insight.objects.exclude(cover_photo=None).exists()


def test_evidence_comes_from_the_insights_own_study():
    generate()

    assert Evidence.objects.count() == sum(Insight.objects.values_list("evidence_count", flat=True))
    assert (
        not Evidence.objects.filter(observation__isnull=False)
        .exclude(observation__visit__round__study=F("insight__study"))
        .exists()
    )
    assert (
        not Evidence.objects.filter(photo__isnull=False)
        .exclude(photo__visit__round__study=F("insight__study"))
        .exists()
    )


def test_insights_are_routed_to_both_boards_and_some_cards_moved_on():
    generate()

    cards = BoardCard.objects.filter(removed_at=None)
    assert cards.filter(board__slug="product").exists()
    assert cards.filter(board__slug="marketing").exists()
    # Every tag of the dataset has a group, and every group has a default rule.
    assert set(cards.values_list("insight_id", flat=True)) == set(
        Insight.objects.values_list("id", flat=True)
    )
    moved = cards.exclude(column=Column.NEW)
    assert moved.exists()
    assert CardEvent.objects.filter(kind=CardEvent.Kind.MOVED).count() == moved.count()
    assert CardEvent.objects.filter(kind=CardEvent.Kind.PLACED).count() == cards.count()
    # A card moves after its insight was made, and its insight after its evidence.
    for card in moved.select_related("insight"):
        assert card.insight.first_observed_at < card.insight.created_at <= card.moved_at
    assert set(InsightTag.objects.values_list("insight_id", flat=True)) == set(
        Insight.objects.values_list("id", flat=True)
    )


def test_quote_uses_are_recorded_for_quotes_whose_household_lets_marketing_use_them():
    generate("--insights", "200")

    uses = QuoteUse.objects.select_related("observation")
    assert uses.exists()
    for use in uses:
        assert use.observation.kind == ObservationKind.QUOTE
        assert (
            Consent.objects.in_force()
            .filter(household=use.observation.visit.household, kind=ConsentKind.MARKETING)
            .exists()
        )


def test_it_shows_its_progress_stage_by_stage():
    output = generate()

    for stage in [
        "Team: 29 users",
        "Households: 20 on 10 panels",
        "Rounds and visits: 40 rounds (2025-Q2 to 2026-Q1)",
        "Observations: 300",
        "Photos: 40 ready",
        "Insights: 30",
        "Routing:",
        "Decisions:",
        "Dataset generated in",
        "Sign in as dataset-product-01",
    ]:
        assert stage in output, stage
    assert output.startswith("[")
    assert " s] " in output.splitlines()[0]


def test_it_prints_nothing_at_verbosity_zero():
    assert generate("--verbosity", "0") == ""
    assert Observation.objects.count() == 300


def test_it_refuses_a_database_that_already_has_data_unless_told_to_reset():
    generate()
    before = observation_rows()

    with pytest.raises(CommandError, match="already holds studies or households"):
        generate("--seed", "2")

    assert observation_rows() == before
    assert Visit.objects.values("round__study").distinct().count() == 10


def test_reset_deletes_every_study_and_household_and_starts_again(team):
    generate("--reset")

    assert not Study.objects.filter(pk=team.study.pk).exists()
    assert Study.objects.count() == 10
    # Users who are not the dataset's own stay.
    assert User.objects.filter(username="lead").exists()


def test_it_refuses_while_a_webhook_would_hear_every_card():
    Webhook.objects.create(name="Team chat", url="https://chat.example.com/hook", secret="s")

    with pytest.raises(CommandError, match="1 active webhooks"):
        generate()

    assert not Study.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--households", "5"], "at least 10 households"),
        (["--observations", "12"], "at least 20"),
        (["--scale", "0"], "--scale must be a positive number"),
        (["--rounds-per-study", "0"], "at least one round"),
    ],
)
def test_it_refuses_sizes_it_cannot_build(args, message):
    with pytest.raises(CommandError, match=message):
        generate(*args)

    assert not Household.objects.exists()


def test_scale_shrinks_the_counts_but_keeps_studies_and_rounds():
    call_command(
        "generate_dataset",
        "--households", "200", "--observations", "3000", "--insights", "300",
        "--photos", "400", "--scale", "0.1", "--verbosity", "0",
    )  # fmt: skip

    assert Household.objects.count() == 20
    assert Observation.objects.count() == 300
    assert Insight.objects.count() == 30
    assert Photo.objects.count() == 40
    assert Round.objects.count() == 40
