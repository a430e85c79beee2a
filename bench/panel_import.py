"""A 10,000-row panel file imported end to end through the services (target: 60 s).

One run uploads a generated CSV of BENCH_PANEL_ROWS households (default 10,000; with
segments, consents, a few formula-looking cells, every tenth row without a code so
pseudonyms are made) into a fresh study: `panel_import_receive` reads it and, tasks running
inline as in the embedded set-up, checks every row into the preview; `panel_import_confirm`
then checks the rows again and imports them all. The time is from upload to imported,
median and p95 over BENCH_RUNS runs (default 5), each into its own new study of the same
database. Peak memory: Python's own allocations traced by tracemalloc over one more run
(traced separately: tracing slows the code it watches), and the process's peak resident
set. On SQLite (the embedded default), or on the database BENCH_DATABASE_URL names; a
smoke run imports 200 rows once.
"""

import os
import resource
import time
import tracemalloc

from common import Figure, emit, env_int, median, percentile, setup_django, throwaway_database

ROWS = env_int("BENCH_PANEL_ROWS", 10_000)
RUNS = env_int("BENCH_RUNS", 5)
TARGET_S = 60.0
TARGET_MEMORY_MB = 512.0
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def panel_csv(rows: int, run: int) -> bytes:
    header = (
        "code;name;address;phone;email;segment: region;segment: household size;"
        "segment: life stage;participation consent given on;photos consent given on;"
        "consent text version"
    )
    lines = [header]
    regions = ("north", "south", "east", "west")
    for n in range(rows):
        code = "" if n % 10 == 9 else f"B{run}-{n:05d}"
        name = f"=Person {n}" if n % 500 == 0 else f"Person {n}"
        lines.append(
            f"{code};{name};{n} Long Road, Town;+44 20 79{run} {n:05d};p{run}x{n}@example.org;"
            f"{regions[n % 4]};{1 + n % 6};family;05/01/2026;{'2026-01-05' if n % 2 else ''};1.0"
        )
    return "\n".join(lines).encode("cp1252")


def import_once(run: int) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from studies.scheduling.models import PanelImportStatus
    from studies.scheduling.services import panel
    from tests.factories import StudyFactory, UserFactory

    lead = UserFactory()
    study = StudyFactory()
    data = panel_csv(ROWS, run)
    started = time.perf_counter()
    made = panel.panel_import_receive(
        study=study, actor=lead, upload=SimpleUploadedFile("panel.csv", data)
    )
    made.refresh_from_db()
    if made.has_problems or made.new_count != ROWS:
        raise SystemExit(f"the preview found problems: {made.file_problems or made.rows[:3]}")
    panel.panel_import_confirm(panel_import=made, actor=lead)
    made.refresh_from_db()
    elapsed = time.perf_counter() - started
    if made.status != PanelImportStatus.IMPORTED or study.enrolments.count() != ROWS:
        raise SystemExit(f"the import did not finish: {made.status}")
    return elapsed


def main() -> None:
    # SQLite, the embedded default, unless BENCH_DATABASE_URL names another (PostgreSQL).
    os.environ.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    setup_django()
    from researchhub.celery import app

    app.conf.task_always_eager = True
    with throwaway_database() as vendor:
        import_once(0)  # warm-up: imports, caches, the database file
        timings = [import_once(run) for run in range(1, RUNS + 1)]
        tracemalloc.start()
        import_once(RUNS + 1)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    resident_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit(
        [
            Figure(
                name=f"panel import: {ROWS:,} rows, upload to imported, p95 ({VENDORS[vendor]})",
                value=round(percentile(timings, 0.95), 2),
                target=TARGET_S,
                unit="s",
                detail=f"median {median(timings):.2f} s over {RUNS} runs",
            ),
            Figure(
                name=f"panel import: {ROWS:,} rows, peak Python memory (tracemalloc)",
                value=round(peak / 1024 / 1024, 1),
                target=TARGET_MEMORY_MB,
                unit="MB",
                detail=f"peak resident set of the process {resident_mb:.0f} MB",
            ),
        ]
    )


if __name__ == "__main__":
    main()
