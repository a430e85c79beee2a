"""Load test: the real stack (gunicorn, a Celery worker, PostgreSQL, Redis) driven by locust.

1. The data: `manage.py generate_dataset` at BENCH_SCALE (default 1.0, the full size: 2,000
   households, 100,000 observations) with seed 1, built once into a template database
   (researchhub_bench_load_tpl_<scale>_seed1, marked complete with a comment on the
   database) and its media folder, then reused (BENCH_LOAD_REBUILD=1 builds it again, e.g.
   after a change to the generator); each run works on a fresh copy
   (researchhub_bench_load_run), migrated, and dropped afterwards. One run at a time.
2. Before the run: an API token for every generated researcher, product designer and
   marketer, and each researcher's own completed visits, written to a plan for locust.
3. The stack, as docker-compose.yml runs it but as child processes on loopback: gunicorn
   (researchhub/gunicorn.py, BENCH_GUNICORN_WORKERS workers, default 4, on a free port) and a
   Celery worker on the default and photos queues, with REDIS_URL on Redis db 5 and the
   cache (API throttling) on db 6, DEBUG off, the embedded profile (no HTTPS redirect on
   plain HTTP). The API rate limits are raised to 1,000,000 a minute: a few generated
   accounts stand for many people here, and the default 600 a minute per account would
   throttle the benchmark itself, not the app.
4. locust, headless, in a second process (bench/locustfile.py): BENCH_USERS users (default
   50, started 10 a second) for BENCH_SECONDS (default 60), each thinking 1–3 s between
   actions, on a new connection for each request (see the locustfile for why).
5. Afterwards: latency percentiles overall and by kind of user, errors (any status other
   than the expected one, any exception, any sync item not confirmed), and no observation
   lost: every observation a sync answer confirmed must be in the database exactly once.
   Then it waits (up to 120 s) for the worker to process the uploaded photos.

Everything started is stopped in a `finally`, and the children also get SIGTERM if this
process dies (PR_SET_PDEATHSIG on Linux).

    BENCH_SCALE=0.01 BENCH_USERS=5 BENCH_SECONDS=10 python bench/load_test.py   # smoke run
"""

import contextlib
import ctypes
import dataclasses
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import ROOT, Figure, emit, env_int, env_scale, percentile, postgres_url, setup_django
from synthesis_pages import SEARCHES

SCALE = env_scale()
USERS = env_int("BENCH_USERS", 50)
SECONDS = env_int("BENCH_SECONDS", 60)
WORKERS = env_int("BENCH_GUNICORN_WORKERS", 4)
SEED = 1
SPAWN_RATE = 10
P95_TARGET_MS = 250.0
# Errors and lost observations must be none.
NONE_TARGET = 0
VISITS_PER_RESEARCHER = 20
PHOTO_WAIT_S = 120.0
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0
REDIS_BROKER = "redis://127.0.0.1:6379/5"
REDIS_CACHE = "redis://127.0.0.1:6379/6"
RAISED_RATE = "1000000/minute"
RUN_DATABASE = "researchhub_bench_load_run"
MEDIA_CACHE = Path(tempfile.gettempdir()) / "researchhub-bench-load"
VENV_BIN = Path(sys.executable).parent
USER_TYPES = ("researcher", "product", "marketing")


@dataclass
class Stack:
    url: str
    processes: list[subprocess.Popen[bytes]]
    logs: dict[str, Path]


# --- The database -------------------------------------------------------------------------


def admin(sql: str, *params: str) -> list[tuple[Any, ...]]:
    """One statement on the server's maintenance database, outside a transaction."""
    import psycopg

    with psycopg.connect(postgres_url("postgres"), autocommit=True) as connection:
        cursor = connection.execute(sql, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def manage(*args: str, database_url: str, media: Path) -> None:
    """A manage.py command in its own process; no broker, so tasks would run inline."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "PYTHONUNBUFFERED": "1",
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    log(f"manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")


def template() -> tuple[str, Path]:
    """The generated dataset at SCALE in a database of its own, built once and reused.

    A comment on the database, written only after the generator finished, marks it
    complete: an interrupted build is rebuilt, not reused.
    """
    name = f"researchhub_bench_load_tpl_{SCALE:g}_seed{SEED}".replace(".", "_")
    marker = f"generate_dataset --scale {SCALE:g} --seed {SEED}: complete"
    media = MEDIA_CACHE / name
    found = admin(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", name
    )
    rebuild = os.environ.get("BENCH_LOAD_REBUILD", "") not in ("", "0")
    if found and found[0][0] == marker and media.is_dir() and not rebuild:
        log(f"reusing {name} (generated before with the same scale and seed)")
        return name, media
    log(f"building {name}: migrate, then generate_dataset --scale {SCALE:g} --seed {SEED}")
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    shutil.rmtree(media, ignore_errors=True)
    media.mkdir(parents=True)
    manage("migrate", "--noinput", database_url=postgres_url(name), media=media)
    manage(
        "generate_dataset",
        "--scale",
        f"{SCALE:g}",
        "--seed",
        str(SEED),
        database_url=postgres_url(name),
        media=media,
    )
    admin(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    return name, media


def fresh_copy(template_name: str, template_media: Path, media: Path) -> str:
    """A copy of the template for this run (the run adds observations and photos)."""
    started = time.monotonic()
    admin(f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)')
    # FILE_COPY copies the files whole: much faster than WAL_LOG for a large template.
    admin(f'CREATE DATABASE "{RUN_DATABASE}" TEMPLATE "{template_name}" STRATEGY FILE_COPY')
    shutil.copytree(template_media, media)
    log(f"copied {template_name} for this run in {time.monotonic() - started:.1f} s")
    url = postgres_url(RUN_DATABASE)
    manage("migrate", "--noinput", database_url=url, media=media)
    return url


# --- Before the run -----------------------------------------------------------------------


def plan(path: Path) -> dict[str, int]:
    """Tokens and visits for locust's users; how many accounts of each kind there are."""
    from studies.accounts.services import api_token_create
    from studies.common.models import User
    from studies.demo.content import PASSWORD
    from studies.demo.photos import render_jpeg
    from studies.fieldwork.models import Tag
    from studies.scheduling.models import Visit, VisitStatus

    def accounts(role: str) -> list[User]:
        return list(User.objects.filter(username__startswith=f"dataset-{role}-").order_by("pk"))

    def token(user: User) -> str:
        return api_token_create(user=user, name="load test")[1]

    researchers = []
    for user in accounts("researcher"):
        visits = (
            Visit.objects.filter(
                researcher=user,
                status=VisitStatus.COMPLETED,
                finished_at__isnull=False,
                household__erased_at__isnull=True,
            )
            .select_related("round")
            .prefetch_related("round__guide")
            .order_by("-scheduled_start")[:VISITS_PER_RESEARCHER]
        )
        tags: dict[Any, list[str]] = {}
        plan_visits = []
        for visit in visits:
            study = visit.round.study_id
            if study not in tags:
                tags[study] = list(Tag.objects.filter(study=study).values_list("name", flat=True))
            plan_visits.append(
                {
                    "id": str(visit.pk),
                    "start": visit.scheduled_start.isoformat(),
                    "end": visit.finished_at.isoformat(),
                    "guide": [str(question.pk) for question in visit.round.guide.all()],
                    "tags": tags[study],
                }
            )
        if plan_visits:
            researchers.append(
                {"username": user.username, "token": token(user), "visits": plan_visits}
            )
    content = {
        "researcher": researchers,
        "product": [
            {"username": user.username, "token": token(user)} for user in accounts("product")
        ],
        "marketing": [
            {"username": user.username, "token": token(user)} for user in accounts("marketing")
        ],
        "password": PASSWORD,
        "searches": SEARCHES,
        # A real JPEG as the demo draws it (1200 × 900, about 60 KB): two or three chunks.
        "photo_hex": render_jpeg("takeaway_tubs").hex(),
    }
    path.write_text(json.dumps(content))
    return {kind: len(content[kind]) for kind in USER_TYPES}


# --- The stack ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def die_with_parent() -> None:
    """In the child before exec: SIGTERM it when this process dies, even by SIGKILL.

    (preexec_fn is safe here: this process starts no threads.)
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stack_environment(database_url: str, media: Path, port: int) -> dict[str, str]:
    return {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", str(ROOT)),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_BROKER,
        "CACHE_URL": REDIS_CACHE,
        "DEBUG": "false",
        # The embedded profile: no HTTPS redirect or secure-only cookies on plain HTTP.
        "RESEARCHHUB_EMBEDDED": "true",
        "SECRET_KEY": "load-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Raised on purpose: see the module's docstring.
        "RESEARCHHUB_API_RATE_USER": RAISED_RATE,
        "RESEARCHHUB_API_RATE_ANON": RAISED_RATE,
        "MEDIA_ROOT": str(media),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
    }


def start(command: list[str], environment: dict[str, str], log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own process group, so stop() reaches the workers it forks.
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process and everything in its process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_until(ready: Any, what: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}:\n{tail(log_path)}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} not ready in {START_TIMEOUT_S:.0f} s:\n{tail(log_path)}")
        time.sleep(0.3)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def running_stack(database_url: str, media: Path, output: Path) -> Iterator[Stack]:
    import redis

    for url in (REDIS_BROKER, REDIS_CACHE):
        # Ours alone: tasks left by an interrupted run, and throttle counters, go.
        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
    port = free_port()
    environment = stack_environment(database_url, media, port)
    stack = Stack(url=f"http://127.0.0.1:{port}", processes=[], logs={})
    commands = {
        "gunicorn": [
            "gunicorn",
            "researchhub.wsgi:application",
            "--config",
            "python:researchhub.gunicorn",
        ],
        "celery": [
            "celery",
            "-A",
            "researchhub",
            "worker",
            "--loglevel=INFO",
            "--queues=default,photos",
            "--concurrency=2",
        ],
    }
    try:
        for name, command in commands.items():
            stack.logs[name] = output / f"{name}.log"
            stack.processes.append(start(command, environment, stack.logs[name]))
        gunicorn, celery = stack.processes
        wait_until(lambda: healthy(stack.url), "gunicorn", gunicorn, stack.logs["gunicorn"])
        wait_until(
            lambda: " ready." in stack.logs["celery"].read_text(errors="replace"),
            "the Celery worker",
            celery,
            stack.logs["celery"],
        )
        log(f"stack up at {stack.url}: gunicorn ({WORKERS} workers), a Celery worker")
        yield stack
    finally:
        for process in reversed(stack.processes):
            stop(process)


# --- The run ------------------------------------------------------------------------------


def cpu_probe_s() -> float:
    """Seconds for 5 million additions in pure Python: the virtual CPU's speed varies by the
    hour here (0.3 s to 0.8 s), and the latencies with it."""
    started = time.perf_counter()
    total = 0
    for number in range(5_000_000):
        total += number
    return time.perf_counter() - started


def machine_busy_s() -> float:
    """CPU seconds every process on this machine has used since boot (/proc/stat)."""
    jiffies = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    idle = jiffies[3] + jiffies[4]  # idle and iowait
    return (sum(jiffies) - idle) / os.sysconf("SC_CLK_TCK")


def stack_cpu_s(stack: Stack) -> list[float]:
    """CPU seconds used so far by gunicorn and by the Celery worker, with their children."""
    import psutil

    used = []
    for process in stack.processes:
        total = 0.0
        with contextlib.suppress(psutil.Error):
            parent = psutil.Process(process.pid)
            for member in [parent, *parent.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = member.cpu_times()
                    total += times.user + times.system
        used.append(total)
    return used


def drive(stack: Stack, plan_path: Path, output: Path) -> tuple[dict[str, Any], dict[str, float]]:
    """locust in its own process; its results, and the CPU seconds used meanwhile: by the
    machine, by gunicorn and the worker, by locust. On a shared machine the rest shows
    whether something else ran during the measurement."""
    results_path = output / "results.json"
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(min(SPAWN_RATE, USERS)),
        "--run-time",
        f"{SECONDS}s",
        # Users finish the task under way at the end, so no confirmation is cut off.
        "--stop-timeout",
        "30",
        "--host",
        stack.url,
        "--csv",
        str(output / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    environment = {
        **os.environ,
        "BENCH_LOAD_PLAN": str(plan_path),
        "BENCH_LOAD_RESULTS": str(results_path),
    }
    probe = cpu_probe_s()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine, app = machine_busy_s(), stack_cpu_s(stack)
    log(f"locust: {USERS} users for {SECONDS} s against {stack.url}")
    with (output / "locust.log").open("wb") as locust_log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=locust_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
    try:
        # locust exits 1 when any request failed; the results say which.
        process.wait(timeout=SECONDS + 120)
    finally:
        stop(process)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = machine_busy_s() - machine
    web, worker = (now - then for now, then in zip(stack_cpu_s(stack), app, strict=True))
    if not results_path.exists():
        raise SystemExit(f"locust wrote no results:\n{tail(output / 'locust.log')}")
    locust = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(results_path.read_text()), {
        "probe": probe,
        "machine": machine,
        "web": web,
        "worker": worker,
        "locust": locust,
    }


def observations_check(results: dict[str, Any]) -> dict[str, int]:
    """Confirmed observations against the rows with their device ids."""
    from django.db.models import Count

    from studies.fieldwork.models import Observation

    confirmed = set(results["confirmed_device_ids"])
    unconfirmed = set(results["sent_device_ids"]) - confirmed
    rows = Observation.objects.filter(device_id__in=confirmed).values("device_id")
    counts = rows.annotate(rows=Count("id")).values_list("rows", flat=True)
    found = len(counts)
    return {
        "confirmed": len(confirmed),
        "found": found,
        "lost": len(confirmed) - found,
        "duplicated": sum(count - 1 for count in counts),
        "unconfirmed_sent": len(unconfirmed),
        "unconfirmed_stored": Observation.objects.filter(device_id__in=unconfirmed).count(),
    }


def photos_check(device_ids: list[str]) -> dict[str, Any]:
    """Wait (bounded) for the worker to process the uploaded photos; their statuses."""
    from django.db.models import Count

    from studies.fieldwork.models import Photo, PhotoStatus

    started = time.monotonic()
    while True:
        statuses = dict(
            Photo.objects.filter(device_id__in=device_ids)
            .values_list("status")
            .annotate(count=Count("id"))
        )
        waited = time.monotonic() - started
        if not statuses.get(PhotoStatus.PENDING) or waited > PHOTO_WAIT_S:
            return {
                "uploaded": len(device_ids),
                "ready": statuses.get(PhotoStatus.READY, 0),
                "failed": statuses.get(PhotoStatus.FAILED, 0),
                "pending": statuses.get(PhotoStatus.PENDING, 0),
                "waited_s": waited,
            }
        time.sleep(1)


# --- Reporting ----------------------------------------------------------------------------


def log(line: str) -> None:
    # Progress on stderr: bench/run.py shows it when a run fails, stdout carries the figures.
    print(f"· {line}", file=sys.stderr, flush=True)


def latency(samples: list[float]) -> str:
    if not samples:
        return "no requests"
    return (
        f"p50 {percentile(samples, 0.5):.0f} ms, p95 {percentile(samples, 0.95):.0f} ms, "
        f"p99 {percentile(samples, 0.99):.0f} ms"
    )


def endpoints(output: Path) -> list[str]:
    """locust's own table, slowest p95 first: what dominates."""
    import csv

    with (output / "locust_stats.csv").open() as stats:
        rows = [row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"]
    rows.sort(key=lambda row: -float(row["95%"] or 0))
    return [
        f"  {row['Type']:<6} {row['Name']:<34} {int(row['Request Count']):>6} requests, "
        f"{int(row['Failure Count']):>3} failed, p50 {row['50%']:>5} ms, p95 {row['95%']:>5} ms, "
        f"p99 {row['99%']:>5} ms"
        for row in rows
    ]


def size_label() -> str:
    return "full" if SCALE == 1.0 else f"{SCALE:g} of full"


def figure(**fields: Any) -> Figure:
    """A Figure on the "full" dataset: BENCH_SCALE is the full size of this run (a smoke
    run shrinks it), as for the other benchmarks."""
    if "size" in {field.name for field in dataclasses.fields(Figure)}:
        return Figure(size="full", **fields)
    return Figure(**fields)


def report(
    results: dict[str, Any],
    cpu_s: dict[str, float],
    observations: dict[str, int],
    photos: dict[str, Any],
    accounts: dict[str, int],
    output: Path,
) -> list[Figure]:
    samples = results["samples"]
    everything = [ms for kind in samples.values() for ms in kind]
    error_count = sum(results["errors"].values())
    seconds = results["seconds"] or SECONDS
    rps = len(everything) / seconds
    by_type = {kind: samples.get(kind, []) for kind in USER_TYPES}
    print(f"Load test: {USERS} users for {SECONDS} s, dataset {size_label()} (seed {SEED})")
    print(
        f"  stack: gunicorn {WORKERS} workers × 2 threads, a Celery worker (2 processes); "
        f"accounts: {accounts['researcher']} researchers, {accounts['product']} product "
        f"designers, {accounts['marketing']} marketers; API rate limits raised to {RAISED_RATE}"
    )
    print(
        f"  all: {len(everything)} requests, {rps:.1f} requests/s, {latency(everything)}, "
        f"{error_count} errors"
    )
    for kind, times in by_type.items():
        print(
            f"  {kind}: {len(times)} requests, {latency(times)}, "
            f"{results['errors'].get(kind, 0)} errors"
        )
    print("  by endpoint (locust's histogram, slowest p95 first):")
    print("\n".join(endpoints(output)))
    for example in results["error_examples"]:
        print(f"  error: {example}")
    print(
        f"  observations: {observations['confirmed']} confirmed by sync answers, "
        f"{observations['found']} in the database, {observations['lost']} lost, "
        f"{observations['duplicated']} duplicated; {observations['unconfirmed_sent']} sent "
        f"without a confirmation, {observations['unconfirmed_stored']} of them stored"
    )
    print(
        f"  photos: {photos['uploaded']} uploaded, {photos['ready']} ready, "
        f"{photos['failed']} failed, {photos['pending']} still pending after "
        f"{photos['waited_s']:.0f} s"
    )
    rest = cpu_s["machine"] - cpu_s["web"] - cpu_s["worker"] - cpu_s["locust"]
    print(
        f"  CPU during the run: {cpu_s['machine']:.0f} CPU-s busy of "
        f"{(os.cpu_count() or 1) * seconds:.0f}; gunicorn {cpu_s['web']:.0f}, the Celery "
        f"worker {cpu_s['worker']:.0f}, locust {cpu_s['locust']:.1f}, the rest (PostgreSQL, "
        f"Redis, anything else running) {rest:.0f}; CPU speed before the run: 5 million "
        f"additions in {cpu_s['probe']:.2f} s"
    )
    print(f"  logs and locust's CSV: {output}")
    types = "; ".join(
        f"{kind} p95 {percentile(times, 0.95):.0f} ms" for kind, times in by_type.items() if times
    )
    return [
        figure(
            name=f"load: p95 latency at {USERS} users",
            value=round(percentile(everything, 0.95), 1) if everything else 0.0,
            target=P95_TARGET_MS,
            unit="ms",
            detail=f"{latency(everything)}, {rps:.1f} req/s over {SECONDS} s; {types}",
        ),
        figure(
            name="load: errors",
            value=float(error_count),
            target=NONE_TARGET,
            unit="",
            detail=f"of {len(everything)} requests",
        ),
        figure(
            name="load: observations lost",
            value=float(observations["lost"] + observations["duplicated"]),
            target=NONE_TARGET,
            unit="",
            detail=(
                f"{observations['confirmed']} confirmed, {observations['found']} found, "
                f"{observations['duplicated']} duplicated; photos {photos['ready']} of "
                f"{photos['uploaded']} ready"
            ),
        ),
    ]


def main() -> None:
    # A SIGTERM (a timeout upstream) unwinds through the finally blocks like an exception.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    output = Path(tempfile.mkdtemp(prefix="researchhub-load-"))
    media = output / "media"
    template_name, template_media = template()
    os.environ["DATABASE_URL"] = postgres_url(RUN_DATABASE)
    os.environ["MEDIA_ROOT"] = str(media)
    setup_django()
    from django.db import connection

    try:
        database_url = fresh_copy(template_name, template_media, media)
        accounts = plan(output / "plan.json")
        connection.close()
        with running_stack(database_url, media, output) as stack:
            results, cpu_s = drive(stack, output / "plan.json", output)
            observations = observations_check(results)
            photos = photos_check(results["uploaded_photo_device_ids"])
        figures = report(results, cpu_s, observations, photos, accounts, output)
    finally:
        connection.close()
        admin(f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)')
        shutil.rmtree(media, ignore_errors=True)
    emit(figures)


if __name__ == "__main__":
    main()
