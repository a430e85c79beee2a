"""Running ResearchHub's real processes (gunicorn, Celery worker and beat) from tests.

The deployment in docker-compose.yml is exercised without a container engine: each
service's command runs as a subprocess of the test, in the project folder, with the
service's environment from the compose file pointed at the test database and broker.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
import yaml
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import AsyncResult
from django.db import connection

from tests.environment import unavailable

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
# Not resolved: the virtualenv's python is a symlink, and its own bin folder is the point.
VENV_BIN = Path(sys.executable).parent

# What an operator passes to `docker compose up`; the secrets have no defaults on purpose.
DEPLOYMENT_VARIABLES = {
    "SECRET_KEY": "infra-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "POSTGRES_PASSWORD": "infra-test-password",
}

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def require_redis() -> str:
    """The broker URL these tests run against; under CI its absence is a failure."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        unavailable("set REDIS_URL to run against a real broker (.ci/run exports it)")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"REDIS_URL={url} does not answer PING: {exc}")
    return url


def database_url_for_tests() -> str:
    """A DATABASE_URL naming the database this test session runs on."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        # settings.py gives SQLite tests a file, so other processes can open it.
        return f"sqlite:///{settings['NAME']}"
    if connection.vendor == "postgresql":
        user = quote(settings["USER"] or "", safe="")
        password = quote(settings["PASSWORD"] or "", safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
        host = settings["HOST"] or ""
        if host.startswith("/"):  # a Unix socket folder
            host = quote(host, safe="")
        elif ":" in host:
            host = f"[{host}]"
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        return f"postgres://{credentials}{host}{port}/{quote(settings['NAME'], safe='')}"
    pytest.fail(f"no DATABASE_URL form for the {connection.vendor} test database")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The compose file -----------------------------------------------------------------------


class MissingVariableError(Exception):
    pass


_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_]\w*))"
)


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's variable substitution: ${X}, ${X:-default}, ${X-default}, ${X:?error}, $$."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["name"] or match["bare"]
        current = variables.get(name)
        op = match["op"]
        unset = current is None or (op is not None and op.startswith(":") and current == "")
        if op in {":-", "-"}:
            return match["arg"] if unset else current
        if op in {":?", "?"}:
            if unset:
                raise MissingVariableError(f"{name}: {match['arg']}")
            return current
        return current or ""

    return _REFERENCE.sub(replace, value)


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service(name: str) -> dict[str, Any]:
    return compose()["services"][name]


def service_environment(
    name: str, variables: Mapping[str, str] = DEPLOYMENT_VARIABLES
) -> dict[str, str]:
    return {
        key: interpolate(str(value), variables)
        for key, value in (service(name).get("environment") or {}).items()
    }


def local_environment(name: str, **overrides: str) -> dict[str, str]:
    """A service's compose environment, for running its command on this machine.

    Nothing leaks in from the test's own environment except PATH, so a variable missing
    from the compose file shows up here as it would in the container.
    """
    environment = service_environment(name)
    environment.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        # What the Dockerfile sets for every container.
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
        HOME=os.environ.get("HOME", str(ROOT)),
    )
    environment.update(overrides)
    return environment


# --- Processes ------------------------------------------------------------------------------


@dataclass
class ServiceProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def result(self, result: AsyncResult, timeout: float = START_TIMEOUT) -> Any:
        """The return value of a task this worker runs; fail with its output if it never does."""
        try:
            return result.get(timeout=timeout)
        except CeleryTimeoutError:
            pytest.fail(f"no result for task {result.id} in {timeout}s:\n{self.tail()}")

    def wait_for(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match[str]:
        """Wait until the output matches `pattern`; fail with the output if it never does."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.output())
            if match:
                return match
            if self.process.poll() is not None:
                pytest.fail(
                    f"{self.process.args} exited with {self.process.returncode} before "
                    f"printing {pattern!r}:\n{self.tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no {pattern!r} from {self.process.args} in {timeout}s:\n{self.tail()}"
                )
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process and everything it started (its session's process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
    # Children that outlived their parent (prefork pool processes, gunicorn workers).
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running(
    command: list[str], *, environment: Mapping[str, str], log_path: Path
) -> Iterator[ServiceProcess]:
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so stop() reaches every child even after a failure.
            start_new_session=True,
        )
    try:
        yield ServiceProcess(process=process, log_path=log_path)
    finally:
        stop(process)


def run_once(
    command: list[str], *, environment: Mapping[str, str], timeout: float = START_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run a one-shot command (a migration, a health check) to completion."""
    return subprocess.run(
        command,
        cwd=ROOT,
        env=dict(environment),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        start_new_session=True,
    )
