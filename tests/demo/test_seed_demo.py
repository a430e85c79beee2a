"""The demo workspace: what `seed_demo` builds, on a fixed day and on awkward ones."""

import datetime as dt
import io
import itertools
import zoneinfo
from collections import defaultdict

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from studies.common.models import User
from studies.common.roles import Role
from studies.demo import content, seed
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    Tag,
    TagGroup,
)
from studies.loop.models import PressureTest
from studies.scheduling.models import (
    BOOKED_STATUSES,
    Availability,
    CalendarFeed,
    Consent,
    ConsentKind,
    Enrolment,
    GuideQuestion,
    Household,
    HouseholdContact,
    Round,
    Study,
    StudyMembership,
    Visit,
    VisitChange,
    VisitStatus,
)
from studies.synthesis.models import (
    BoardCard,
    CardEvent,
    Column,
    Comment,
    Evidence,
    Insight,
    QuoteUse,
)
from studies.synthesis.selectors import QuoteFilters, quote_bank

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Wednesday in the middle of 2026-Q2, mid-morning in London.
TODAY = dt.datetime(2026, 5, 13, 10, 30, tzinfo=LONDON)

MODELS = [
    User, Study, StudyMembership, Household, HouseholdContact, Consent, Enrolment, Round,
    GuideQuestion, Visit, VisitChange, Availability, CalendarFeed, Observation, Photo, Tag,
    ObservationTag, Insight, Evidence, BoardCard, CardEvent, Comment, QuoteUse,
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_a_fixed_day():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


def run_seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def demo_study() -> Study:
    return Study.objects.get(title=content.STUDY_TITLE)


@pytest.mark.django_db
def test_it_builds_the_same_workspace_when_run_twice(on_a_fixed_day):
    first_output = run_seed_demo()
    after_first = counts()

    second_output = run_seed_demo()

    assert counts() == after_first
    assert "The demo workspace is ready." in first_output
    assert "nothing changed" in second_output
    assert "nothing changed" not in first_output
    assert after_first["Study"] == 1
    assert after_first["Tag"] == len(content.GROUP_TAGS) + len(content.STUDY_TAGS)


@pytest.mark.django_db
def test_it_shows_progress_and_prints_the_demo_logins(on_a_fixed_day):
    output = run_seed_demo()

    assert "Round 2026-Q2" in output
    assert "Observations:" in output
    assert "demo-pass-2026" in output
    for username, role in [
        ("admin", "Administrator (superuser)"),
        ("lead", "Research lead"),
        ("rita", "Researcher"),
        ("ravi", "Researcher"),
        ("paula", "Product"),
        ("mark", "Marketing"),
    ]:
        assert any(
            line.split()[:1] == [username] and line.rstrip().endswith(role)
            for line in output.splitlines()
        ), username
    assert output.rstrip().endswith("Open http://127.0.0.1:8000 and sign in.")


@pytest.mark.django_db
def test_it_creates_one_user_per_role_who_can_sign_in(on_a_fixed_day):
    run_seed_demo()
    study = demo_study()

    roles = dict(study.memberships.values_list("user__username", "role"))
    assert roles == {
        "lead": Role.RESEARCH_LEAD,
        "rita": Role.RESEARCHER,
        "ravi": Role.RESEARCHER,
        "paula": Role.PRODUCT,
        "mark": Role.MARKETING,
        "sofia": Role.SALES,
    }
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()
    for user in User.objects.all():
        assert user.check_password("demo-pass-2026"), user.username
        assert user.email.endswith("@example.org")
        assert user.time_zone == "Europe/London"
        assert user.get_full_name()
    assert set(Availability.objects.values_list("researcher__username", flat=True)) == {"ravi"}


@pytest.mark.django_db
def test_it_creates_the_study_and_a_panel_of_twelve_consenting_households(on_a_fixed_day):
    run_seed_demo()
    study = demo_study()

    assert study.status == "active"
    assert study.cadence == "quarterly"
    assert study.time_zone == "Europe/London"
    assert study.why.strip()
    assert 3 <= study.questions.count() <= 4
    codes = list(Household.objects.values_list("code", flat=True))
    assert codes == [f"H-{number:03d}" for number in range(1, 13)]
    assert Enrolment.objects.filter(study=study, left_at__isnull=True).count() == 12
    for household in Household.objects.select_related("contact"):
        assert {"household size", "region"} <= household.segment.keys()
        assert household.contact.phone.startswith("+44 20 7946 0")
        assert household.contact.email.split("@")[1] in {
            "example.com",
            "example.net",
            "example.org",
        }

    in_force = Consent.objects.in_force()
    assert in_force.filter(kind=ConsentKind.PARTICIPATION).count() == 11
    assert not in_force.filter(household__code="H-009").exists()
    assert Consent.objects.filter(household__code="H-009", withdrawn_at__isnull=False).exists()
    assert 9 <= in_force.filter(kind=ConsentKind.PHOTOS).count() <= 11
    assert 7 <= in_force.filter(kind=ConsentKind.MARKETING).count() <= 9


@pytest.mark.django_db
def test_it_plans_three_past_rounds_with_guides_and_one_upcoming(on_a_fixed_day):
    run_seed_demo()
    study = demo_study()

    rounds = list(study.rounds.order_by("window_start"))
    assert [round_.label for round_ in rounds] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    today = TODAY.date()
    assert [round_.window_start <= today for round_ in rounds] == [True, True, True, False]
    guides = [list(round_.guide.asked()) for round_ in rounds]
    texts = [[question.text for question in guide] for guide in guides]
    assert all(5 <= len(guide) <= 6 for guide in texts)
    assert texts[0] != texts[1] != texts[2]
    # The upcoming round starts from the last guide, as automatic planning does.
    assert texts[3] == texts[2]
    assert [q.key for q in guides[3]] == [q.key for q in guides[2]]
    assert all(round_.visits.exists() for round_ in rounds)
    # A question kept in the same words, or reworded, is one question across the rounds.
    freezer = [
        next(q for q in guide if "freezer" in q.text and q.text.startswith("How do")).key
        for guide in guides
    ]
    assert len(set(freezer)) == 1
    assert guides[2][1].text == "How do you keep track of what is in the freezer now?"


@pytest.mark.django_db
def test_it_books_visits_only_for_households_with_participation_consent(on_a_fixed_day):
    run_seed_demo()

    for visit in Visit.objects.select_related("household"):
        assert (
            Consent.objects.in_force(visit.scheduled_start)
            .filter(household=visit.household, kind=ConsentKind.PARTICIPATION)
            .exists()
        ), visit
    withdrawn_visits = Visit.objects.filter(household__code="H-009")
    assert list(withdrawn_visits.values_list("round__label", flat=True)) == ["2025-Q4"]
    # Everyone else is visited once in every round.
    assert Visit.objects.exclude(household__code="H-009").count() == 11 * 4


@pytest.mark.django_db
def test_it_never_double_books_a_researcher_nor_books_outside_their_hours(on_a_fixed_day):
    run_seed_demo()

    booked = defaultdict(list)
    for visit in Visit.objects.filter(status__in=BOOKED_STATUSES).order_by("scheduled_start"):
        booked[visit.researcher.username].append(visit)
    assert set(booked) == {"rita", "ravi"}
    for visits in booked.values():
        for earlier, later in itertools.pairwise(visits):
            assert earlier.scheduled_end <= later.scheduled_start, (earlier, later)
    for visit in booked["ravi"]:
        start = visit.scheduled_start.astimezone(LONDON)
        end = visit.scheduled_end.astimezone(LONDON)
        assert start.weekday() in {1, 2, 3}, visit
        assert start.time() >= dt.time(10), visit
        assert end.time() <= dt.time(16, 30), visit


@pytest.mark.django_db
def test_past_visits_are_completed_and_the_coming_ones_scheduled(on_a_fixed_day):
    run_seed_demo()
    now = TODAY

    visits = Visit.objects.all()
    assert not visits.filter(scheduled_end__lte=now, status=VisitStatus.SCHEDULED).exists()
    assert not visits.filter(scheduled_start__gt=now).exclude(status=VisitStatus.SCHEDULED).exists()
    no_shows = visits.filter(status=VisitStatus.NO_SHOW)
    assert list(no_shows.values_list("household__code", "round__label")) == [("H-008", "2026-Q1")]
    for visit in visits.filter(status=VisitStatus.COMPLETED):
        assert visit.started_at == visit.scheduled_start
        assert visit.finished_at == visit.scheduled_end
        assert list(visit.changes.filter(kind="status").values_list("to_status", flat=True)) == [
            VisitStatus.IN_PROGRESS,
            VisitStatus.COMPLETED,
        ]
    # The researchers have work today and over the next days.
    days_with_visits = {
        visit.scheduled_start.astimezone(LONDON).date()
        for visit in visits.filter(status=VisitStatus.SCHEDULED, scheduled_start__gt=now)
    }
    assert {dt.date(2026, 5, 13), dt.date(2026, 5, 14)} <= days_with_visits
    moved = VisitChange.objects.filter(kind=VisitChange.Kind.MOVED)
    assert moved.exists()
    assert all(change.from_start > change.to_start for change in moved)


@pytest.mark.django_db
def test_observations_are_specific_tagged_and_taken_during_completed_visits(on_a_fixed_day):
    run_seed_demo()

    observations = Observation.objects.select_related("visit", "guide_question")
    assert 40 <= observations.count() <= 60
    assert not observations.exclude(visit__status=VisitStatus.COMPLETED).exists()
    for observation in observations:
        visit = observation.visit
        assert visit.scheduled_start <= observation.captured_at <= visit.scheduled_end
        assert observation.author_id == visit.researcher_id
        if observation.kind == ObservationKind.QUOTE:
            assert observation.speaker, observation
        if observation.kind == ObservationKind.ANSWER:
            assert observation.guide_question.round_id == visit.round_id, observation
    assert len(set(observations.values_list("text", flat=True))) == observations.count()
    group_tags = Tag.objects.exclude(group="").filter(
        name__in=[str(label) for label in TagGroup.labels]
    )
    assert sorted(group_tags.values_list("group", flat=True)) == sorted(TagGroup.values)
    assert not Tag.objects.filter(Q(description="") | ~Q(colour__startswith="#")).exists()
    assert ObservationTag.objects.filter(tag__name="Takeaway tubs").exists()
    assert Tag.objects.filter(name="Quote-worthy", observations__isnull=False).exists()


@pytest.mark.django_db
def test_photos_are_drawn_jpegs_without_exif_and_only_where_consented(
    on_a_fixed_day, django_capture_on_commit_callbacks
):
    # The photo pipeline runs after commit, as it does for a phone's upload.
    with django_capture_on_commit_callbacks(execute=True):
        run_seed_demo()

    photos = Photo.objects.select_related("visit__household")
    assert 8 <= photos.count() <= 12
    assert photos.filter(observation__isnull=True).count() == 1  # a photo taken on its own
    for photo in photos:
        assert photo.status == "ready"
        with photo.original.open("rb"), Image.open(photo.original) as image:
            assert image.format == "JPEG"
            assert image.size == (1200, 900) == (photo.width, photo.height)
            assert not image.getexif()
            assert "exif" not in image.info
            # A drawing, not a blank canvas: many distinct colours.
            assert len(image.convert("RGB").getcolors(maxcolors=1_000_000)) > 50
        assert photo.caption
        assert (
            Consent.objects.in_force(photo.captured_at)
            .filter(household=photo.visit.household, kind=ConsentKind.PHOTOS)
            .exists()
        )


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing_behind(on_a_fixed_day, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(seed, "_capture_observations", broken)

    with pytest.raises(RuntimeError):
        run_seed_demo()

    assert all(count == 0 for count in counts().values()), counts()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2027, 1, 1, 0, 30, tzinfo=LONDON),  # the first minutes of a quarter
        dt.datetime(2026, 12, 31, 23, 0, tzinfo=LONDON),  # the last hour of one
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC),  # clocks go forward, a Sunday
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),  # clocks go back
        dt.datetime(2026, 11, 23, 16, 45, tzinfo=LONDON),  # late on a Monday
    ],
)
def test_it_builds_a_consistent_workspace_on_any_day(moment):
    with time_machine.travel(moment, tick=False):
        run_seed_demo()

    rounds = list(Round.objects.order_by("window_start"))
    today = moment.astimezone(LONDON).date()
    assert len(rounds) == 4
    assert sum(round_.window_start <= today for round_ in rounds) == 3
    assert not Visit.objects.filter(scheduled_end__lte=moment, status="scheduled").exists()
    assert not Visit.objects.filter(scheduled_start__gt=moment).exclude(status="scheduled").exists()
    for researcher in ("rita", "ravi"):
        visits = list(
            Visit.objects.filter(researcher__username=researcher, status__in=BOOKED_STATUSES)
            .order_by("scheduled_start")
            .values_list("scheduled_start", "scheduled_end")
        )
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(visits))
    assert Observation.objects.count() >= 40


@pytest.mark.django_db
def test_it_synthesises_insights_onto_both_boards(on_a_fixed_day):
    run_seed_demo()

    insights = Insight.objects.filter(study=demo_study())
    assert sorted(insights.values_list("statement", flat=True)) == sorted(
        demo.statement for demo in content.INSIGHTS
    )
    for insight in insights:
        assert insight.evidence_count == insight.evidence.count() > 0
        assert insight.research_question is not None
    freezer = insights.get(statement__startswith="Nobody knows")
    assert dict(freezer.cards.values_list("board__slug", "column")) == {
        "product": Column.SHIPPED,
        "marketing": Column.SHORTLISTED,
    }
    assert freezer.household_count > 1
    used = QuoteUse.objects.get()
    assert used.recorded_by.username == "mark"
    marketer = User.objects.get(username="mark")
    bank = quote_bank(user=marketer, filters=QuoteFilters())
    assert used.observation in bank
    # Only households that consented to marketing use are quoted, and the bank is not empty.
    assert bank.count() >= 3
    assert set(bank.values_list("visit__household__code", flat=True)) <= {
        demo.code for demo in content.HOUSEHOLDS if demo.marketing
    }


@pytest.mark.django_db
def test_a_photo_taken_on_its_own_and_answers_with_their_questions_are_on_the_boards(
    on_a_fixed_day,
):
    run_seed_demo()

    labels = Insight.objects.get(statement__startswith="Households invent their own date labels")
    alone = Evidence.objects.get(insight=labels, photo__isnull=False).photo
    assert alone.observation is None
    assert sorted(alone.tags.values_list("name", flat=True)) == ["Labels and dates", "Workaround"]
    assert set(labels.cards.values_list("board__slug", flat=True)) == {"product", "marketing"}
    answers = Observation.objects.filter(
        kind=ObservationKind.ANSWER, evidence__insight__cards__isnull=False
    ).distinct()
    assert answers.exists()
    for answer in answers:
        assert answer.question_text == answer.guide_question.text
        assert answer.question


@pytest.mark.django_db
def test_it_dates_the_loop_as_it_would_have_happened(on_a_fixed_day):
    run_seed_demo()

    study = demo_study()
    observations = Observation.objects.filter(visit__round__study=study)
    delays = {o.received_at - o.captured_at for o in observations}
    # Most sync within minutes; at the two visits without signal, two and three days later.
    assert min(delays) == dt.timedelta(minutes=3)
    assert {delay.days for delay in delays} == {0, 2, 3}
    now = timezone.now()
    for insight in Insight.objects.filter(study=study):
        assert insight.first_observed_at < insight.created_at < now
        for evidence in insight.evidence.select_related("observation", "photo"):
            assert evidence.created_at >= insight.created_at
            assert evidence.created_at >= (evidence.observation or evidence.photo).received_at
        for card in insight.cards.all():
            events = list(card.events.order_by("created_at"))
            assert events[0].kind == CardEvent.Kind.PLACED
            assert events[0].created_at == insight.created_at
            assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(events))
            assert card.moved_at == events[-1].created_at < now
    freezer = Insight.objects.get(study=study, statement__startswith="Nobody knows")
    shipped = CardEvent.objects.get(card__insight=freezer, to_column=Column.SHIPPED)
    assert shipped.created_at - freezer.created_at == dt.timedelta(days=120)


@pytest.mark.django_db
def test_it_puts_insights_up_for_pressure_tests(on_a_fixed_day):
    run_seed_demo()

    assert PressureTest.objects.count() == 2
    freezer = PressureTest.objects.get(insight__statement__startswith="Nobody knows")
    assert freezer.is_complete
    assert freezer.teams_scored == 3
    labels = PressureTest.objects.get(insight__statement__startswith="Households invent")
    assert not labels.is_complete
    assert labels.teams_scored == 1
