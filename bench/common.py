"""What every benchmark shares: a throwaway database, timing, and the figures it reports."""

import json
import os
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Figure:
    """One measured figure against its target; lower is better for every figure here."""

    name: str
    value: float
    target: float
    unit: str
    detail: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.target

    @property
    def passed(self) -> bool:
        return self.value <= self.target


def emit(figures: list[Figure]) -> None:
    """Hand figures to bench/run.py, which runs each benchmark in its own process."""
    print("BENCH-FIGURES " + json.dumps([asdict(f) for f in figures]))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


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
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
