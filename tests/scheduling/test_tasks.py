"""The Celery tasks, run inline as in the embedded set-up (the broker path is tested in
tests/infra)."""

import datetime as dt

import time_machine
from django.core import mail

from studies.scheduling import tasks
from studies.scheduling.models import Round, Visit
from tests.conftest import enrol_consenting
from tests.factories import RoundFactory, VisitFactory


@time_machine.travel(dt.datetime(2026, 12, 11, 2, 15, tzinfo=dt.UTC), tick=False)
def test_plan_due_rounds_reports_what_it_planned(team):
    enrol_consenting(team.study, 3)

    summary = tasks.plan_due_rounds.apply().get()

    ours = [entry for entry in summary if entry["study"] == str(team.study.pk)]
    assert ours == [
        {
            "study": str(team.study.pk),
            "round": "2027-Q1",
            "created": True,
            "visits": 3,
            "unplaced": [],
        }
    ]
    assert Visit.objects.filter(round__study=team.study).count() == 3
    assert tasks.plan_due_rounds.apply().get()[0]["created"] is False
    assert Round.objects.filter(study=team.study).count() == 1


@time_machine.travel(dt.datetime(2027, 1, 11, 18, 5, tzinfo=dt.UTC), tick=False)
def test_send_visit_reminders_counts_the_emails(team):
    VisitFactory(
        round=RoundFactory(study=team.study),
        researcher=team.researcher,
        scheduled_start=dt.datetime(2027, 1, 12, 10, tzinfo=dt.UTC),
    )

    assert tasks.send_visit_reminders.apply().get() == 1
    assert len(mail.outbox) == 1


def test_beat_schedules_every_job_with_a_registered_task(db):
    from django_celery_beat.models import PeriodicTask

    from researchhub.celery import app

    app.loader.import_default_modules()
    jobs = {
        task.task: str(task.crontab or task.interval)
        for task in PeriodicTask.objects.select_related("crontab", "interval")
    }

    assert jobs == {
        "scheduling.plan_due_rounds": "15 2 * * * (m/h/dM/MY/d) UTC",
        "scheduling.send_visit_reminders": "0 * * * * (m/h/dM/MY/d) UTC",
        "fieldwork.requeue_stuck_photos": "every 5 minutes",
        "fieldwork.forget_idle_uploads": "every hour",
        "synthesis.retry_due_deliveries": "every minute",
        "loop.send_weekly_digests": "0 7 * * 1 (m/h/dM/MY/d) UTC",
        "scheduling.forget_panel_imports": "40 3 * * * (m/h/dM/MY/d) UTC",
        "scheduling.forget_calendar_departures": "50 3 * * * (m/h/dM/MY/d) UTC",
    }
    assert set(jobs) <= set(app.tasks)
