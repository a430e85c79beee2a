"""The round-planning task run by a real Celery worker through Redis, never inline.

The worker is a separate process reading the same test database; it listens on a queue
of this test's own, so another worker on the same Redis cannot take the messages.
"""

import os
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from celery.result import EagerResult

from studies.scheduling.models import Round, Visit
from studies.scheduling.tasks import plan_due_rounds
from tests.infra.conftest import plannable_study
from tests.infra.services import VENV_BIN, ServiceProcess, database_url_for_tests, running

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_queue(redis_url, broker_app, tmp_path) -> Iterator[tuple[ServiceProcess, str]]:
    queue = f"infra-worker-{uuid.uuid4().hex}"
    environment = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    command = [
        "celery", "-A", "researchhub", "worker", "--loglevel=INFO",
        # Two pool processes, so two tasks sent together really run side by side.
        "--pool=prefork", "--concurrency=2",
        f"--queues={queue}", f"--hostname={queue}@%h",
        "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    with running(command, environment=environment, log_path=tmp_path / "worker.log") as worker:
        worker.wait_for(r"@\S+ ready\.")
        yield worker, queue


def test_the_worker_plans_the_round_and_a_second_run_creates_nothing(worker_queue):
    worker, queue = worker_queue
    study, label = plannable_study(households=4)

    first = plan_due_rounds.apply_async(queue=queue)
    first_summary = worker.result(first)
    second_summary = worker.result(plan_due_rounds.apply_async(queue=queue))

    assert not isinstance(first, EagerResult)
    assert f"Task scheduling.plan_due_rounds[{first.id}] succeeded" in worker.output()
    assert first_summary == [
        {"study": str(study.pk), "round": label, "created": True, "visits": 4, "unplaced": []}
    ]
    assert second_summary == [
        {"study": str(study.pk), "round": label, "created": False, "visits": 0, "unplaced": []}
    ]
    round_ = Round.objects.get(study=study)
    assert round_.label == label
    visits = Visit.objects.filter(round=round_)
    assert sorted(visits.values_list("household__code", flat=True)) == sorted(
        study.enrolments.values_list("household__code", flat=True)
    )
    # Two researchers, four households: the planner balances the load two and two.
    assert sorted(Counter(visits.values_list("researcher_id", flat=True)).values()) == [2, 2]


def test_two_runs_sent_at_once_plan_the_round_once(worker_queue):
    worker, queue = worker_queue
    study, _ = plannable_study(households=4)

    sent = [plan_due_rounds.apply_async(queue=queue) for _ in range(2)]
    summaries = [worker.result(result) for result in sent]

    assert sorted(summary[0]["created"] for summary in summaries) == [False, True]
    assert sorted(summary[0]["visits"] for summary in summaries) == [0, 4]
    assert Round.objects.filter(study=study).count() == 1
    assert Visit.objects.filter(round__study=study).count() == 4
    assert Visit.objects.filter(round__study=study).values("household").distinct().count() == 4
