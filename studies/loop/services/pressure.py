"""Pressure tests: put an insight up, score it for one's team, change one's own scores.

A reviewer scores for the team of their role in the insight's study at the time of the
write (product, marketing or sales); one review per reviewer per test. Every review write
recomputes the test's stored aggregate in the same transaction, with the test row locked,
so two reviewers scoring at once cannot leave a stale score. The arithmetic is in
studies/loop/scoring.py:

- per team, the mean of each signal over its reviewers; the team's score is the mean of
  its three signal means; the test's score is the mean of the team scores;
- complete once at least two different teams have scored; `completed_at` is the moment
  the second distinct team first scored.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.common.roles import REVIEW_TEAMS
from studies.loop import scoring
from studies.loop.models import SCORE_MAX, SCORE_MIN, PressureReview, PressureTest
from studies.scheduling.access import study_role
from studies.synthesis.models import Insight

COMMENT_MAX = 5_000


def score_message() -> str:
    return _("Score it with a whole number from %(min)d (weak) to %(max)d (strong).") % {
        "min": SCORE_MIN,
        "max": SCORE_MAX,
    }


def _scores(values: dict[str, Any]) -> dict[str, int]:
    """The given signals, each a whole number on the scale; every bad one is named at once."""
    errors, clean = {}, {}
    for signal, value in values.items():
        # bool is an int to Python; True is not a score.
        whole = isinstance(value, int) and not isinstance(value, bool)
        if whole and SCORE_MIN <= value <= SCORE_MAX:
            clean[signal] = value
        else:
            errors[signal] = score_message()
    if errors:
        raise ValidationError(errors)
    return clean


def _comment(comment: str) -> str:
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("Keep the comment to %(max)d characters.") % {"max": COMMENT_MAX}}
        )
    return comment


def _team_of(reviewer: User, insight: Insight) -> str:
    """The team the reviewer scores for: their role in the insight's study, now."""
    role = study_role(reviewer, insight.study_id)
    if role not in REVIEW_TEAMS:
        raise PermissionDenied(
            _("Only product, marketing and sales reviewers score a pressure test.")
        )
    return role


def _lock(test: PressureTest) -> None:
    """Lock the test's row and read its aggregate afresh into the caller's instance, which
    then shows what this write stored."""
    test.refresh_from_db(
        from_queryset=PressureTest.objects.select_for_update(),
        fields=["score", "teams_scored", "completed_at"],
    )


def _recompute(test: PressureTest) -> PressureTest:
    """Store the aggregate of the test's reviews on it (the test row is locked)."""
    rows = PressureReview.objects.filter(test=test).values_list("team", *scoring.SIGNALS)
    teams = scoring.team_means(rows)
    score = scoring.overall_score(teams.values())
    test.score = None if score is None else scoring.rounded(score)
    test.teams_scored = len(teams)
    if test.teams_scored < scoring.TEAMS_FOR_COMPLETE:
        test.completed_at = None
    elif test.completed_at is None:
        test.completed_at = timezone.now()
    test.save(update_fields=["score", "teams_scored", "completed_at", "updated_at"])
    return test


@transaction.atomic
def pressure_test_open(*, insight: Insight, actor: User) -> PressureTest:
    """Put an insight up for a pressure test; an insight is put up once (else a 409)."""
    if PressureTest.objects.filter(insight=insight).exists():
        raise ConflictError({"insight": _("This insight is already up for a pressure test.")})
    try:
        # A savepoint: two people putting it up at once meet the one-to-one constraint.
        with transaction.atomic():
            return PressureTest.objects.create(insight=insight, opened_by=actor)
    except IntegrityError:
        raise ConflictError(
            {"insight": _("This insight is already up for a pressure test.")}
        ) from None


@transaction.atomic
def pressure_review_submit(
    *,
    test: PressureTest,
    reviewer: User,
    importance: Any,
    differentiation: Any,
    feasibility: Any,
    comment: str = "",
) -> PressureReview:
    """Score an insight for one's team. A second review by the same reviewer is a 409:
    they change their scores instead (pressure_review_update)."""
    _lock(test)
    team = _team_of(reviewer, test.insight)
    scores = _scores(
        {"importance": importance, "differentiation": differentiation, "feasibility": feasibility}
    )
    comment = _comment(comment)
    if PressureReview.objects.filter(test=test, reviewer=reviewer).exists():
        raise ConflictError(
            {
                "reviewer": _(
                    "You have already scored this insight: change your scores instead of "
                    "scoring it again."
                )
            }
        )
    review = PressureReview.objects.create(
        test=test, reviewer=reviewer, team=team, comment=comment, **scores
    )
    _recompute(test)
    return review


@transaction.atomic
def pressure_review_update(
    *,
    test: PressureTest,
    reviewer: User,
    importance: Any = None,
    differentiation: Any = None,
    feasibility: Any = None,
    comment: str | None = None,
) -> PressureReview:
    """Change one's own review: what is given changes, the rest stays. The team is the
    reviewer's role now, as for a new review."""
    _lock(test)
    team = _team_of(reviewer, test.insight)
    given = {
        signal: value
        for signal, value in (
            ("importance", importance),
            ("differentiation", differentiation),
            ("feasibility", feasibility),
        )
        if value is not None
    }
    scores = _scores(given)
    review = PressureReview.objects.filter(test=test, reviewer=reviewer).first()
    if review is None:
        raise ConflictError(
            {"reviewer": _("You have not scored this insight yet: score it first.")}
        )
    for signal, value in scores.items():
        setattr(review, signal, value)
    review.team = team
    fields = ["team", *scores, "updated_at"]
    if comment is not None:
        review.comment = _comment(comment)
        fields.append("comment")
    review.save(update_fields=fields)
    _recompute(test)
    return review
