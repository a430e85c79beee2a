"""Under CI the suite runs against the real services; a missing one fails, never skips."""

import pytest
import redis
from django.db import connection

from tests.environment import in_ci


def test_ci_runs_the_suite_on_postgresql(db):
    # Not an absence but a rule of CI's own: a laptop rightly runs the suite on SQLite.
    if not in_ci():
        pytest.skip("CI only: locally the suite may run on the embedded SQLite file")

    assert connection.vendor == "postgresql", (
        f"under CI DATABASE_URL must point at PostgreSQL, but the suite runs on "
        f"{connection.vendor}: .ci/run exports it after starting PostgreSQL"
    )


def test_ci_has_a_broker_that_answers(redis_url):
    assert redis.Redis.from_url(redis_url).ping() is True
