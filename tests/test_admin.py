"""The Django admin: every page of every registered model answers, and the admin keeps
the rules (bookings through the services, read-only history, no personal data in lists)."""

import datetime as dt
import io
import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule

from studies.accounts.services import api_token_create
from studies.common import outbound
from studies.fieldwork.models import Observation, PhotoUpload, SyncConflict, SyncOperation
from studies.loop.models import DigestDelivery, PressureReview, PressureTest
from studies.privacy.services import household_erase
from studies.scheduling.models import Household, Study, Visit, VisitChange, VisitStatus
from studies.scheduling.services import calendar, guides, invitations, panel
from studies.scheduling.services.rounds import GuideItem
from studies.synthesis.models import CardEvent, Insight
from studies.synthesis.services import webhooks
from tests.factories import (
    EnrolmentFactory,
    HouseholdFactory,
    RoundFactory,
    UserFactory,
    VisitFactory,
)
from tests.network import resolve_public

DOMAIN_APPS = ("common", "accounts", "scheduling", "fieldwork", "synthesis", "privacy")
JAN_12 = dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC)


def url(model, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_model_of_the_domain_is_in_the_admin():
    registered = set(admin.site._registry)
    missing = [
        model._meta.label
        for label in DOMAIN_APPS
        for model in apps.get_app_config(label).get_models()
        if model not in registered
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_admin_page_answers_for_a_superuser(admin_client, superuser, subtests, monkeypatch):
    call_command("seed_demo", stdout=io.StringIO())
    # Rows for the registered models the demo does not fill.
    Group.objects.create(name="Field team")
    api_token_create(user=superuser, name="Nightly export")
    # A wrong password and a sign-in, for axes' records of both (lock-outs and their log).
    signer = UserFactory()
    Client().post("/login/", {"username": signer.username, "password": "wrong"})
    Client().post(
        "/login/", {"username": signer.username, "password": "correct horse battery staple"}
    )
    ClockedSchedule.objects.create(clocked_time=JAN_12)
    IntervalSchedule.objects.get_or_create(every=10, period=IntervalSchedule.MINUTES)
    SolarSchedule.objects.create(event="sunrise", latitude="51.5", longitude="-0.12")
    study = Study.objects.first()
    guides.next_guide_replace(study=study, items=[GuideItem(text="Walk us through dinner.")])
    invitations.invitation_send(
        study=study, email="new-colleague@example.org", role="researcher", actor=superuser
    )
    panel.panel_import_receive(
        study=study,
        actor=superuser,
        upload=SimpleUploadedFile("panel.csv", b"name,phone\nThe Okafors,+44 20 7946 0999\n"),
    )
    observation = Observation.objects.first()
    PhotoUpload.objects.create(
        author=superuser,
        visit=observation.visit,
        device_id=uuid.uuid4(),
        length=10,
        sha256="0" * 64,
        captured_at=JAN_12,
    )
    operation = SyncOperation.objects.create(
        operation_id=uuid.uuid4(), author=superuser, observation=observation, result={}
    )
    SyncConflict.objects.create(
        observation=observation,
        operation_id=operation.operation_id,
        outcome=SyncConflict.Outcome.INCOMING_IGNORED,
        incoming={"text": "older"},
        previous={"text": "newer"},
        incoming_edited_at=JAN_12,
        previous_edited_at=JAN_12,
    )
    household_erase(
        household=Household.objects.get(code="H-012"),
        actor=superuser,
        requested_on=dt.date(2026, 1, 12),
    )
    # A visit that left its researcher's calendar (as a reassignment records it).
    calendar.calendar_departures_record(visits=Visit.objects.exclude(researcher=None)[:1])
    # Made, not sent: nothing here queues a delivery. Its host resolves to a public address
    # without asking DNS: tests never touch the network.
    monkeypatch.setattr(outbound, "getaddrinfo", resolve_public)
    webhooks.webhook_create(name="Team channel", url="https://hooks.example.org/in")
    webhooks.deliveries_create_for_events(event_ids=CardEvent.objects.values_list("pk", flat=True))
    # Closing the loop: a pressure test with a review, a digest sent (unless the demo has them).
    test, _created = PressureTest.objects.get_or_create(
        insight=Insight.objects.first(), defaults={"opened_by": superuser}
    )
    PressureReview.objects.get_or_create(
        test=test,
        reviewer=superuser,
        defaults={"team": "product", "importance": 4, "differentiation": 3, "feasibility": 2},
    )
    DigestDelivery.objects.get_or_create(
        recipient=superuser, board_kind="product", week_starting=dt.date(2027, 1, 11)
    )

    for model, model_admin in admin.site._registry.items():
        with subtests.test(model=model._meta.label):
            changelist = admin_client.get(url(model, "changelist"))
            assert changelist.status_code == 200
            if model_admin.search_fields:
                assert admin_client.get(url(model, "changelist"), {"q": "H-001"}).status_code == 200

            add = admin_client.get(url(model, "add"))
            request = changelist.wsgi_request
            assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)

            instance = model._default_manager.first()
            assert instance is not None, "no row to open: create one above"
            assert admin_client.get(url(model, "change", instance.pk)).status_code == 200


@pytest.mark.django_db
def test_the_household_list_shows_pseudonyms_not_personal_data(admin_client):
    household = HouseholdFactory(code="H-314", contact__name="Imogen Example")

    page = admin_client.get(url(type(household), "changelist")).content.decode()

    assert "H-314" in page
    assert "Imogen Example" not in page


def booking_form(visit_round, household, researcher, start: dt.datetime) -> dict[str, str]:
    end = start + dt.timedelta(minutes=90)
    return {
        "round": str(visit_round.pk),
        "household": str(household.pk),
        "researcher": str(researcher.pk),
        "scheduled_start_0": start.strftime("%Y-%m-%d"),
        "scheduled_start_1": start.strftime("%H:%M:%S"),
        "scheduled_end_0": end.strftime("%Y-%m-%d"),
        "scheduled_end_1": end.strftime("%H:%M:%S"),
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
    }


@pytest.mark.django_db
def test_adding_a_visit_books_it_through_the_service(admin_client, superuser, team):
    visit_round = RoundFactory(study=team.study)
    household = EnrolmentFactory(study=team.study).household

    response = admin_client.post(
        url(Visit, "add"), booking_form(visit_round, household, team.researcher, JAN_12)
    )

    assert response.status_code == 302
    visit = Visit.objects.get(household=household)
    assert (visit.researcher, visit.scheduled_start) == (team.researcher, JAN_12)
    created = visit.changes.get()
    assert (created.kind, created.actor) == (VisitChange.Kind.CREATED, superuser)


@pytest.mark.django_db
def test_adding_a_visit_that_double_books_a_researcher_is_refused(admin_client, team):
    visit_round = RoundFactory(study=team.study)
    first, second = (EnrolmentFactory(study=team.study).household for _ in range(2))
    VisitFactory(
        round=visit_round, household=first, researcher=team.researcher, scheduled_start=JAN_12
    )

    response = admin_client.post(
        url(Visit, "add"),
        booking_form(visit_round, second, team.researcher, JAN_12 + dt.timedelta(minutes=30)),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert first.code in " ".join(errors["scheduled_start"])
    assert not Visit.objects.filter(household=second).exists()


@pytest.mark.django_db
def test_adding_a_visit_outside_the_round_window_is_refused(admin_client, team):
    visit_round = RoundFactory(study=team.study)
    household = EnrolmentFactory(study=team.study).household

    response = admin_client.post(
        url(Visit, "add"),
        booking_form(
            visit_round, household, team.researcher, dt.datetime(2027, 5, 3, 9, 0, tzinfo=dt.UTC)
        ),
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["scheduled_start"]
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_moving_a_visit_in_the_admin_keeps_its_history(admin_client, superuser, team):
    visit_round = RoundFactory(study=team.study)
    household = EnrolmentFactory(study=team.study).household
    admin_client.post(
        url(Visit, "add"), booking_form(visit_round, household, team.researcher, JAN_12)
    )
    visit = Visit.objects.get()
    created = visit.changes.get()
    later = JAN_12 + dt.timedelta(days=2)
    form = booking_form(visit_round, household, team.researcher2, later)
    form.update(
        {
            "changes-TOTAL_FORMS": "1",
            "changes-INITIAL_FORMS": "1",
            "changes-0-id": str(created.pk),
            "changes-0-visit": str(visit.pk),
        }
    )

    response = admin_client.post(url(Visit, "change", visit.pk), form)

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.researcher, visit.scheduled_start) == (team.researcher2, later)
    moved = visit.changes.get(kind=VisitChange.Kind.MOVED)
    assert (moved.from_start, moved.to_start) == (JAN_12, later)
    assert (moved.from_researcher, moved.to_researcher, moved.actor) == (
        team.researcher,
        team.researcher2,
        superuser,
    )


@pytest.mark.django_db
def test_visit_history_can_be_read_but_not_written(admin_client, team):
    visit = VisitFactory(round=RoundFactory(study=team.study), researcher=team.researcher)
    change = VisitChange.objects.create(visit=visit, kind=VisitChange.Kind.CREATED)

    assert admin_client.get(url(VisitChange, "change", change.pk)).status_code == 200
    assert admin_client.get(url(VisitChange, "add")).status_code == 403
    assert (
        admin_client.post(url(VisitChange, "change", change.pk), {"note": "x"}).status_code == 403
    )
    assert (
        admin_client.post(url(VisitChange, "delete", change.pk), {"post": "yes"}).status_code == 403
    )
    change.refresh_from_db()
    assert change.note == ""


@pytest.mark.django_db
def test_the_cancel_action_follows_the_allowed_transitions(admin_client, team):
    visit_round = RoundFactory(study=team.study)
    scheduled = VisitFactory(round=visit_round, researcher=team.researcher)
    completed = VisitFactory(
        round=visit_round,
        researcher=team.researcher,
        scheduled_start=JAN_12 + dt.timedelta(days=1),
        status=VisitStatus.COMPLETED,
    )

    response = admin_client.post(
        url(Visit, "changelist"),
        {"action": "mark_cancelled", "_selected_action": [scheduled.pk, completed.pk]},
        follow=True,
    )

    notes = {(message.level_tag, message.message) for message in response.context["messages"]}
    assert ("success", "1 visit updated.") in notes
    assert any(
        level == "warning" and text.startswith(completed.household.code) for level, text in notes
    )
    scheduled.refresh_from_db()
    completed.refresh_from_db()
    assert scheduled.status == VisitStatus.CANCELLED
    assert completed.status == VisitStatus.COMPLETED
