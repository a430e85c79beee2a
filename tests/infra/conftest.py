"""Fixtures for the tests that run ResearchHub's real processes against a real broker."""

from collections.abc import Iterator

import pytest
from celery import Celery

from studies.common.roles import Role
from studies.scheduling.models import Study
from studies.scheduling.periods import next_period
from studies.scheduling.services.rounds import study_today
from tests.conftest import enrol_consenting
from tests.factories import MembershipFactory, StudyFactory, UserFactory
from tests.infra.services import require_redis


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.fixture
def broker_app(redis_url: str) -> Iterator[Celery]:
    """ResearchHub's Celery app, sending to the broker instead of running tasks inline."""
    from researchhub.celery import app

    if app.conf.broker_url != redis_url or app.conf.result_backend != redis_url:
        pytest.fail(
            f"the Celery app talks to {app.conf.broker_url!r} (results: "
            f"{app.conf.result_backend!r}), not REDIS_URL={redis_url!r}: "
            "unset CELERY_BROKER_URL and CELERY_RESULT_BACKEND for this run"
        )
    always_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = always_eager


def plannable_study(households: int = 3) -> tuple[Study, str]:
    """An active study whose next round is due now, and that round's label.

    The worker plans with the real clock, so the lead time is the longest allowed: the
    next period of any cadence starts within it.
    """
    study = StudyFactory(planning_lead_days=180)
    MembershipFactory(study=study, user=UserFactory(), role=Role.RESEARCH_LEAD)
    for _ in range(2):
        MembershipFactory(study=study, user=UserFactory())
    enrol_consenting(study, households)
    return study, next_period(study.cadence, study_today(study)).label
