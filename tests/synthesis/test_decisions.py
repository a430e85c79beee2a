"""A card's decision, defined once (studies/synthesis/policies.py, read by
selectors/decisions.py): what decides a card, and every page, the API, loop health and the
digest agreeing on which cards were decided and when."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from studies.common.models import User
from studies.fieldwork.models import ObservationKind
from studies.loop.selectors.health import loop_health
from studies.scheduling.models import Study
from studies.synthesis import policies
from studies.synthesis.models import BoardCard, BoardKind, CardEvent, Column
from studies.synthesis.services import boards, quotes
from tests.factories import ObservationFactory, UserFactory
from tests.synthesis.api.conftest import make_insight

T0 = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def move(at: dt.timedelta, column: str, actor: str = "paula") -> policies.Move:
    return policies.Move(at=T0 + at, to_column=column, actor=actor, actor_name=actor.title())


def use(at: dt.timedelta, campaign: str = "Spring") -> policies.QuoteUseRecord:
    return policies.QuoteUseRecord(at=T0 + at, campaign=campaign, recorded_by="mark")


# --- The rule ---------------------------------------------------------------------------------


def test_a_product_card_is_decided_by_its_first_move_into_planned_or_shipped():
    decision = policies.card_decision(
        board_kind=BoardKind.PRODUCT,
        placed_at=T0,
        moves=[
            move(days(1), Column.EXPLORING),
            move(days(3), Column.SHIPPED, "paula"),
            move(days(2), Column.PLANNED, "rita"),
            move(days(4), Column.PARKED),
        ],
    )

    # Moved back out later, it stays decided: the loop measures how long a decision took.
    assert decision == policies.Decision(
        at=T0 + days(2), column=Column.PLANNED, by="rita", by_name="Rita"
    )


def test_a_product_card_never_moved_into_a_decision_column_is_undecided():
    decision = policies.card_decision(
        board_kind=BoardKind.PRODUCT,
        placed_at=T0,
        moves=[move(days(1), Column.EXPLORING), move(days(2), Column.PARKED)],
    )

    assert decision is None


def test_a_marketing_card_is_decided_by_the_first_recorded_use_of_its_quotes():
    decision = policies.card_decision(
        board_kind=BoardKind.MARKETING,
        placed_at=T0,
        moves=[move(days(1), Column.USED)],
        quote_uses=[use(days(5), "Summer"), use(days(3), "Spring")],
    )

    assert (decision.at, decision.column, decision.campaign, decision.by) == (
        T0 + days(3),
        Column.USED,
        "Spring",
        "mark",
    )


def test_a_marketing_card_moved_to_used_by_hand_with_no_use_is_undecided():
    decision = policies.card_decision(
        board_kind=BoardKind.MARKETING, placed_at=T0, moves=[move(days(1), Column.USED)]
    )

    assert decision is None


def test_a_use_recorded_before_the_card_was_placed_decides_it_when_placed():
    decision = policies.card_decision(
        board_kind=BoardKind.MARKETING, placed_at=T0, moves=[], quote_uses=[use(-days(2))]
    )

    assert decision.at == T0


@pytest.mark.parametrize(
    ("kind", "column", "after"),
    [
        (BoardKind.MARKETING, Column.NEW, Column.USED),
        (BoardKind.MARKETING, Column.SHORTLISTED, Column.USED),
        (BoardKind.MARKETING, Column.USED, None),
        (BoardKind.MARKETING, Column.PARKED, None),
        (BoardKind.PRODUCT, Column.NEW, None),
    ],
)
def test_a_quote_use_moves_only_a_marketing_card_still_before_used(kind, column, after):
    assert policies.column_after_quote_use(board_kind=kind, column=column) == after


def test_days_to_decision_count_whole_days_from_the_first_sighting():
    decision = policies.Decision(at=T0 + days(2.9), column=Column.PLANNED, by=None)

    assert policies.days_to_decision(first_seen=T0, decision=decision) == 2
    assert policies.days_to_decision(first_seen=T0 + days(5), decision=decision) == 0
    assert policies.days_to_decision(first_seen=None, decision=decision) is None
    assert policies.days_to_decision(first_seen=T0, decision=None) is None


# --- Recording a use moves the card -----------------------------------------------------------


@pytest.mark.django_db
def test_recording_a_quote_use_moves_its_marketing_card_into_used_in_copy(field):
    insight = make_insight(field, field.pain, field.quotable)
    marketing = BoardCard.objects.get(insight=insight, board=field.marketing)
    product = BoardCard.objects.get(insight=insight, board=field.product)

    quotes.quote_use_record(
        quote=field.quotes[0], actor=field.team.marketing, campaign="Spring mailer"
    )

    marketing.refresh_from_db()
    product.refresh_from_db()
    assert (marketing.column, marketing.moved_by) == (Column.USED, field.team.marketing)
    event = marketing.events.get(kind=CardEvent.Kind.MOVED)
    assert (event.from_column, event.to_column, event.note) == (
        Column.NEW,
        Column.USED,
        "A quote was used in Spring mailer.",
    )
    assert product.column == Column.NEW


@pytest.mark.django_db
def test_a_parked_marketing_card_stays_parked_when_its_quote_is_used(field):
    insight = make_insight(field, field.pain, field.quotable)
    card = BoardCard.objects.get(insight=insight, board=field.marketing)
    boards.card_move(card=card, column=Column.PARKED, actor=field.team.marketing)

    quotes.quote_use_record(quote=field.quotes[0], actor=field.team.marketing, campaign="Later")

    card.refresh_from_db()
    assert card.column == Column.PARKED
    assert card.events.filter(kind=CardEvent.Kind.MOVED).count() == 1


@pytest.mark.django_db
def test_an_answer_as_evidence_shows_its_question_in_the_insight_api(client_for, field):
    question = field.rounds[1].guide.create(position=0, text="Where do leftovers go?")
    answer = ObservationFactory(
        visit=field.quotes[0].visit,
        kind=ObservationKind.ANSWER,
        text="In tubs, unlabelled.",
        guide_question=question,
        question_text="Where do leftovers go?",
    )
    question.text = "Where do the leftovers end up?"
    question.save()
    insight = make_insight(field, field.pain, evidence=[answer])

    body = client_for(field.team.product).get(f"/api/v1/insights/{insight.pk}/").json()

    assert body["evidence"][0]["question"] == {
        "id": str(question.pk),
        "key": str(question.key),
        "text": "Where do leftovers go?",
    }


# --- Every consumer gives every card the same decision ----------------------------------------


def decisions_everywhere(study: Study, viewer: User) -> int:
    """For each live card of the study: the insight page, the insights API and loop health
    name the same decision moment (or none), and the page and the API the same column."""
    health = loop_health(study=study)
    page, api = Client(), Client()
    page.force_login(viewer)
    api.force_login(viewer)
    cards = list(BoardCard.objects.filter(study=study, removed_at__isnull=True))
    assert cards
    decided = 0
    # A study of the generated dataset may have none decided; the demo and the dataset as a
    # whole do (checked by the callers through `decided`).
    for insight_id in {card.insight_id for card in cards}:
        placements = {
            placement.card.pk: placement.decision
            for placement in page.get(f"/insights/{insight_id}/").context["placements"]
        }
        boards_ = api.get(f"/api/v1/insights/{insight_id}/").json()["boards"]
        from_api = {board["card"]: board["decision"] for board in boards_}
        for card in (card for card in cards if card.insight_id == insight_id):
            on_page = placements[card.pk]
            in_api = from_api[str(card.pk)]
            in_health = health.decided_at.get(card.pk)
            if on_page is None:
                assert (in_api, in_health) == (None, None), card
                continue
            decided += 1
            assert in_health == on_page.at
            assert dt.datetime.fromisoformat(in_api["at"]) == on_page.at
            assert in_api["column"] == on_page.column
    return decided


@pytest.mark.django_db
def test_the_demo_gives_every_card_one_decision_everywhere(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())

    assert decisions_everywhere(Study.objects.get(), User.objects.get(username="lead")) > 0


@pytest.mark.django_db
def test_the_generated_dataset_gives_every_card_one_decision_everywhere(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 5, 13, 10, 30, tzinfo=dt.UTC), tick=False):
        call_command(
            "generate_dataset",
            *["--households", "20", "--observations", "300", "--insights", "40"],
            *["--photos", "20"],
            stdout=io.StringIO(),
        )
        admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
        studies = Study.objects.filter(
            pk__in=BoardCard.objects.filter(removed_at__isnull=True).values("study_id")
        )
        assert studies.count() > 1
        assert sum(decisions_everywhere(study, admin) for study in studies) > 0
