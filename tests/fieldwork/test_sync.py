"""POST /api/v1/sync/: captures arrive exactly once, bad items alone are refused, and offline
edits meet in order with every conflict kept."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from studies.common.roles import Capability
from studies.fieldwork.access import capture_visits_for_user
from studies.fieldwork.models import (
    Observation,
    ObservationTag,
    SyncConflict,
    SyncOperation,
    Tag,
)
from studies.scheduling import access
from studies.scheduling.models import GuideQuestion, VisitStatus
from tests.factories import RoundFactory, TagFactory, VisitFactory
from tests.fieldwork import sync_support
from tests.fieldwork.sync_support import SYNC, delete, edit, signed_in, sync, upsert

capture = sync_support.capture

NOT_SEEN = "Not found, or not in a study of yours."
NOT_YOURS = "Only the visit's researcher or a research lead may capture on this visit."
CLOSED = {
    VisitStatus.CANCELLED: "This visit was cancelled: nothing can be captured for it.",
    VisitStatus.NO_SHOW: (
        "Nobody was home for this visit (no-show): nothing can be captured for it."
    ),
    VisitStatus.COMPLETED: (
        "This visit was finished before this was captured. Move the item to another of your "
        "visits, or delete it."
    ),
}


def counts() -> dict[str, int]:
    return {
        "observations": Observation.objects.count(),
        "operations": SyncOperation.objects.count(),
        "conflicts": SyncConflict.objects.count(),
        "tags": Tag.objects.count(),
        "tagged": ObservationTag.objects.count(),
    }


def minutes_ago(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


# --- Who may capture -----------------------------------------------------------------------


def test_it_refuses_anonymous_requests(api_client, capture):
    response = api_client.post(SYNC, {"operations": [upsert(capture.visit)]}, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "errors": {"detail": ["Authentication credentials were not provided."]}
    }
    assert Observation.objects.count() == 0


def test_the_visits_researcher_captures_and_device_time_is_kept_beside_server_time(team, capture):
    captured_at = minutes_ago(120).replace(microsecond=0)
    sent = captured_at.astimezone(dt.timezone(dt.timedelta(hours=-5)))  # the phone's zone
    quote = upsert(
        capture.visit,
        kind="quote",
        text="We never throw bread away.",
        speaker="grandmother, 70s",
        captured_at=sent,
    )
    before = timezone.now()

    body = sync(signed_in(team.researcher), quote)

    [result] = body["results"]
    assert result["status"] == "applied"
    assert "errors" not in result
    assert "conflict" not in result
    observation = Observation.objects.get()
    assert result["observation"] == {
        "id": str(observation.pk),
        "device_id": quote["device_id"],
        "visit": str(capture.visit.pk),
        "author": "researcher",
        "kind": "quote",
        "text": "We never throw bread away.",
        "speaker": "grandmother, 70s",
        "guide_question": None,
        "question": None,
        "tags": [],
        "captured_at": captured_at.isoformat().replace("+00:00", "Z"),
        "edited_at": captured_at.isoformat().replace("+00:00", "Z"),
        "received_at": observation.received_at.isoformat().replace("+00:00", "Z"),
        "deleted_at": None,
    }
    assert observation.captured_at == captured_at
    assert observation.received_at >= before
    assert observation.author == team.researcher


@pytest.mark.parametrize(
    ("persona", "message"),
    [
        ("outsider", NOT_SEEN),
        ("product", NOT_YOURS),
        ("marketing", NOT_YOURS),
        ("researcher2", NOT_YOURS),
    ],
)
def test_people_who_may_not_capture_on_the_visit_are_rejected_and_nothing_is_stored(
    team, capture, persona, message
):
    operation = upsert(capture.visit)

    body = sync(signed_in(getattr(team, persona)), operation)

    assert body["results"] == [
        {
            "operation_id": operation["operation_id"],
            "device_id": operation["device_id"],
            "status": "rejected",
            "observation": None,
            "errors": {"visit": [message]},
        }
    ]
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_lead_may_capture_on_any_visit_of_the_study(team, capture):
    body = sync(signed_in(team.lead), upsert(capture.visit), upsert(capture.other_visit))

    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    assert [r["observation"]["author"] for r in body["results"]] == ["lead", "lead"]


def test_researchers_change_only_their_own_items_and_leads_anyones(team, capture):
    note = upsert(capture.visit, captured_at=minutes_ago(10))
    sync(signed_in(team.researcher), note)
    capture.visit.researcher = team.researcher2  # handed over mid-study
    capture.visit.save()

    by_researcher2 = sync(
        signed_in(team.researcher2), edit(note, minutes_ago(5), text="Rewritten.")
    )
    by_lead = sync(signed_in(team.lead), edit(note, minutes_ago(4), text="Corrected."))

    assert by_researcher2["results"][0]["errors"] == {
        "device_id": ["Only its author or a research lead may change this item."]
    }
    assert by_lead["results"][0]["observation"]["text"] == "Corrected."


def test_the_batch_access_check_agrees_with_the_visit_access_function(team, capture):
    """capture_visits_for_user restates visit_get_for_user(CONDUCT_VISITS) for many visits."""
    elsewhere = VisitFactory(round=RoundFactory())
    visits = [capture.visit, capture.other_visit, elsewhere]
    for user in [team.lead, team.researcher, team.researcher2, team.product, team.outsider]:
        batch = capture_visits_for_user(user=user, visit_ids=[v.pk for v in visits])
        for visit in visits:
            try:
                access.visit_get_for_user(
                    user=user, visit_id=visit.pk, capability=Capability.CONDUCT_VISITS
                )
                expected = "allowed"
            except PermissionDenied:
                expected = "forbidden"
            except Http404:
                expected = "unseen"
            actual = (
                "allowed"
                if visit.pk in batch.allowed
                else "forbidden"
                if visit.pk in batch.forbidden
                else "unseen"
            )
            assert actual == expected, (user.username, visit)


# --- Exactly once --------------------------------------------------------------------------


def test_a_replay_returns_the_same_results_and_creates_nothing(team, capture):
    client = signed_in(team.researcher)
    operations = [
        upsert(capture.visit, text="First.", tags=["Storage"]),
        upsert(
            capture.visit,
            kind="answer",
            text="The freezer.",
            guide_question=str(capture.guide[0].pk),
        ),
        upsert(capture.visit, kind="quote", text="It's all in the tubs.", speaker="son, 12"),
    ]
    first = sync(client, *operations)
    stored = counts()

    replay = sync(client, *operations)

    assert stored == {"observations": 3, "operations": 3, "conflicts": 0, "tags": 1, "tagged": 1}
    assert counts() == stored
    assert [r["status"] for r in first["results"]] == ["applied"] * 3
    assert [r["status"] for r in replay["results"]] == ["duplicate"] * 3
    assert [{**r, "status": None} for r in replay["results"]] == [
        {**r, "status": None} for r in first["results"]
    ]


def test_the_same_capture_under_a_new_operation_id_is_delivered_once(team, capture):
    client = signed_in(team.researcher)
    note = upsert(capture.visit)
    sync(client, note)

    again = sync(client, {**note, "operation_id": str(uuid.uuid4())})

    assert again["results"][0]["status"] == "applied"
    assert Observation.objects.count() == 1
    assert SyncConflict.objects.count() == 0


def test_an_operation_repeated_within_one_batch_counts_once(team, capture):
    note = upsert(capture.visit)

    body = sync(signed_in(team.researcher), note, note)

    assert [r["status"] for r in body["results"]] == ["applied", "duplicate"]
    assert Observation.objects.count() == 1


def test_an_operation_id_cannot_be_reused_for_another_item_or_by_someone_else(team, capture):
    note = upsert(capture.visit)
    sync(signed_in(team.researcher), note)

    reused = sync(
        signed_in(team.researcher), {**upsert(capture.visit), "operation_id": note["operation_id"]}
    )
    by_lead = sync(signed_in(team.lead), note)

    message = {"operation_id": ["This operation id was already used for another item."]}
    assert reused["results"][0]["errors"] == message
    assert by_lead["results"][0]["errors"] == message
    assert Observation.objects.count() == 1


# --- Bad items alone are refused -----------------------------------------------------------


def test_a_batch_with_bad_items_stores_the_good_ones_and_says_why_for_each_bad_one(team, capture):
    other_round_question = GuideQuestion.objects.create(
        round=RoundFactory(study=team.study), position=1, text="Elsewhere?"
    )
    outsiders_visit = VisitFactory(round=RoundFactory())
    good = [upsert(capture.visit, text=f"Good {n}.") for n in range(3)]
    bad = {
        "unknown visit": upsert(uuid.uuid4()),
        "other study": upsert(outsiders_visit),
        "bad kind": upsert(capture.visit, kind="rumour"),
        "empty text": upsert(capture.visit, text="   "),
        "malformed date": upsert(capture.visit) | {"captured_at": "last Tuesday"},
        "naive date": upsert(capture.visit) | {"captured_at": "2026-01-12T09:00:00"},
        "far future": upsert(capture.visit, captured_at=timezone.now() + dt.timedelta(days=2)),
        "edit before capture": upsert(
            capture.visit, captured_at=minutes_ago(5), edited_at=minutes_ago(10)
        ),
        "other round's question": upsert(
            capture.visit, kind="answer", guide_question=str(other_round_question.pk)
        ),
        "answer without question": upsert(capture.visit, kind="answer"),
        "bad device id": upsert(capture.visit, device_id="not-a-uuid"),
        "bad type": upsert(capture.visit, type="merge"),
        "tags not a list": upsert(capture.visit, tags="storage"),
        "too many tags": upsert(capture.visit, tags=[f"t{n}" for n in range(21)]),
        "long speaker": upsert(capture.visit, kind="quote", speaker="x" * 101),
    }
    operations = [good[0], *bad.values(), good[1], "not an object", good[2]]

    body = sync(signed_in(team.researcher), *operations)

    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["applied", *["rejected"] * len(bad), "applied", "rejected", "applied"]
    errors = dict(zip(bad, [r["errors"] for r in body["results"][1 : len(bad) + 1]], strict=True))
    assert errors["unknown visit"] == {"visit": [NOT_SEEN]}
    assert errors["other study"] == {"visit": [NOT_SEEN]}
    assert errors["bad kind"] == {"kind": ['"rumour" is not a valid choice.']}
    assert errors["empty text"] == {"text": ["This field may not be blank."]}
    assert list(errors["malformed date"]) == ["captured_at"]
    assert errors["naive date"] == {
        "captured_at": ["Include a UTC offset, e.g. 2027-01-12T09:00:00+00:00."]
    }
    assert errors["far future"] == {
        "captured_at": ["This is ahead of the server's clock; check the device's date and time."],
        "edited_at": [
            "This is more than a day ahead of the server's clock; check the device's date."
        ],
    }
    assert errors["edit before capture"] == {
        "edited_at": ["An edit cannot be older than the capture."]
    }
    assert errors["other round's question"] == {
        "guide_question": ["This question is not in the guide of this round."]
    }
    assert errors["answer without question"] == {
        "guide_question": ["Say which guide question this answers."]
    }
    assert errors["bad device id"] == {"device_id": ["Must be a valid UUID."]}
    assert errors["bad type"] == {"type": ['"merge" is not a valid choice.']}
    assert list(errors["tags not a list"]) == ["tags"]
    assert list(errors["too many tags"]) == ["tags"]
    assert list(errors["long speaker"]) == ["speaker"]
    assert body["results"][-2] == {
        "operation_id": None,
        "device_id": None,
        "status": "rejected",
        "observation": None,
        "errors": {"non_field_errors": ["Each operation must be a JSON object."]},
    }
    assert sorted(Observation.objects.values_list("text", flat=True)) == [
        "Good 0.",
        "Good 1.",
        "Good 2.",
    ]
    assert SyncOperation.objects.count() == 3


def test_a_rejected_item_can_be_sent_again_once_fixed(team, capture):
    client = signed_in(team.researcher)
    note = upsert(capture.visit, text="  ")
    sync(client, note)

    body = sync(client, {**note, "text": "Now with words."})

    assert body["results"][0]["status"] == "applied"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"operations": "all of them"}, "operations"),
        ({"operations": None}, "operations"),
        ({}, "operations"),
        ([], "non_field_errors"),
        ({"operations": [{}] * 501}, "operations"),
    ],
)
def test_a_batch_that_cannot_be_read_is_a_400_and_changes_nothing(team, capture, payload, field):
    response = signed_in(team.researcher).post(SYNC, payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert Observation.objects.count() == 0


def test_malformed_json_is_a_400(team, capture):
    response = signed_in(team.researcher).post(
        SYNC, b'{"operations": [', content_type="application/json"
    )

    assert response.status_code == 400
    assert "errors" in response.json()


def test_an_empty_batch_is_answered(team, capture):
    body = sync(signed_in(team.researcher))

    assert body["results"] == []


# --- Closed visits -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [VisitStatus.CANCELLED, VisitStatus.NO_SHOW])
def test_a_cancelled_or_no_show_visit_takes_no_items(team, capture, status):
    capture.visit.status = status
    capture.visit.finished_at = timezone.now()
    capture.visit.save()

    body = sync(signed_in(team.researcher), upsert(capture.visit))

    assert body["results"][0]["errors"] == {"visit": [CLOSED[status]]}


def test_a_completed_visit_takes_items_captured_before_it_finished_only(team, capture):
    capture.visit.status = VisitStatus.COMPLETED
    capture.visit.finished_at = minutes_ago(60)
    capture.visit.save()

    body = sync(
        signed_in(team.researcher),
        upsert(capture.visit, captured_at=minutes_ago(61), text="Before the end."),
        upsert(capture.visit, captured_at=minutes_ago(55), text="Clock a little fast."),
        upsert(capture.visit, captured_at=minutes_ago(30), text="Long after."),
    )

    assert [r["status"] for r in body["results"]] == ["applied", "applied", "rejected"]
    assert body["results"][2]["errors"] == {"visit": [CLOSED[VisitStatus.COMPLETED]]}


# --- Offline edits -------------------------------------------------------------------------


def test_a_newer_offline_edit_is_applied_without_a_conflict(team, capture):
    client = signed_in(team.researcher)
    note = upsert(capture.visit, captured_at=minutes_ago(30), tags=["Storage"])
    sync(client, note)

    body = sync(client, edit(note, minutes_ago(10), text="Rice AND pasta.", tags=["Pantry"]))

    [result] = body["results"]
    assert result["status"] == "applied"
    assert result["observation"]["text"] == "Rice AND pasta."
    assert result["observation"]["tags"] == ["Pantry"]
    assert SyncConflict.objects.count() == 0


def test_an_older_edit_arriving_late_is_kept_as_a_conflict_and_not_applied(team, capture):
    client = signed_in(team.researcher)
    note = upsert(capture.visit, captured_at=minutes_ago(30))
    older = edit(note, minutes_ago(20), text="First thoughts.")
    newer = edit(note, minutes_ago(10), text="Second thoughts.")
    sync(client, note, newer)

    body = sync(client, older)

    [result] = body["results"]
    assert result["status"] == "conflict"
    assert result["conflict"] == {"outcome": "incoming_ignored"}
    assert result["observation"]["text"] == "Second thoughts."
    conflict = SyncConflict.objects.get()
    assert (conflict.outcome, conflict.incoming["text"], conflict.previous["text"]) == (
        "incoming_ignored",
        "First thoughts.",
        "Second thoughts.",
    )
    assert str(conflict.operation_id) == older["operation_id"]
    assert Observation.objects.get().text == "Second thoughts."


def test_a_newer_edit_over_someone_elses_edit_is_applied_and_the_conflict_recorded(team, capture):
    researcher = signed_in(team.researcher)
    note = upsert(capture.visit, captured_at=minutes_ago(30), text="Mum shops on Fridays.")
    sync(researcher, note)
    lead_edit = sync(
        signed_in(team.lead), edit(note, minutes_ago(20), text="Mum shops on Saturdays.")
    )

    body = sync(researcher, edit(note, minutes_ago(10), text="Mum shops on Fridays, online."))

    # The lead's correction overwrote the researcher's version, then the researcher's
    # offline edit (made without seeing it) overwrote the lead's: both are on record.
    assert lead_edit["results"][0]["conflict"] == {"outcome": "incoming_applied"}
    [result] = body["results"]
    assert (result["status"], result["conflict"]) == ("conflict", {"outcome": "incoming_applied"})
    assert result["observation"]["text"] == "Mum shops on Fridays, online."
    latest = SyncConflict.objects.order_by("created_at").last()
    assert (latest.previous["text"], latest.incoming["text"]) == (
        "Mum shops on Saturdays.",
        "Mum shops on Fridays, online.",
    )
    assert latest.previous_edited_at < latest.incoming_edited_at


def test_operations_in_one_batch_apply_in_the_order_sent(team, capture):
    note = upsert(capture.visit, captured_at=minutes_ago(30))

    body = sync(
        signed_in(team.researcher),
        note,
        edit(note, minutes_ago(20), text="Edited once."),
        edit(note, minutes_ago(10), text="Edited twice."),
    )

    assert [r["status"] for r in body["results"]] == ["applied"] * 3
    assert Observation.objects.get().text == "Edited twice."


def test_an_item_moved_to_another_visit_is_rejected(team, capture):
    client = signed_in(team.lead)
    note = upsert(capture.visit)
    sync(client, note)

    body = sync(client, edit(note, timezone.now(), visit=str(capture.other_visit.pk)))

    assert body["results"][0]["errors"] == {"visit": ["This observation belongs to another visit."]}


# --- Deletes -------------------------------------------------------------------------------


def test_a_delete_leaves_a_tombstone_and_a_replayed_upsert_does_not_revive_it(team, capture):
    client = signed_in(team.researcher)
    note = upsert(capture.visit, captured_at=minutes_ago(30))
    sync(client, note)

    deleted = sync(client, delete(note["device_id"], minutes_ago(10)))
    replayed = sync(client, note)

    assert deleted["results"][0]["status"] == "applied"
    assert deleted["results"][0]["observation"]["deleted_at"] is not None
    assert replayed["results"][0]["status"] == "duplicate"
    assert replayed["results"][0]["observation"]["deleted_at"] is not None
    assert Observation.objects.get().deleted_at is not None
    listed = client.get(f"/api/v1/visits/{capture.visit.pk}/observations/").json()
    assert listed["count"] == 0


def test_an_older_edit_after_a_delete_is_a_conflict_and_a_newer_one_revives(team, capture):
    client = signed_in(team.researcher)
    note = upsert(capture.visit, captured_at=minutes_ago(30))
    sync(client, note, delete(note["device_id"], minutes_ago(10)))

    older = sync(client, edit(note, minutes_ago(20), text="Too late."))
    newer = sync(client, edit(note, minutes_ago(5), text="Brought back."))

    assert older["results"][0]["conflict"] == {"outcome": "incoming_ignored"}
    assert older["results"][0]["observation"]["deleted_at"] is not None
    assert newer["results"][0]["status"] == "applied"
    observation = Observation.objects.get()
    assert (observation.deleted_at, observation.text) == (None, "Brought back.")


def test_a_delete_older_than_the_servers_version_is_a_conflict(team, capture):
    client = signed_in(team.researcher)
    note = upsert(capture.visit, captured_at=minutes_ago(30))
    sync(client, note, edit(note, minutes_ago(5), text="Kept."))

    late_delete = delete(note["device_id"], minutes_ago(10))

    body = sync(client, late_delete)

    assert body["results"][0]["conflict"] == {"outcome": "incoming_ignored"}
    assert Observation.objects.get().deleted_at is None
    conflict = SyncConflict.objects.get()
    assert conflict.incoming == {"type": "delete", "edited_at": late_delete["edited_at"]}
    assert conflict.previous["text"] == "Kept."


def test_deleting_twice_is_harmless_and_unknown_ids_are_rejected(team, capture):
    client = signed_in(team.researcher)
    note = upsert(capture.visit, captured_at=minutes_ago(30))
    sync(client, note, delete(note["device_id"], minutes_ago(10)))

    again = sync(client, delete(note["device_id"], minutes_ago(5)))
    unknown = sync(client, delete(str(uuid.uuid4()), minutes_ago(5)))

    assert again["results"][0]["status"] == "applied"
    assert unknown["results"][0]["errors"] == {
        "device_id": ["No observation with this id has reached the server; send its capture first."]
    }


def test_others_cannot_delete_a_researchers_item(team, capture):
    note = upsert(capture.visit, captured_at=minutes_ago(30))
    sync(signed_in(team.researcher), note)

    for persona in [team.researcher2, team.product, team.outsider]:
        body = sync(signed_in(persona), delete(note["device_id"], minutes_ago(1)))
        assert body["results"][0]["status"] == "rejected"
        assert list(body["results"][0]["errors"]) == ["device_id"]
    assert Observation.objects.get().deleted_at is None


# --- Tags ----------------------------------------------------------------------------------


def test_tags_are_created_once_and_matched_case_insensitively(team, capture):
    TagFactory(study=team.study, name="Pain")
    TagFactory(study=RoundFactory().study, name="storage")  # another study's tag

    body = sync(
        signed_in(team.researcher),
        upsert(capture.visit, tags=["Storage", "  storage ", "pain"]),
        upsert(capture.visit, tags=["STORAGE", "Cold   chain"]),
        upsert(capture.visit, tags=["cold chain", "Pain"]),
    )

    assert [r["observation"]["tags"] for r in body["results"]] == [
        ["Pain", "Storage"],
        ["Cold chain", "Storage"],
        ["Cold chain", "Pain"],
    ]
    assert sorted(Tag.objects.filter(study=team.study).values_list("name", flat=True)) == [
        "Cold chain",
        "Pain",
        "Storage",
    ]


# --- Query counts --------------------------------------------------------------------------


def test_a_batch_of_100_costs_a_few_queries_per_item(team, capture, django_assert_max_num_queries):
    TagFactory(study=team.study, name="Storage")
    operations = [
        upsert(capture.visit, text=f"Note {n}.", tags=["Storage"] if n % 2 else [])
        for n in range(100)
    ]
    # Measured on SQLite and PostgreSQL alike: 460 = 10 + 4 × 100 + 50. Once per request:
    # the batch's savepoint and its release, operations already received, observations
    # already known, visits, memberships, the study's tags, the answer's observations (with
    # authors), their tags, and linking photos that came first. Per item: savepoint, insert,
    # remembered operation, release;
    # plus the tag link on the 50 tagged items.
    with django_assert_max_num_queries(460):
        body = sync(signed_in(team.researcher), *operations)

    assert [r["status"] for r in body["results"]] == ["applied"] * 100


def test_a_batch_of_100_edits_costs_a_few_more_queries_per_item(
    team, capture, django_assert_max_num_queries
):
    client = signed_in(team.researcher)
    captures = [
        upsert(capture.visit, text=f"Note {n}.", tags=["Storage"], captured_at=minutes_ago(30))
        for n in range(100)
    ]
    sync(client, *captures)
    edits = [edit(op, minutes_ago(10), text="Edited.", tags=["Waste"]) for op in captures]
    # Measured on SQLite and PostgreSQL alike: 913 = 13 + 9 × 100. Once per request: the
    # ten above, plus creating the new tag under the study's lock (lock, read, insert).
    # Per item: savepoint, the row locked, its tags, its last writer, update, unlink the
    # old tag, link the new one, remembered operation, release.
    with django_assert_max_num_queries(913):
        body = sync(client, *edits)

    assert [r["status"] for r in body["results"]] == ["applied"] * 100
    assert set(Observation.objects.values_list("text", flat=True)) == {"Edited."}


def test_a_photo_uploaded_before_its_observation_is_linked_when_the_observation_syncs(
    team, capture
):
    from studies.fieldwork.models import Photo, PhotoUpload

    client = signed_in(team.researcher)
    note = upsert(capture.visit, text="The freezer drawer, labelled.")
    photo = Photo.objects.create(
        visit=capture.visit, author=team.researcher, captured_at=minutes_ago(5), sha256="0" * 64
    )
    PhotoUpload.objects.create(
        author=team.researcher,
        visit=capture.visit,
        device_id=photo.device_id,
        length=1,
        offset=1,
        sha256="0" * 64,
        captured_at=minutes_ago(5),
        observation_device_id=note["device_id"],
        status="complete",
        photo=photo,
    )

    sync(client, note)

    photo.refresh_from_db()
    assert photo.observation.device_id == uuid.UUID(note["device_id"])
