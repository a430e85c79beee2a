"""Pressure tests through their services: putting an insight up, the aggregation with exact
numbers, the two-team completeness rule, and every kind of bad input refused with nothing
changed."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from studies.common.errors import ConflictError
from studies.common.roles import Role
from studies.loop import scoring
from studies.loop.models import PressureReview, PressureTest
from studies.loop.selectors.pressure import (
    EvidenceStrength,
    evidence_strength_of,
    pressure_test_detail,
)
from studies.loop.services.pressure import (
    pressure_review_update,
    pressure_test_open,
)
from studies.synthesis.models import Insight
from studies.synthesis.services import insights
from tests.factories import MembershipFactory, UserFactory
from tests.loop.pressure_support import score
from tests.synthesis import conftest as synthesis
from tests.synthesis.conftest import Field

pytestmark = pytest.mark.django_db

field = synthesis.field
SCALE_MESSAGE = "Score it with a whole number from 1 (weak) to 5 (strong)."
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def make_insight(field: Field, evidence=None) -> Insight:
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement="People lose track of what is in the freezer.",
        observation_ids=[o.pk for o in (field.quotes if evidence is None else evidence)],
    )


def reviewer(field: Field, role: str, name: str):
    """Another member of the study with `role`, to make a team of several reviewers."""
    return MembershipFactory(
        study=field.team.study, role=role, user=UserFactory(username=name)
    ).user


@pytest.fixture
def put_up(field) -> PressureTest:
    return pressure_test_open(insight=make_insight(field), actor=field.team.researcher)


def stored(test: PressureTest) -> tuple:
    test.refresh_from_db()
    return test.score, test.teams_scored, test.completed_at


# --- Putting an insight up ----------------------------------------------------------------


def test_it_puts_an_insight_up_with_nothing_scored(field):
    insight = make_insight(field)

    test = pressure_test_open(insight=insight, actor=field.team.product)

    assert (test.insight, test.opened_by) == (insight, field.team.product)
    assert stored(test) == (None, 0, None)
    assert test.is_complete is False


def test_putting_an_insight_up_twice_is_a_conflict(field, put_up):
    with pytest.raises(ConflictError) as refused:
        pressure_test_open(insight=put_up.insight, actor=field.team.marketing)

    assert refused.value.message_dict == {
        "insight": ["This insight is already up for a pressure test."]
    }
    assert PressureTest.objects.get().opened_by == field.team.researcher


# --- Aggregation ----------------------------------------------------------------------------


def test_a_team_score_is_the_mean_of_its_signal_means(field, put_up):
    product2 = reviewer(field, Role.PRODUCT, "product2")
    product3 = reviewer(field, Role.PRODUCT, "product3")

    score(put_up, field.team.product, 5, 4, 4)
    score(put_up, product2, 4, 4, 4)
    score(put_up, product3, 3, 2, 4)

    # importance 4, differentiation 10/3, feasibility 4: (4 + 10/3 + 4) / 3 = 34/9 = 3.777…
    assert stored(put_up) == (Decimal("3.78"), 1, None)
    (team,) = pressure_test_detail(test=put_up).teams
    assert (team.team, team.importance, team.differentiation, team.feasibility, team.score) == (
        "product",
        Decimal("4.00"),
        Decimal("3.33"),
        Decimal("4.00"),
        Decimal("3.78"),
    )
    assert [review.reviewer for review in team.reviews] == [field.team.product, product2, product3]


def test_the_score_is_the_mean_of_the_team_scores(field, put_up):
    product2 = reviewer(field, Role.PRODUCT, "product2")
    product3 = reviewer(field, Role.PRODUCT, "product3")
    score(put_up, field.team.product, 5, 4, 4)
    score(put_up, product2, 4, 4, 4)
    score(put_up, product3, 3, 2, 4)

    score(put_up, field.team.sales, 2, 1, 1)
    # product 34/9, sales 4/3 = 12/9: (34/9 + 12/9) / 2 = 23/9 = 2.555…
    assert stored(put_up)[:2] == (Decimal("2.56"), 2)

    score(put_up, field.team.marketing, 5, 5, 4)
    # marketing 14/3 = 42/9: (34 + 12 + 42) / 27 = 88/27 = 3.259…
    assert stored(put_up)[:2] == (Decimal("3.26"), 3)
    teams = pressure_test_detail(test=put_up).teams
    assert [(team.team, team.score) for team in teams] == [
        ("product", Decimal("3.78")),
        ("marketing", Decimal("4.67")),
        ("sales", Decimal("1.33")),
    ]


def test_five_product_reviewers_weigh_no_more_than_one_from_sales(field, put_up):
    for index in range(5):
        score(put_up, reviewer(field, Role.PRODUCT, f"designer{index}"), 5, 5, 5)

    score(put_up, field.team.sales, 1, 1, 1)

    # A mean over reviewers would say (5 × 5 + 1) / 6 = 4.33; over teams it is 3.
    assert stored(put_up)[:2] == (Decimal("3.00"), 2)


def test_halves_round_up_to_two_decimals(field, put_up):
    score(put_up, field.team.product, 5, 5, 4)  # 14/3
    score(put_up, field.team.sales, 3, 3, 2)  # 8/3

    # (14/3 + 8/3) / 2 = 11/3 = 3.666…
    assert stored(put_up)[0] == Decimal("3.67")
    assert scoring.rounded(Fraction(3125, 1000)) == Decimal("3.13")


# --- Completeness: two different teams -------------------------------------------------------


def test_one_team_of_several_reviewers_is_not_complete(field, put_up):
    for name in ("product2", "product3", "product4"):
        score(put_up, reviewer(field, Role.PRODUCT, name), 4, 4, 4)
    score(put_up, field.team.product, 2, 2, 2)

    put_up.refresh_from_db()
    assert (put_up.teams_scored, put_up.is_complete, put_up.completed_at) == (1, False, None)


def test_product_and_sales_make_it_complete_when_the_second_team_first_scores(field, put_up):
    with time_machine.travel(T0, tick=False):
        score(put_up, field.team.product, 4, 3, 2)
    assert stored(put_up)[1:] == (1, None)

    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        score(put_up, field.team.sales, 3, 3, 3)
    assert stored(put_up)[1:] == (2, T0 + dt.timedelta(hours=2))
    assert put_up.is_complete is True

    # Later reviews, of a team already in or a third one, leave the moment as it was.
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        score(put_up, reviewer(field, Role.SALES, "sales2"), 5, 5, 5)
        score(put_up, field.team.marketing, 1, 1, 1)
        pressure_review_update(test=put_up, reviewer=field.team.product, importance=5)
    assert stored(put_up)[1:] == (3, T0 + dt.timedelta(hours=2))


def test_product_and_marketing_are_complete_too(field, put_up):
    score(put_up, field.team.product, 4, 4, 4)
    score(put_up, field.team.marketing, 2, 2, 2)

    assert stored(put_up)[:2] == (Decimal("3.00"), 2)
    assert put_up.is_complete is True


def test_the_team_is_the_reviewers_role_when_they_score(field, put_up):
    review = score(put_up, field.team.sales, 3, 3, 3)

    assert review.team == "sales"


def test_a_reviewer_who_changes_team_moves_their_review_with_them(field, put_up):
    score(put_up, field.team.product, 4, 4, 4)
    score(put_up, field.team.sales, 2, 2, 2)
    assert stored(put_up)[1] == 2
    field.team.sales.memberships.filter(study=field.team.study).update(role=Role.PRODUCT)

    pressure_review_update(test=put_up, reviewer=field.team.sales, comment="Now in product.")

    # Both reviews are product's now: one team, so no longer complete.
    assert stored(put_up) == (Decimal("3.00"), 1, None)


# --- Changing one's scores ----------------------------------------------------------------


def test_a_reviewer_changes_what_they_give_and_keeps_the_rest(field, put_up):
    score(put_up, field.team.product, 4, 4, 4, comment="Strong need.")
    score(put_up, field.team.sales, 2, 2, 2)

    review = pressure_review_update(test=put_up, reviewer=field.team.product, feasibility=1)

    assert (review.importance, review.differentiation, review.feasibility, review.comment) == (
        4,
        4,
        1,
        "Strong need.",
    )
    # product (4 + 4 + 1) / 3 = 3, sales 2: 2.5
    assert stored(put_up)[0] == Decimal("2.50")
    # The caller's test shows what was stored, without reading it again.
    assert put_up.score == Decimal("2.50")


def test_changing_scores_one_never_gave_is_a_conflict(field, put_up):
    with pytest.raises(ConflictError) as refused:
        pressure_review_update(test=put_up, reviewer=field.team.sales, importance=3)

    assert refused.value.message_dict == {
        "reviewer": ["You have not scored this insight yet: score it first."]
    }


def test_a_bad_change_changes_nothing(field, put_up):
    score(put_up, field.team.product, 4, 4, 4)

    with pytest.raises(ValidationError) as refused:
        pressure_review_update(test=put_up, reviewer=field.team.product, importance=9)

    assert refused.value.message_dict == {"importance": [SCALE_MESSAGE]}
    assert PressureReview.objects.get().importance == 4
    assert stored(put_up)[0] == Decimal("4.00")


# --- Refusals -------------------------------------------------------------------------------


def test_scoring_twice_is_a_conflict_that_points_to_changing_scores(field, put_up):
    score(put_up, field.team.sales, 3, 3, 3)

    with pytest.raises(ConflictError) as refused:
        score(put_up, field.team.sales, 5, 5, 5)

    assert refused.value.message_dict == {
        "reviewer": [
            "You have already scored this insight: change your scores instead of scoring it again."
        ]
    }
    assert list(PressureReview.objects.values_list("importance", flat=True)) == [3]
    assert stored(put_up)[:2] == (Decimal("3.00"), 1)


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, 3.0, "3", None, True, [4]])
def test_a_score_off_the_scale_or_not_a_whole_number_is_refused(field, put_up, bad):
    with pytest.raises(ValidationError) as refused:
        score(put_up, field.team.product, 3, bad, 3)

    assert refused.value.message_dict == {"differentiation": [SCALE_MESSAGE]}
    assert not PressureReview.objects.exists()
    assert stored(put_up) == (None, 0, None)


def test_every_bad_score_is_named_at_once(field, put_up):
    with pytest.raises(ValidationError) as refused:
        score(put_up, field.team.product, None, 7, "high")

    assert refused.value.message_dict == {
        "importance": [SCALE_MESSAGE],
        "differentiation": [SCALE_MESSAGE],
        "feasibility": [SCALE_MESSAGE],
    }


def test_a_comment_too_long_is_refused(field, put_up):
    with pytest.raises(ValidationError) as refused:
        score(put_up, field.team.product, 3, 3, 3, comment="x" * 5001)

    assert refused.value.message_dict == {"comment": ["Keep the comment to 5000 characters."]}
    assert not PressureReview.objects.exists()


@pytest.mark.parametrize("persona", ["lead", "researcher", "outsider"])
def test_only_product_marketing_and_sales_review(field, put_up, persona):
    with pytest.raises(PermissionDenied):
        score(put_up, getattr(field.team, persona), 3, 3, 3)

    assert not PressureReview.objects.exists()


def test_a_superuser_acts_as_a_lead_and_does_not_review(field, put_up, superuser):
    with pytest.raises(PermissionDenied):
        score(put_up, superuser, 3, 3, 3)


# --- Evidence strength ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("households", "rounds", "strength"),
    [
        (0, 0, 0),
        (1, 1, 1),
        (2, 1, 2),
        (3, 1, 2),
        (4, 1, 3),
        (1, 2, 2),
        (3, 2, 3),
        (2, 3, 4),
        (4, 2, 4),
        (4, 3, 5),
        (40, 9, 5),
    ],
)
def test_evidence_strength_adds_household_and_round_points(households, rounds, strength):
    assert scoring.evidence_strength(households=households, rounds=rounds) == strength


def test_evidence_strength_reads_the_insights_counts(field):
    # Three households' quotes from the latest round and one note from the first.
    insight = make_insight(field, evidence=[*field.quotes, field.notes[0]])

    assert evidence_strength_of(insight) == EvidenceStrength(households=3, rounds=2, strength=3)
