"""Server time of one sync request carrying 100 new observations (target: 300 ms).

Runs in-process through Django's test client, so the time is the server's own: request
parsing, validation, the writes and the response, without network. Run it once per
database: bench/run.py does that for SQLite and, when DATABASE_URL points at it,
PostgreSQL.
"""

import datetime as dt
import time
import uuid

from common import Figure, emit, median, percentile, setup_django, throwaway_database

BATCH = 100
ROUNDS = 30
TARGET_MS = 300.0


def main() -> None:
    setup_django()
    with throwaway_database() as vendor:
        emit(measure(vendor))


def measure(vendor: str) -> list[Figure]:
    from django.test import Client

    from studies.common.roles import Role
    from tests.factories import MembershipFactory, RoundFactory, UserFactory, VisitFactory

    researcher = UserFactory(username="bench-researcher")
    membership = MembershipFactory(user=researcher, role=Role.RESEARCHER)
    visit = VisitFactory(round=RoundFactory(study=membership.study), researcher=researcher)
    client = Client()
    client.force_login(researcher)
    now = dt.datetime.now(dt.UTC).isoformat()

    timings = []
    for batch in range(ROUNDS + 3):
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
        if batch >= 3:  # the first batches warm caches and connections
            timings.append(elapsed)

    return [
        Figure(
            name=f"sync: {BATCH} observations, server time p95 ({vendor})",
            value=round(percentile(timings, 0.95), 1),
            target=TARGET_MS,
            unit="ms",
            detail=f"p50 {median(timings):.1f} ms over {ROUNDS} batches",
        )
    ]


if __name__ == "__main__":
    main()
