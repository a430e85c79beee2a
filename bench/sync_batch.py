"""Server time of one sync request carrying 100 new observations (target: 300 ms).

Runs in-process through Django's test client, so the time is the server's own: request
parsing, validation, the writes and the response, without network. Run it once per
database: bench/run.py does that for SQLite and, when DATABASE_URL points at it,
PostgreSQL (under the name researchhub_bench_sync; the throwaway copy is test_…).

At both data sizes, each in a fresh database holding the generated dataset
(`manage.py generate_dataset`) at a tenth and at full size: the batches go to a visit in a
new round of a generated study, captured by one of its researchers, so the writes land in
tables and indexes that already hold the data. BENCH_SCALE sets the full size (default 1)
and BENCH_ROUNDS the timed batches (default 30): bench/run.py's smoke run makes both small.
"""

import datetime as dt
import os
import time
import uuid

from common import (
    Figure,
    emit,
    env_int,
    generate_dataset,
    median,
    percentile,
    postgres_url,
    scratch_media,
    setup_django,
    size_scales,
    throwaway_database,
)

DATABASE_NAME = "researchhub_bench_sync"
BATCH = 100
WARM_UP = 3
ROUNDS = env_int("BENCH_ROUNDS", 30)
TARGET_MS = 300.0


def main() -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = postgres_url(DATABASE_NAME)
    with scratch_media():
        setup_django()
        figures = []
        for label, scale in size_scales():
            with throwaway_database() as vendor:
                generate_dataset(scale)
                figures.append(measure(vendor, label))
        emit(figures)


def measure(vendor: str, size: str) -> Figure:
    from django.test import Client

    from studies.common.roles import Role
    from studies.scheduling.models import StudyMembership
    from tests.factories import RoundFactory, VisitFactory

    membership = (
        StudyMembership.objects.filter(
            role=Role.RESEARCHER, user__username__startswith="dataset-researcher-"
        )
        .select_related("study", "user")
        .order_by("user__username", "study__title")
        .first()
    )
    if membership is None:
        raise SystemExit("The generated dataset has no researcher")
    researcher = membership.user
    # The generated rounds are the quarters before this one, their visits all finished: a
    # new round's visit is one the researcher may still capture on.
    visit = VisitFactory(
        round=RoundFactory(study=membership.study),
        researcher=researcher,
        scheduled_start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    client = Client()
    client.force_login(researcher)
    now = dt.datetime.now(dt.UTC).isoformat()

    timings = []
    for batch in range(WARM_UP + ROUNDS):
        operations = [
            {
                "operation_id": str(uuid.uuid4()),
                "type": "upsert",
                "device_id": str(uuid.uuid4()),
                "visit": str(visit.pk),
                "kind": "quote" if index % 3 == 0 else "note",
                "text": f"Keeps the leftovers in stacked tubs, batch {batch} item {index}.",
                "speaker": "mother, 40s" if index % 3 == 0 else "",
                "tags": ["leftovers", "containers"][: index % 3],
                "captured_at": now,
                "edited_at": now,
            }
            for index in range(BATCH)
        ]
        started = time.perf_counter()
        response = client.post(
            "/api/v1/sync/", {"operations": operations}, content_type="application/json"
        )
        elapsed = (time.perf_counter() - started) * 1000
        body = response.json()
        if response.status_code != 200 or any(r["status"] != "applied" for r in body["results"]):
            raise SystemExit(f"sync failed: {response.status_code} {body}")
        if batch >= WARM_UP:  # the first batches warm caches and connections
            timings.append(elapsed)

    return Figure(
        name=f"sync: {BATCH} observations, server time p95 ({vendor})",
        value=round(percentile(timings, 0.95), 1),
        target=TARGET_MS,
        unit="ms",
        detail=f"p50 {median(timings):.1f} ms over {ROUNDS} batches",
        size=size,
    )


if __name__ == "__main__":
    main()
