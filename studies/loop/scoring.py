"""The arithmetic of a pressure test, in one place for the services that store it and the
selectors that show it. Pure functions of numbers: no queries.

- Per team: the mean of each signal (importance, differentiation, feasibility) over that
  team's reviewers; the team's score is the mean of its three signal means.
- The test's score is the mean of the team scores, so five product reviewers weigh no more
  than one sales reviewer. Means are exact (fractions) and rounded once, to 2 decimals.
- A test is complete once at least two different teams have scored it.
- Evidence strength is derived, never scored: household points (1 household → 1, 2–3 → 2,
  4 or more → 3) plus round points (1 round → 0, 2 → 1, 3 or more → 2), so 1 to 5.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import mean

SIGNALS = ("importance", "differentiation", "feasibility")
TEAMS_FOR_COMPLETE = 2
_CENT = Decimal("0.01")


def rounded(value: Fraction) -> Decimal:
    """A mean as stored and shown: 2 decimals, halves rounded up."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class TeamMeans:
    team: str
    reviewers: int
    importance: Fraction
    differentiation: Fraction
    feasibility: Fraction

    @property
    def score(self) -> Fraction:
        return mean([self.importance, self.differentiation, self.feasibility])


def team_means(rows: Iterable[tuple[str, int, int, int]]) -> dict[str, TeamMeans]:
    """(team, importance, differentiation, feasibility) per review → each team's means."""
    by_team: dict[str, list[tuple[int, int, int]]] = {}
    for team, *scores in rows:
        by_team.setdefault(team, []).append(tuple(scores))  # type: ignore[arg-type]
    return {
        team: TeamMeans(
            team,
            len(scores),
            *(mean(Fraction(review[index]) for review in scores) for index in range(3)),
        )
        for team, scores in by_team.items()
    }


def overall_score(teams: Iterable[TeamMeans]) -> Fraction | None:
    """The mean of the team scores; None before anyone has scored."""
    scores = [team.score for team in teams]
    return mean(scores) if scores else None


def evidence_strength(*, households: int, rounds: int) -> int:
    """1–5: how much field evidence stands behind an insight (0 with none at all)."""
    household_points = (
        0 if households < 1 else 1 if households == 1 else 2 if households <= 3 else 3
    )
    round_points = 0 if rounds <= 1 else 1 if rounds == 2 else 2
    return household_points + round_points
