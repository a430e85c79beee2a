"""What a hostile or broken device sends to the sync and the uploads: values of the wrong
JSON type, capture times decades off, and edit times hours ahead. Each is refused by field,
or recorded at the server's time, and nothing else changes."""

import datetime as dt
import hashlib
import logging
import uuid
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from studies.fieldwork import policies
from studies.fieldwork.models import Observation, PhotoUpload, SyncConflict, SyncOperation, Tag
from tests.conftest import enrol_consenting
from tests.factories import PhotoFactory, VisitFactory
from tests.fieldwork import sync_support
from tests.fieldwork.photo_support import UPLOADS, Uploader, jpeg_bytes, visits
from tests.fieldwork.sync_support import SYNC, delete, edit, signed_in, upsert

capture = sync_support.capture

__all__ = ["visits"]

pytestmark = pytest.mark.django_db


def expected(kind: str) -> list[str]:
    return [f"Expected a string, not {kind}."]


def send(client, *operations: Any) -> list[dict[str, Any]]:
    response = client.post(SYNC, {"operations": list(operations)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def stored() -> dict[str, int]:
    return {
        "observations": Observation.objects.count(),
        "operations": SyncOperation.objects.count(),
        "tags": Tag.objects.count(),
    }


NOTHING = {"observations": 0, "operations": 0, "tags": 0}


def upload_body(visit, photo: bytes) -> dict[str, Any]:
    """An upload's creation as a phone sends it, taken just now."""
    return {
        "device_id": str(uuid.uuid4()),
        "visit": str(visit.pk),
        "length": len(photo),
        "sha256": hashlib.sha256(photo).hexdigest(),
        "captured_at": timezone.now().isoformat(),
    }


def visit_day(visit) -> str:
    zone = zoneinfo.ZoneInfo(visit.round.study.time_zone)
    return visit.scheduled_start.astimezone(zone).date().isoformat()


# --- Wrong types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "errors"),
    [
        ("text", 12345, {"text": expected("a whole number")}),
        ("text", True, {"text": expected("true or false")}),
        ("text", {"b": "bold"}, {"text": expected("an object")}),
        ("speaker", 123, {"speaker": expected("a whole number")}),
        (
            "tags",
            [1, 2],
            {"tags[0]": expected("a whole number"), "tags[1]": expected("a whole number")},
        ),
        ("tags", ["Storage", 2.5], {"tags[1]": expected("a decimal number")}),
        ("device_id", 5, {"device_id": expected("a whole number")}),
        ("operation_id", 5, {"operation_id": expected("a whole number")}),
        ("visit", 5, {"visit": expected("a whole number")}),
        ("guide_question", 5, {"guide_question": expected("a whole number")}),
        ("kind", 5, {"kind": expected("a whole number")}),
        ("type", 5, {"type": expected("a whole number")}),
        ("captured_at", 5, {"captured_at": expected("a whole number")}),
        ("edited_at", 1.5e9, {"edited_at": expected("a decimal number")}),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_by_field_and_nothing_is_stored(
    team, capture, field, value, errors
):
    operation = upsert(capture.visit) | {field: value}

    [result] = send(signed_in(team.researcher), operation)

    assert result == {
        "operation_id": operation["operation_id"] if field != "operation_id" else None,
        "device_id": operation["device_id"] if field != "device_id" else None,
        "status": "rejected",
        "observation": None,
        "errors": errors,
    }
    assert stored() == NOTHING


def test_a_delete_naming_its_item_by_a_number_is_refused(team, capture):
    note = upsert(capture.visit)
    send(signed_in(team.researcher), note)
    # The id a number would be coerced to: a delete must not reach it that way.
    Observation.objects.update(device_id=uuid.UUID(int=5))

    [result] = send(signed_in(team.researcher), delete(5, timezone.now()))

    assert result["errors"] == {"device_id": expected("a whole number")}
    assert Observation.objects.get().deleted_at is None


@pytest.mark.parametrize(
    ("field", "value", "errors"),
    [
        ("device_id", 5, {"device_id": expected("a whole number")}),
        ("visit", 5, {"visit": expected("a whole number")}),
        ("observation", 5, {"observation": expected("a whole number")}),
        ("caption", 12345, {"caption": expected("a whole number")}),
        (
            "tags",
            [1, 2],
            {"tags[0]": expected("a whole number"), "tags[1]": expected("a whole number")},
        ),
        ("sha256", 123, {"sha256": expected("a whole number")}),
        ("captured_at", 5, {"captured_at": expected("a whole number")}),
        ("length", True, {"length": ["Expected a whole number, not true or false."]}),
        ("length", 1024.5, {"length": ["Expected a whole number, not a decimal number."]}),
    ],
)
def test_an_upload_with_a_value_of_the_wrong_type_is_refused_by_field(
    team, visits, field, value, errors
):
    body = upload_body(visits.mine, jpeg_bytes()) | {field: value}

    response = Uploader(team.researcher).client.post(UPLOADS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert PhotoUpload.objects.count() == 0


def test_an_uploads_length_is_a_json_number_though_a_form_gives_it_as_digits(team, visits):
    photo = jpeg_bytes()
    uploader = Uploader(team.researcher)
    body = upload_body(visits.mine, photo) | {"length": str(len(photo))}

    as_json = uploader.client.post(UPLOADS, body, format="json")
    as_form = uploader.client.post(UPLOADS, body, format="multipart")

    assert as_json.status_code == 400
    assert as_json.json() == {"errors": {"length": ["Expected a whole number, not a string."]}}
    assert as_form.status_code == 201, as_form.json()
    assert PhotoUpload.objects.get().length == len(photo)


def test_a_photo_change_with_a_number_for_its_caption_or_note_is_refused(team, visits):
    photo = PhotoFactory(visit=visits.mine, caption="The fridge door")
    client = signed_in(team.researcher)
    edited_at = timezone.now().isoformat()

    caption = client.patch(
        f"/api/v1/photos/{photo.pk}/", {"edited_at": edited_at, "caption": 12345}, format="json"
    )
    note = client.patch(
        f"/api/v1/photos/{photo.pk}/", {"edited_at": edited_at, "observation": 5}, format="json"
    )

    assert caption.json() == {"errors": {"caption": expected("a whole number")}}
    assert note.json() == {"errors": {"observation": expected("a whole number")}}
    photo.refresh_from_db()
    assert (photo.caption, photo.edited_at) == ("The fridge door", None)


# --- Capture times ---------------------------------------------------------------------------


def test_a_capture_dated_1970_is_refused_and_nothing_is_stored(team, capture):
    note = upsert(capture.visit, captured_at="1970-01-01T10:00:00+00:00")

    [result] = send(signed_in(team.researcher), note)

    assert result["status"] == "rejected"
    assert result["errors"] == {
        "captured_at": [
            f"This was captured on 1970-01-01, more than 7 days before this visit "
            f"({visit_day(capture.visit)}): check the device's date, or move the item to "
            "its own visit."
        ]
    }
    assert stored() == NOTHING


def test_the_sync_refuses_a_capture_time_in_the_policys_own_words(team, capture):
    now = timezone.now()
    moments = [
        dt.datetime(1970, 1, 1, 10, tzinfo=dt.UTC),
        dt.datetime(2200, 1, 1, 10, tzinfo=dt.UTC),
        now + policies.CLOCK_GRACE + dt.timedelta(minutes=1),
    ]
    refusals = [policies.captured_at_refusal(capture.visit, moment, now=now) for moment in moments]

    with time_machine.travel(now, tick=False):
        results = send(
            signed_in(team.researcher),
            *(upsert(capture.visit, captured_at=moment) for moment in moments),
        )

    assert None not in refusals
    assert [result["errors"]["captured_at"] for result in results] == [
        [refusal] for refusal in refusals
    ]
    assert stored() == NOTHING


def test_a_capture_within_a_week_of_its_visits_days_is_taken_and_one_further_off_is_not(
    team, capture
):
    zone = zoneinfo.ZoneInfo(team.study.time_zone)
    today = timezone.now().astimezone(zone).date()
    # Booked ten days ago and never started: its days end a week after that day.
    booked = dt.datetime.combine(today - dt.timedelta(days=10), dt.time(10), tzinfo=zone)
    [household] = enrol_consenting(team.study, 1, prefix="L")
    late = VisitFactory(
        round=capture.round,
        household=household,
        researcher=team.researcher,
        scheduled_start=booked,
    )
    end_of_its_days = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(0), tzinfo=zone)
    start_of_its_days = dt.datetime.combine(today - dt.timedelta(days=17), dt.time(0), tzinfo=zone)

    results = send(
        signed_in(team.researcher),
        upsert(late, captured_at=start_of_its_days, text="First thing, a week early."),
        upsert(late, captured_at=end_of_its_days - dt.timedelta(minutes=1), text="A week late."),
        upsert(late, captured_at=start_of_its_days - dt.timedelta(minutes=1), text="Too early."),
        upsert(late, captured_at=end_of_its_days, text="Too late."),
    )

    assert [result["status"] for result in results] == [
        "applied",
        "applied",
        "rejected",
        "rejected",
    ]
    assert [list(result["errors"]) for result in results[2:]] == [["captured_at"], ["captured_at"]]
    assert sorted(Observation.objects.values_list("text", flat=True)) == [
        "A week late.",
        "First thing, a week early.",
    ]


def test_a_capture_dated_past_the_clocks_grace_is_refused_and_one_within_it_taken(team, capture):
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        results = send(
            signed_in(team.researcher),
            upsert(capture.visit, captured_at=now + policies.CLOCK_GRACE, text="Fast clock."),
            upsert(
                capture.visit,
                captured_at=now + policies.CLOCK_GRACE + dt.timedelta(seconds=1),
                text="Too fast.",
            ),
        )

    assert [result["status"] for result in results] == ["applied", "rejected"]
    assert results[1]["errors"] == {
        "captured_at": ["This is ahead of the server's clock; check the device's date and time."]
    }
    assert list(Observation.objects.values_list("text", flat=True)) == ["Fast clock."]


# --- Edit times ------------------------------------------------------------------------------


def test_an_edit_stamped_hours_ahead_is_recorded_at_the_servers_time_and_a_later_edit_wins(
    team, capture, caplog
):
    researcher, lead = signed_in(team.researcher), signed_in(team.lead)
    now = timezone.now().replace(microsecond=0)
    note = upsert(capture.visit, captured_at=now - dt.timedelta(minutes=10), text="Rice.")

    with time_machine.travel(now, tick=False) as clock:
        send(researcher, note)
        fast = edit(note, now + dt.timedelta(hours=23), text="Pinned for a day?")
        with caplog.at_level(logging.WARNING, logger="studies.fieldwork.services.observations"):
            [clamped] = send(researcher, fast)
        clock.shift(dt.timedelta(hours=1))
        correction = edit(note, now + dt.timedelta(minutes=59), text="Rice, in a sealed bucket.")
        [later] = send(lead, correction)

    assert clamped["status"] == "applied"
    assert clamped["clamped"] == ["edited_at"]
    assert clamped["observation"]["edited_at"] == now.isoformat().replace("+00:00", "Z")
    receipt = SyncOperation.objects.get(pk=fast["operation_id"]).result
    assert receipt["sent_edited_at"] == (now + dt.timedelta(hours=23)).isoformat()
    assert fast["operation_id"] in caplog.text
    assert later["status"] == "conflict"  # the lead overwrote the researcher's version
    assert later["conflict"] == {"outcome": "incoming_applied"}
    assert "clamped" not in later
    observation = Observation.objects.get()
    assert observation.text == "Rice, in a sealed bucket."
    assert observation.edited_at == now + dt.timedelta(minutes=59)
    assert SyncConflict.objects.get().previous["text"] == "Pinned for a day?"


def test_a_resent_clamped_edit_is_answered_as_clamped_again(team, capture):
    client = signed_in(team.researcher)
    now = timezone.now()
    note = upsert(capture.visit, captured_at=now - dt.timedelta(minutes=10))
    fast = edit(note, now + dt.timedelta(hours=5), text="Sent from a phone five hours fast.")

    with time_machine.travel(now, tick=False):
        send(client, note, fast)
        [resent] = send(client, fast)

    assert resent["status"] == "duplicate"
    assert resent["clamped"] == ["edited_at"]
    assert Observation.objects.get().edited_at == now


def test_a_delete_stamped_hours_ahead_does_not_outlive_a_later_capture(team, capture):
    client = signed_in(team.researcher)
    now = timezone.now()
    note = upsert(capture.visit, captured_at=now - dt.timedelta(minutes=10), text="Rice.")

    with time_machine.travel(now, tick=False) as clock:
        send(client, note)
        [gone] = send(client, delete(note["device_id"], now + dt.timedelta(hours=6)))
        clock.shift(dt.timedelta(minutes=30))
        [back] = send(client, edit(note, now + dt.timedelta(minutes=29), text="Rice, kept."))

    assert (gone["status"], gone["clamped"]) == ("applied", ["edited_at"])
    assert back["status"] == "applied"
    observation = Observation.objects.get()
    assert (observation.deleted_at, observation.text) == (None, "Rice, kept.")


def test_an_upload_dated_2200_or_1970_is_refused_with_the_syncs_own_words(team, visits):
    uploader = Uploader(team.researcher)
    now = timezone.now()
    moments = [
        dt.datetime(2200, 1, 1, 10, tzinfo=dt.UTC),
        dt.datetime(1970, 1, 1, 10, tzinfo=dt.UTC),
    ]

    with time_machine.travel(now, tick=False):
        uploads = [
            uploader.client.post(
                UPLOADS,
                upload_body(visits.mine, jpeg_bytes()) | {"captured_at": moment.isoformat()},
                format="json",
            )
            for moment in moments
        ]
        synced = send(
            signed_in(team.researcher), *(upsert(visits.mine, captured_at=m) for m in moments)
        )

    assert [response.status_code for response in uploads] == [400, 400]
    assert [response.json()["errors"]["captured_at"] for response in uploads] == [
        answer["errors"]["captured_at"] for answer in synced
    ]
    assert PhotoUpload.objects.count() == 0
    assert stored() == NOTHING


def test_a_photo_edit_stamped_hours_ahead_is_recorded_at_the_servers_time(team, visits):
    photo = PhotoFactory(visit=visits.mine, author=team.researcher)
    uploader = Uploader(team.researcher)
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        ahead = uploader.client.patch(
            f"/api/v1/photos/{photo.pk}/",
            {
                "caption": "From a fast clock",
                "edited_at": (now + dt.timedelta(hours=20)).isoformat(),
            },
            format="json",
        )
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):
        later = uploader.client.patch(
            f"/api/v1/photos/{photo.pk}/",
            {"caption": "The real edit", "edited_at": timezone.now().isoformat()},
            format="json",
        )

    assert (ahead.status_code, later.status_code) == (200, 200)
    photo.refresh_from_db()
    assert photo.caption == "The real edit"
