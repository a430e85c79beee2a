"""Reading a pressure test: its reviews by team, each team's means, and the evidence
strength beside its score. The arithmetic is studies/loop/scoring.py's, the same the
services store, so what a page shows per team adds up to the stored score."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from studies.common.roles import REVIEW_TEAMS
from studies.loop import scoring
from studies.loop.models import PressureReview, PressureTest, ReviewTeam
from studies.synthesis.models import Insight


@dataclass(frozen=True)
class EvidenceStrength:
    """What stands behind an insight: households and rounds, and the derived 1–5."""

    households: int
    rounds: int
    strength: int


@dataclass(frozen=True)
class TeamScores:
    team: str
    label: str
    reviews: list[PressureReview]
    importance: Decimal
    differentiation: Decimal
    feasibility: Decimal
    score: Decimal


@dataclass(frozen=True)
class PressureTestDetail:
    test: PressureTest
    teams: list[TeamScores]  # the teams that scored, in the order product, marketing, sales
    reviews: list[PressureReview]  # by team, then oldest first
    evidence: EvidenceStrength

    def review_of(self, user_id: uuid.UUID | int | None) -> PressureReview | None:
        return next((review for review in self.reviews if review.reviewer_id == user_id), None)


def evidence_strength_of(insight: Insight) -> EvidenceStrength:
    """From the counts kept on the insight (insight_stats_refresh): no query."""
    return EvidenceStrength(
        households=insight.household_count,
        rounds=insight.round_count,
        strength=scoring.evidence_strength(
            households=insight.household_count, rounds=insight.round_count
        ),
    )


def _team_scores(reviews: list[PressureReview]) -> list[TeamScores]:
    means = scoring.team_means(
        (review.team, review.importance, review.differentiation, review.feasibility)
        for review in reviews
    )
    return [
        TeamScores(
            team=team,
            label=str(ReviewTeam(team).label),
            reviews=[review for review in reviews if review.team == team],
            importance=scoring.rounded(means[team].importance),
            differentiation=scoring.rounded(means[team].differentiation),
            feasibility=scoring.rounded(means[team].feasibility),
            score=scoring.rounded(means[team].score),
        )
        for team in REVIEW_TEAMS
        if team in means
    ]


def _by_team(reviews: list[PressureReview]) -> list[PressureReview]:
    order = {team: index for index, team in enumerate(REVIEW_TEAMS)}
    return sorted(
        reviews, key=lambda review: (order.get(review.team, len(order)), review.created_at)
    )


def pressure_test_detail(*, test: PressureTest) -> PressureTestDetail:
    """The test with its reviews and their reviewers: one query. `test.insight` is used as
    it is (the access function's, with the viewer's role on its study)."""
    reviews = _by_team(list(PressureReview.objects.filter(test=test).select_related("reviewer")))
    return PressureTestDetail(
        test=test,
        teams=_team_scores(reviews),
        reviews=reviews,
        evidence=evidence_strength_of(test.insight),
    )


def pressure_test_of(insight: Insight) -> PressureTest | None:
    """The insight's test, if it was put up: one query. The insight is kept on it as given."""
    test = PressureTest.objects.filter(insight=insight).select_related("opened_by").first()
    if test is not None:
        test.insight = insight
    return test
