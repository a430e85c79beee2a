"""Scoring a pressure test in one line, for the tests of the service, the API and the pages."""

from studies.common.models import User
from studies.loop.models import PressureReview, PressureTest
from studies.loop.services.pressure import pressure_review_submit


def score(
    test: PressureTest,
    user: User,
    importance: int,
    differentiation: int,
    feasibility: int,
    comment: str = "",
) -> PressureReview:
    return pressure_review_submit(
        test=test,
        reviewer=user,
        importance=importance,
        differentiation=differentiation,
        feasibility=feasibility,
        comment=comment,
    )
