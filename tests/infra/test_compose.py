"""docker-compose.yml, checked by reading it and by running its services' commands for real.

No container engine runs here, so the web, worker, beat and migrate commands run as local
processes with the environment the compose file gives them, pointed at the test database
and at the broker in REDIS_URL. A renamed module, a wrong flag or a missing variable in
the compose file fails here instead of on the first deployment.
"""

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import dj_database_url
import pytest
import redis
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from studies.scheduling.models import Round
from studies.scheduling.tasks import plan_due_rounds
from tests.infra.conftest import plannable_study
from tests.infra.services import (
    DEPLOYMENT_VARIABLES,
    START_TIMEOUT,
    MissingVariableError,
    ServiceProcess,
    compose,
    database_url_for_tests,
    free_port,
    interpolate,
    local_environment,
    run_once,
    running,
    service,
    service_environment,
)

APP_SERVICES = ["migrate", "web", "worker", "beat"]
LONG_RUNNING_APP_SERVICES = ["web", "worker", "beat"]


def health_check_command(name: str) -> list[str]:
    test = service(name)["healthcheck"]["test"]
    assert test[0] == "CMD", f"{name}'s health check should be in exec form"
    return test[1:]


# --- What the file says ---------------------------------------------------------------------


def test_it_runs_postgresql_16_and_redis_7():
    assert service("db")["image"] == "postgres:16"
    assert service("redis")["image"] == "redis:7"


def test_every_command_and_health_check_is_in_list_form():
    for name, definition in compose()["services"].items():
        if "command" in definition:
            assert isinstance(definition["command"], list), name
        if "healthcheck" in definition:
            assert isinstance(definition["healthcheck"]["test"], list), name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_until_the_database_is_healthy(name):
    assert service(name)["depends_on"]["db"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", LONG_RUNNING_APP_SERVICES)
def test_long_running_services_wait_for_the_broker_and_the_migrations(name):
    depends_on = service(name)["depends_on"]

    assert depends_on["redis"] == {"condition": "service_healthy"}
    assert depends_on["migrate"] == {"condition": "service_completed_successfully"}


def test_migrations_run_once_and_are_not_restarted():
    assert service("migrate")["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert service("migrate")["restart"] == "no"


def test_the_worker_consumes_every_queue_tasks_are_routed_to():
    from django.conf import settings

    command = service("worker")["command"]
    queues = next(arg for arg in command if arg.startswith("--queues=")).split("=", 1)[1]
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}

    assert {settings.CELERY_TASK_DEFAULT_QUEUE, *routed} <= set(queues.split(","))
    assert "photos" in routed


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker"])
def test_services_that_can_answer_have_a_health_check(name):
    healthcheck = service(name)["healthcheck"]

    assert len(healthcheck["test"]) > 1
    assert {"interval", "timeout", "retries"} <= healthcheck.keys()


def test_the_database_and_media_live_on_named_volumes():
    media_root = service_environment("web")["MEDIA_ROOT"]

    assert {"pgdata", "media"} <= compose()["volumes"].keys()
    assert "pgdata:/var/lib/postgresql/data" in service("db")["volumes"]
    assert f"media:{media_root}" in service("web")["volumes"]
    assert f"media:{media_root}" in service("worker")["volumes"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_configured_from_the_12_factor_variables(name):
    environment = service_environment(name)
    database = dj_database_url.parse(environment["DATABASE_URL"])

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db", "researchhub")
    assert database["PASSWORD"] == DEPLOYMENT_VARIABLES["POSTGRES_PASSWORD"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["SECRET_KEY"] == DEPLOYMENT_VARIABLES["SECRET_KEY"]
    assert environment["RESEARCHHUB_EMBEDDED"] == "false"
    assert environment["DEBUG"] == "false"
    assert "127.0.0.1" in environment["ALLOWED_HOSTS"].split(",")
    assert environment["MEDIA_ROOT"] == "/app/media"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_the_secrets_have_no_defaults(missing):
    variables = {key: value for key, value in DEPLOYMENT_VARIABLES.items() if key != missing}

    with pytest.raises(MissingVariableError, match=missing):
        service_environment("web", variables)


def test_the_operators_allowed_hosts_are_added_to_the_local_ones():
    variables = {**DEPLOYMENT_VARIABLES, "ALLOWED_HOSTS": "research.example.org"}

    allowed = service_environment("web", variables)["ALLOWED_HOSTS"]

    assert allowed == "127.0.0.1,localhost,research.example.org"


def test_the_web_service_publishes_the_port_gunicorn_binds():
    bind_port = service_environment("web")["GUNICORN_BIND"].rsplit(":", 1)[1]

    assert service("web")["ports"] == ["${WEB_PORT:-8000}:" + bind_port]


def test_interpolation_follows_compose():
    variables = {"SET": "value", "EMPTY": ""}

    assert interpolate("${SET:-x} ${EMPTY:-x} ${EMPTY-x} ${UNSET-x} $$ ${SET}", variables) == (
        "value x  x $ value"
    )
    with pytest.raises(MissingVariableError, match="UNSET: needed"):
        interpolate("${UNSET:?needed}", variables)


# --- What the services do -------------------------------------------------------------------


def get_healthz(web: ServiceProcess, port: int) -> dict[str, Any]:
    """GET /healthz once gunicorn answers; any answer other than 200 fails the test."""
    deadline = time.monotonic() + START_TIMEOUT
    url = f"http://127.0.0.1:{port}/healthz"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.headers["Content-Type"] == "application/json"
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            pytest.fail(f"/healthz answered {exc.code}: {exc.read()!r}\n{web.tail()}")
        except (urllib.error.URLError, ConnectionError):
            if web.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn never answered on port {port}:\n{web.tail()}")
            time.sleep(0.2)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_migrate_finds_the_test_database_up_to_date(tmp_path):
    environment = local_environment(
        "migrate", DATABASE_URL=database_url_for_tests(), MEDIA_ROOT=str(tmp_path)
    )

    result = run_once(service("migrate")["command"], environment=environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No migrations to apply." in result.stdout


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_web_answers_healthz_with_every_check_ok(redis_url, tmp_path):
    port = free_port()
    environment = local_environment(
        "web",
        DATABASE_URL=database_url_for_tests(),
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )

    with running(
        service("web")["command"], environment=environment, log_path=tmp_path / "web.log"
    ) as web:
        body = get_healthz(web, port)
        health_check = run_once(health_check_command("web"), environment=environment)
        web.wait_for(r'"GET /healthz HTTP/1\.1" 200(.|\n)*"GET /healthz HTTP/1\.1" 200')

    assert body == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "detail": connection.vendor},
            "broker": {"ok": True, "detail": "redis"},
            "storage": {"ok": True, "detail": "FileSystemStorage"},
        },
    }
    assert health_check.returncode == 0, health_check.stderr


def _answer(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read()


@pytest.mark.services
def test_web_answers_503_while_the_database_and_broker_are_away(tmp_path):
    # A database and a broker on loopback ports nothing listens on: stopped, as in a
    # restart. Plain HTTP, so the answers are read as they are sent.
    port = free_port()
    environment = local_environment(
        "web",
        DATABASE_URL=f"postgres://researchhub@127.0.0.1:{free_port()}/researchhub",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="false",
    )
    base = f"http://127.0.0.1:{port}"

    with running(
        service("web")["command"], environment=environment, log_path=tmp_path / "web.log"
    ) as web:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                health = _answer(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                if web.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn never answered on port {port}:\n{web.tail()}")
                time.sleep(0.2)
        api = _answer(f"{base}/api/v1/studies/", Authorization="Token not-checked-yet")

    assert health[0] == 503
    checks = json.loads(health[2])["checks"]
    assert (checks["database"]["ok"], checks["broker"]["ok"]) == (False, False)
    assert api[0] == 503
    assert api[1]["Retry-After"] == "5"
    assert json.loads(api[2]) == {
        "errors": {
            "service": [
                "ResearchHub is busy for a moment. Nothing was saved; try again in a few seconds."
            ]
        }
    }


def test_the_web_health_check_fails_when_nothing_answers():
    environment = local_environment("web", GUNICORN_BIND=f"127.0.0.1:{free_port()}")

    result = run_once(health_check_command("web"), environment=environment)

    assert result.returncode != 0
    assert "Connection refused" in result.stderr


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_worker_plans_a_round_sent_through_the_broker(redis_url, broker_app, tmp_path):
    study, label = plannable_study(households=3)
    environment = local_environment(
        "worker",
        DATABASE_URL=database_url_for_tests(),
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    with running(
        service("worker")["command"], environment=environment, log_path=tmp_path / "worker.log"
    ) as worker:
        worker.wait_for(r"celery@\S+ ready\.")
        result = plan_due_rounds.delay()
        summary = worker.result(result)
        health_check = run_once(health_check_command("worker"), environment=environment)

    assert summary == [
        {"study": str(study.pk), "round": label, "created": True, "visits": 3, "unplaced": []}
    ]
    round_ = Round.objects.get(study=study, label=label)
    assert round_.planned_automatically
    assert round_.visits.count() == 3
    assert health_check.returncode == 0, health_check.stdout + health_check.stderr
    assert "pong" in health_check.stdout


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_beat_starts_with_the_database_scheduler_and_sends_due_tasks(redis_url, tmp_path):
    # A queue of this test's own, so the tasks beat sends reach no worker and can be
    # counted and removed afterwards.
    queue = f"infra-beat-{uuid.uuid4().hex}"
    PeriodicTask.objects.create(
        name=f"Infra test {queue}",
        task="scheduling.send_visit_reminders",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
        queue=queue,
    )
    environment = local_environment(
        "beat",
        DATABASE_URL=database_url_for_tests(),
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    broker = redis.Redis.from_url(redis_url)

    def queued() -> int:
        return sum(broker.llen(key) for key in broker.scan_iter(match=f"{queue}*"))

    try:
        with running(
            service("beat")["command"], environment=environment, log_path=tmp_path / "beat.log"
        ) as beat:
            beat.wait_for(r"beat: Starting\.\.\.")
            beat.wait_for(
                rf"Sending due task Infra test {queue} \(scheduling\.send_visit_reminders\)"
            )
            deadline = time.monotonic() + START_TIMEOUT
            while not queued() and time.monotonic() < deadline:
                time.sleep(0.2)
            sent = queued()
    finally:
        for key in broker.scan_iter(match=f"*{queue}*"):
            broker.delete(key)

    assert "scheduler -> django_celery_beat.schedulers.DatabaseScheduler" in beat.output()
    assert sent >= 1
