"""What the sync tests share: a visit to capture on, and operations as a phone sends them.

Imported by the test modules (not a conftest.py: the photo tests in this folder keep
their own fixtures).
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from studies.common.models import User
from studies.scheduling.models import GuideQuestion, Round, Visit
from tests.conftest import Team, enrol_consenting
from tests.factories import RoundFactory, VisitFactory

SYNC = "/api/v1/sync/"


@dataclass
class Capture:
    round: Round
    guide: list[GuideQuestion]
    visit: Visit  # the researcher's visit, under way
    other_visit: Visit  # researcher2's visit in the same study


@pytest.fixture
def capture(team: Team) -> Capture:
    today = timezone.now().date()
    round_ = RoundFactory(
        study=team.study,
        label="Now",
        window_start=today - dt.timedelta(days=30),
        window_end=today + dt.timedelta(days=30),
    )
    guide = [
        GuideQuestion.objects.create(round=round_, position=1, text="Where do leftovers go?"),
        GuideQuestion.objects.create(round=round_, position=2, text="Who shops?"),
    ]
    households = enrol_consenting(team.study, 2)
    start = timezone.now() - dt.timedelta(hours=1)
    visit = VisitFactory(
        round=round_,
        household=households[0],
        researcher=team.researcher,
        scheduled_start=start,
        scheduled_end=start + dt.timedelta(minutes=90),
        status="in_progress",
        started_at=start,
    )
    other_visit = VisitFactory(
        round=round_,
        household=households[1],
        researcher=team.researcher2,
        scheduled_start=start,
        scheduled_end=start + dt.timedelta(minutes=90),
    )
    return Capture(round=round_, guide=guide, visit=visit, other_visit=other_visit)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def upsert(visit: Visit | uuid.UUID | str, **fields: Any) -> dict[str, Any]:
    """A capture as the phone sends it: new operation and device ids unless given."""
    captured_at = fields.pop("captured_at", timezone.now() - dt.timedelta(minutes=5))
    if isinstance(captured_at, dt.datetime):
        captured_at = iso(captured_at)
    operation = {
        "operation_id": str(uuid.uuid4()),
        "type": "upsert",
        "device_id": str(uuid.uuid4()),
        "visit": str(visit.pk if isinstance(visit, Visit) else visit),
        "kind": "note",
        "text": "Keeps rice in a sealed bucket under the sink.",
        "speaker": "",
        "guide_question": None,
        "tags": [],
        "captured_at": captured_at,
        "edited_at": captured_at,
    }
    operation.update(
        {
            key: iso(value) if isinstance(value, dt.datetime) else value
            for key, value in fields.items()
        }
    )
    return operation


def edit(previous: dict[str, Any], edited_at: dt.datetime, **fields: Any) -> dict[str, Any]:
    """A later version of the same observation, as a new operation."""
    return {
        **previous,
        "operation_id": str(uuid.uuid4()),
        "edited_at": iso(edited_at),
        **fields,
    }


def delete(device_id: str, edited_at: dt.datetime) -> dict[str, Any]:
    return {
        "operation_id": str(uuid.uuid4()),
        "type": "delete",
        "device_id": device_id,
        "edited_at": iso(edited_at),
    }


def sync(client: APIClient, *operations: dict[str, Any]) -> dict[str, Any]:
    response = client.post(SYNC, {"operations": list(operations)}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["researchhub"] == "sync-v1"
    assert [r["operation_id"] for r in body["results"]] == [
        op.get("operation_id") if isinstance(op, dict) else None for op in operations
    ]
    return body


def signed_in(user: User | None) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
