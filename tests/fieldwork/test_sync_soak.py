"""Sync under a bad network: many devices at once, lost answers, resends, reordering.

Runs against the real database in threads (each with its own connection), so the
exactly-once guarantees are checked where they live: unique ids and row locks.
"""

import datetime as dt
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from studies.common.models import User
from studies.common.roles import Role
from studies.fieldwork.models import Observation, SyncOperation
from studies.scheduling.models import Visit
from tests.factories import (
    HouseholdFactory,
    MembershipFactory,
    RoundFactory,
    StudyFactory,
    UserFactory,
    VisitFactory,
)
from tests.fieldwork.sync_support import SYNC, signed_in, upsert

pytestmark = pytest.mark.django_db(transaction=True)

DEVICES = 10
OBSERVATIONS_PER_DEVICE = 100
EDITS_PER_DEVICE = 10
BATCH_SIZE = 20
DROP_RATE = 0.3  # answers lost on the way back: the device cannot tell and resends
RESEND_RATE = 0.2  # a confirmed batch delivered again (a retry racing its own answer)
MAX_ROUNDS = 30  # with these rates every batch gets through in far fewer
TIME_LIMIT = 180  # seconds for the whole soak, a generous bound on a slow CI machine


@dataclass
class Device:
    index: int
    user: User
    visit: Visit
    rng: random.Random
    operations: list[dict[str, Any]] = field(default_factory=list)
    final_text: dict[str, str] = field(default_factory=dict)  # device_id → last version
    rounds: int = 0
    dropped: int = 0
    resent: int = 0


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def prepare(device: Device) -> None:
    """Captures and a few later edits, each with ids made on the device."""
    start = timezone.now() - dt.timedelta(hours=2)
    captures = []
    for n in range(OBSERVATIONS_PER_DEVICE):
        captured_at = start + dt.timedelta(seconds=n)
        operation = upsert(
            device.visit,
            operation_id=new_uuid(device.rng),
            device_id=new_uuid(device.rng),
            text=f"Device {device.index}, note {n}.",
            captured_at=captured_at,
            tags=[device.rng.choice(["Storage", "storage", "Cold chain", "Waste"])],
        )
        captures.append(operation)
        device.final_text[operation["device_id"]] = operation["text"]
    edits = []
    for n, original in enumerate(device.rng.sample(captures, EDITS_PER_DEVICE)):
        edited = {
            **original,
            "operation_id": new_uuid(device.rng),
            "text": original["text"] + f" Edited ({n}).",
            "edited_at": (
                dt.datetime.fromisoformat(original["captured_at"]) + dt.timedelta(minutes=30)
            ).isoformat(),
        }
        edits.append(edited)
        device.final_text[edited["device_id"]] = edited["text"]
    device.operations = captures + edits


def run_device(device: Device, deadline: float) -> None:
    """Send until every operation is confirmed by our own answer, as the PWA's outbox does."""
    client = signed_in(device.user)
    try:
        pending = {op["operation_id"]: op for op in device.operations}
        while pending:
            device.rounds += 1
            assert device.rounds <= MAX_ROUNDS, f"device {device.index} never got through"
            assert time.monotonic() < deadline, "the soak ran out of time"
            outbox = list(pending.values())
            device.rng.shuffle(outbox)  # reordering: edits may overtake their captures
            for start in range(0, len(outbox), BATCH_SIZE):
                batch = outbox[start : start + BATCH_SIZE]
                if device.rng.random() < 0.3:
                    batch = batch + device.rng.sample(batch, min(3, len(batch)))  # duplicates
                response = client.post(SYNC, {"operations": batch}, format="json")
                assert response.status_code == 200, response.content
                if device.rng.random() < DROP_RATE:
                    device.dropped += 1
                    continue
                body = response.json()
                assert body["researchhub"] == "sync-v1"
                for result in body["results"]:
                    assert result["status"] != "rejected", result
                    pending.pop(result["operation_id"], None)
                if device.rng.random() < RESEND_RATE:
                    device.resent += 1
                    again = client.post(SYNC, {"operations": batch}, format="json").json()
                    assert {r["status"] for r in again["results"]} == {"duplicate"}
    finally:
        connections.close_all()


@pytest.fixture
def devices() -> list[Device]:
    study = StudyFactory()
    round_ = RoundFactory(study=study)
    start = timezone.now() - dt.timedelta(hours=3)
    devices = []
    for index in range(DEVICES):
        user = UserFactory(username=f"field{index}")
        MembershipFactory(study=study, user=user, role=Role.RESEARCHER)
        visit = VisitFactory(
            round=round_,
            household=HouseholdFactory(),
            researcher=user,
            scheduled_start=start,
            status="in_progress",
        )
        device = Device(index=index, user=user, visit=visit, rng=random.Random(1000 + index))
        prepare(device)
        devices.append(device)
    return devices


def test_ten_devices_on_a_bad_network_deliver_every_observation_exactly_once(devices):
    deadline = time.monotonic() + TIME_LIMIT

    with ThreadPoolExecutor(max_workers=DEVICES) as pool:
        runs = [pool.submit(run_device, device, deadline) for device in devices]
        for run in runs:
            run.result(timeout=TIME_LIMIT)

    expected = {
        device_id: text for device in devices for device_id, text in device.final_text.items()
    }
    stored = dict(Observation.objects.values_list("device_id", "text"))
    assert len(expected) == DEVICES * OBSERVATIONS_PER_DEVICE == 1000
    assert Observation.objects.count() == 1000  # 0 duplicated
    assert {str(device_id): text for device_id, text in stored.items()} == expected  # 0 lost
    assert SyncOperation.objects.count() == DEVICES * (OBSERVATIONS_PER_DEVICE + EDITS_PER_DEVICE)
    assert sum(device.dropped for device in devices) > 0
    assert sum(device.resent for device in devices) > 0
    by_visit = {device.visit.pk: device.user.pk for device in devices}
    assert all(
        by_visit[visit_id] == author_id
        for visit_id, author_id in Observation.objects.values_list("visit_id", "author_id")
    )
    assert Observation.objects.filter(deleted_at__isnull=False).count() == 0


def send_at_once(user: User, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST each body from its own thread, all released at the same instant."""
    barrier = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> dict[str, Any]:
        client = signed_in(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(SYNC, body, format="json")
            assert response.status_code == 200, response.content
            return response.json()["results"][0]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies, timeout=120))


@pytest.fixture
def field_visit() -> Visit:
    study = StudyFactory()
    user = UserFactory(username="field")
    MembershipFactory(study=study, user=user, role=Role.RESEARCHER)
    # Under way since an hour ago: what it takes is captured now, on its day.
    start = timezone.now() - dt.timedelta(hours=1)
    return VisitFactory(
        round=RoundFactory(study=study),
        researcher=user,
        scheduled_start=start,
        status="in_progress",
        started_at=start,
    )


def test_the_same_operation_sent_twenty_times_at_once_makes_one_row(field_visit):
    operation = upsert(field_visit, tags=["Storage"])

    results = send_at_once(field_visit.researcher, [{"operations": [operation]}] * 20)

    assert sorted(result["status"] for result in results) == ["applied"] + ["duplicate"] * 19
    assert {result["observation"]["id"] for result in results} == {
        str(Observation.objects.get().pk)
    }
    assert SyncOperation.objects.count() == 1


def test_the_same_capture_under_twenty_operation_ids_at_once_makes_one_row(field_visit):
    capture = upsert(field_visit, tags=["Storage", "storage", "Cold chain"])
    bodies = [{"operations": [{**capture, "operation_id": str(uuid.uuid4())}]} for _ in range(20)]

    results = send_at_once(field_visit.researcher, bodies)

    assert {result["status"] for result in results} == {"applied"}
    observation = Observation.objects.get()
    assert sorted(observation.tags.values_list("name", flat=True)) == ["Cold chain", "Storage"]
    assert SyncOperation.objects.count() == 20
    assert field_visit.round.study.tags.count() == 2


def test_a_resend_racing_its_original_in_the_opposite_order_stores_each_item_once(
    field_visit,
):
    captures = [upsert(field_visit, text=f"Note {n}.") for n in range(100)]
    bodies = [{"operations": captures}, {"operations": captures[::-1]}]

    barrier = threading.Barrier(2)

    def post(body: dict[str, Any]) -> int:
        client = signed_in(field_visit.researcher)
        try:
            barrier.wait(timeout=30)
            return client.post(SYNC, body, format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(post, bodies, timeout=120))

    assert statuses == [200, 200]
    assert Observation.objects.count() == 100
    assert SyncOperation.objects.count() == 100
