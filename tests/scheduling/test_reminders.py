"""The evening-before e-mail to researchers."""

import datetime as dt

import pytest
from django.core import mail

from studies.scheduling import services
from studies.scheduling.models import Visit, VisitStatus
from tests.factories import RoundFactory, VisitFactory

UTC = dt.UTC
# 18:00 in London on Monday 11 January 2027 (GMT, so also 18:00 UTC).
EVENING = dt.datetime(2027, 1, 11, 18, 0, tzinfo=UTC)


@pytest.fixture
def round_(team):
    return RoundFactory(study=team.study)


def visit_at(team, round_, start, researcher=None, **fields):
    return VisitFactory(
        round=round_, researcher=researcher or team.researcher, scheduled_start=start, **fields
    )


def test_each_researcher_gets_one_email_listing_tomorrows_visits(team, round_):
    first = visit_at(team, round_, dt.datetime(2027, 1, 12, 9, tzinfo=UTC))
    second = visit_at(team, round_, dt.datetime(2027, 1, 12, 13, tzinfo=UTC))
    visit_at(team, round_, dt.datetime(2027, 1, 12, 11, tzinfo=UTC), researcher=team.researcher2)

    sent = services.visit_reminders_send(now=EVENING)

    assert sent == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    message = by_recipient[team.researcher.email]
    assert message.subject == "Tomorrow: 2 visits"
    assert f"09:00–10:30 {first.household.code}" in message.body
    assert f"13:00–14:30 {second.household.code}" in message.body
    assert first.household.contact.name not in message.body


def test_reminders_go_out_only_once(team, round_):
    visit_at(team, round_, dt.datetime(2027, 1, 12, 9, tzinfo=UTC))

    services.visit_reminders_send(now=EVENING)
    again = services.visit_reminders_send(now=EVENING + dt.timedelta(hours=1))

    assert again == 0
    assert len(mail.outbox) == 1


def test_no_reminder_before_evening_in_the_studys_zone(team, round_):
    team.study.time_zone = "America/New_York"
    team.study.save()
    # 18:00 UTC is 13:00 in New York: too early to remind about tomorrow.
    visit_at(team, round_, dt.datetime(2027, 1, 12, 15, tzinfo=UTC))

    assert services.visit_reminders_send(now=EVENING) == 0
    assert services.visit_reminders_send(now=EVENING + dt.timedelta(hours=5)) == 1


def test_visits_further_ahead_or_not_scheduled_are_not_reminded(team, round_):
    visit_at(team, round_, dt.datetime(2027, 1, 13, 9, tzinfo=UTC))
    visit_at(team, round_, dt.datetime(2027, 1, 12, 9, tzinfo=UTC), status=VisitStatus.CANCELLED)

    assert services.visit_reminders_send(now=EVENING) == 0
    assert not Visit.objects.filter(reminder_sent_at__isnull=False).exists()


def test_a_researcher_without_email_is_marked_but_not_mailed(team, round_):
    team.researcher.email = ""
    team.researcher.save()
    visit = visit_at(team, round_, dt.datetime(2027, 1, 12, 9, tzinfo=UTC))

    assert services.visit_reminders_send(now=EVENING) == 0

    visit.refresh_from_db()
    assert visit.reminder_sent_at == EVENING
