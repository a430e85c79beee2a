"""What every benchmark shares: a throwaway database, timing, and the figures it reports."""

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Figure:
    """One measured figure against its target; lower is better for every figure here.

    `size` is the data it was measured on: "full" (the generated dataset), "1/10" (a tenth of
    it), or "" when the figure does not depend on the data.
    """

    name: str
    value: float
    target: float
    unit: str
    detail: str = ""
    size: str = ""


def emit(figures: list[Figure]) -> None:
    """Hand figures to bench/run.py, which runs each benchmark in its own process."""
    print("BENCH-FIGURES " + json.dumps([asdict(f) for f in figures]))


def env_int(name: str, default: int) -> int:
    """A count from the environment (bench/run.py sets smaller ones for its smoke run)."""
    value = int(os.environ.get(name, default))
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, not {value}")
    return value


def env_scale() -> float:
    """BENCH_SCALE: the full size as a multiple of `manage.py generate_dataset`'s default.

    The tenth is a tenth of it. The smoke run sets a small one; the generator needs at least
    one household per study, so the tenth cannot go below 0.005 (10 households).
    """
    value = float(os.environ.get("BENCH_SCALE", "1"))
    if value <= 0:
        raise SystemExit(f"BENCH_SCALE must be positive, not {value}")
    return value


def size_scales() -> list[tuple[str, float]]:
    """The two data sizes every size-dependent benchmark measures: the tenth, then full."""
    scale = env_scale()
    return [("1/10", scale / 10), ("full", scale)]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def postgres_url(database: str) -> str:
    """BENCH_DATABASE_URL, else DATABASE_URL when it is PostgreSQL, else the local server;
    with the database named `database`, so a benchmark never touches the project's own."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/researchhub"
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@contextmanager
def scratch_media() -> Iterator[None]:
    """Keep the files a benchmark writes (the generator's photos) out of the project's media.

    Enter it before setup_django: the settings read MEDIA_ROOT once."""
    with tempfile.TemporaryDirectory(prefix="researchhub-bench-media-") as media:
        os.environ["MEDIA_ROOT"] = media
        yield


def generate_dataset(scale: float) -> float:
    """`manage.py generate_dataset --scale scale` into the current database; its seconds."""
    from django.core.management import call_command

    started = time.monotonic()
    # Progress on stderr: bench/run.py shows it when a run fails.
    call_command("generate_dataset", "--scale", str(scale), stdout=sys.stderr)
    return time.monotonic() - started


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "researchhub.settings")
    import django

    django.setup()


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh, migrated database beside the configured one, dropped afterwards."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield connection.vendor
    finally:
        _end_other_sessions(connection)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def _end_other_sessions(connection) -> None:
    """A live server's request threads may still hold a connection to the throwaway
    database (a request still being answered as the server stops): end them, or the
    database cannot be dropped. PostgreSQL only; SQLite has no sessions to end."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
