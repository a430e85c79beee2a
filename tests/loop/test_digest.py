"""The weekly digest: what lands in it, who gets it, once, in their time zone, and how they
switch it off from the e-mail."""

import datetime as dt
import re
import smtplib

import pytest
import time_machine
from celery.exceptions import Retry
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django_celery_beat.models import PeriodicTask

from studies.common.models import User
from studies.common.roles import Role
from studies.fieldwork.models import ObservationKind
from studies.loop import tasks
from studies.loop.models import DigestDelivery
from studies.loop.services import digest as digest_services
from studies.loop.services.digest import digest_collect, digest_week_starting, digests_send
from studies.scheduling.models import Study
from studies.synthesis.models import (
    Board,
    BoardCard,
    CardEvent,
    Column,
    Evidence,
    Insight,
    QuoteUse,
)
from tests.conftest import Team, enrol_consenting
from tests.factories import (
    MembershipFactory,
    ObservationFactory,
    RoundFactory,
    StudyFactory,
    VisitFactory,
)

UTC = dt.UTC
# Monday 11 January 2027 at 07:00 UTC, when beat runs: the digest covers 4 to 10 January.
RUN = dt.datetime(2027, 1, 11, 7, 0, tzinfo=UTC)
WEEK = dt.date(2027, 1, 4)
TUESDAY = dt.datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
WEDNESDAY = dt.datetime(2027, 1, 6, 15, 30, tzinfo=UTC)
LAST_MONTH = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:
    settings.RESEARCHHUB_SITE_URL = SITE


def at(event: CardEvent, when: dt.datetime) -> CardEvent:
    # created_at is set on insert (auto_now_add): a test says when it happened afterwards.
    CardEvent.objects.filter(pk=event.pk).update(created_at=when)
    return event


def place(
    study: Study, board: str, statement: str, when: dt.datetime, households: int = 3
) -> BoardCard:
    insight = Insight.objects.create(study=study, statement=statement, household_count=households)
    card = BoardCard.objects.create(
        board=Board.objects.get(slug=board), insight=insight, study=study, moved_at=when
    )
    at(CardEvent.objects.create(card=card, kind=CardEvent.Kind.PLACED, to_column=Column.NEW), when)
    return card


def move(card: BoardCard, column: str, when: dt.datetime) -> BoardCard:
    event = CardEvent.objects.create(
        card=card, kind=CardEvent.Kind.MOVED, from_column=card.column, to_column=column
    )
    at(event, when)
    card.column, card.moved_at = column, when
    card.save(update_fields=["column", "moved_at"])
    return card


def statements(items) -> list[str]:
    return [item.statement for item in items]


@pytest.fixture
def second_study(team: Team) -> Study:
    """A study where the product persona is on the marketing team."""
    study = StudyFactory(title="Fridge habits")
    MembershipFactory(study=study, user=team.product, role=Role.MARKETING)
    return study


def test_it_collects_what_landed_on_the_teams_boards_that_week(
    team, second_study, django_assert_num_queries
):
    study = team.study
    place(study, "product", "Leftovers are stored in takeaway tubs", TUESDAY)
    decided = place(study, "product", "Freezer space runs out first", LAST_MONTH)
    move(decided, Column.PLANNED, WEDNESDAY)
    place(study, "product", "Labels fade in the freezer", LAST_MONTH)
    explored = place(study, "product", "Nobody reads best-before dates", LAST_MONTH)
    move(explored, Column.EXPLORING, WEDNESDAY)
    gone = place(study, "product", "A card taken off again", TUESDAY)
    BoardCard.objects.filter(pk=gone.pk).update(removed_at=WEDNESDAY)
    place(study, "product", "Landed after the week ended", RUN - dt.timedelta(hours=1))
    place(StudyFactory(title="Not theirs"), "product", "Another study's insight", TUESDAY)
    place(second_study, "product", "On product, where they are marketing", TUESDAY)
    place(second_study, "marketing", "“I never know what's in there”", TUESDAY)

    # Four queries: the week's placings with card, board, insight and study; then for the
    # cards moved (or whose quotes were used) that week, as every decision is read
    # (synthesis.selectors.card_timings): the cards, their events, their quotes' uses.
    with django_assert_num_queries(4):
        product = digest_collect(recipient=team.product, board_kind="product", week_starting=WEEK)
    marketing = digest_collect(recipient=team.product, board_kind="marketing", week_starting=WEEK)

    assert statements(product.landed) == ["Leftovers are stored in takeaway tubs"]
    assert statements(product.decided) == ["Freezer space runs out first"]
    (decision,) = product.decided
    assert (decision.column, decision.board, decision.study, decision.households) == (
        "Planned",
        "Product board",
        study.title,
        3,
    )
    assert decision.url == f"{SITE}/insights/{decided.insight_id}/"
    assert decision.at == WEDNESDAY
    assert statements(marketing.landed) == ["“I never know what's in there”"]
    assert marketing.decided == []


def use_a_quote(card: BoardCard, when: dt.datetime) -> QuoteUse:
    """A quote backing the card's insight, recorded as used in copy at `when`."""
    visit = VisitFactory(round=RoundFactory(study=card.study))
    quote = ObservationFactory(visit=visit, kind=ObservationKind.QUOTE, text="My second pantry.")
    Evidence.objects.create(insight=card.insight, observation=quote)
    use = QuoteUse.objects.create(observation=quote, campaign="Spring", used_on=when.date())
    QuoteUse.objects.filter(pk=use.pk).update(created_at=when)
    return use


def test_a_card_placed_and_decided_in_the_same_week_shows_once_under_its_decision(team):
    card = place(team.study, "marketing", "“The freezer is my second pantry”", TUESDAY)
    use_a_quote(card, WEDNESDAY)

    digest = digest_collect(recipient=team.marketing, board_kind="marketing", week_starting=WEEK)

    assert digest.landed == []
    assert [(item.statement, item.column, item.at) for item in digest.decided] == [
        ("“The freezer is my second pantry”", "Used in copy", WEDNESDAY)
    ]
    assert (digest.cards, digest.insights) == (1, 1)


def test_a_marketing_card_moved_to_used_without_a_recorded_use_is_not_a_decision(team):
    card = place(team.study, "marketing", "“Labels fall off in the cold”", LAST_MONTH)
    move(card, Column.USED, WEDNESDAY)

    digest = digest_collect(recipient=team.marketing, board_kind="marketing", week_starting=WEEK)

    assert digest.decided == []


def test_a_decision_of_another_week_is_not_listed_again(team):
    card = place(team.study, "product", "Freezer space runs out first", LAST_MONTH)
    move(card, Column.PLANNED, LAST_MONTH)
    move(card, Column.SHIPPED, WEDNESDAY)

    digest = digest_collect(recipient=team.product, board_kind="product", week_starting=WEEK)

    # Decided last month, on its first move into Planned: shipping it later is no new decision.
    assert digest.decided == []


def test_a_card_put_back_on_the_board_lands_again(team):
    card = place(team.study, "product", "Freezer space runs out first", LAST_MONTH)
    event = CardEvent.objects.create(card=card, kind=CardEvent.Kind.RESTORED, to_column=Column.NEW)
    at(event, TUESDAY)

    digest = digest_collect(recipient=team.product, board_kind="product", week_starting=WEEK)

    assert statements(digest.landed) == ["Freezer space runs out first"]


@pytest.mark.parametrize(
    ("now", "week"),
    [
        (RUN, WEEK),
        (dt.datetime(2027, 1, 11, 0, 0, tzinfo=UTC), WEEK),
        (dt.datetime(2027, 1, 12, 9, 0, tzinfo=UTC), WEEK),  # a retry a day late
        (dt.datetime(2027, 1, 17, 23, 59, tzinfo=UTC), WEEK),
        (dt.datetime(2027, 1, 18, 7, 0, tzinfo=UTC), dt.date(2027, 1, 11)),
    ],
)
def test_the_week_is_the_last_whole_monday_to_sunday_in_utc(now, week):
    assert digest_week_starting(now) == week


def test_each_team_gets_its_own_digest_and_other_roles_none(team, mailoutbox):
    place(team.study, "product", "Freezer space runs out first", TUESDAY)
    place(team.study, "product", "Labels fade in the freezer", WEDNESDAY)
    place(team.study, "marketing", "“The freezer is my second pantry”", TUESDAY)

    summary = digests_send(now=RUN)

    assert sorted((message.to, message.subject) for message in mailoutbox) == [
        (["marketing@example.org"], "ResearchHub marketing board: 1 insight landed this week"),
        (["product@example.org"], "ResearchHub product board: 2 insights landed this week"),
    ]
    assert summary.as_dict() == {
        "week_starting": "2027-01-04",
        "sent": 2,
        "already_sent": 0,
        "nothing_landed": 0,
        "failed": 0,
    }
    assert sorted(
        DigestDelivery.objects.values_list(
            "recipient__username", "board_kind", "week_starting", "cards"
        )
    ) == [("marketing", "marketing", WEEK, 1), ("product", "product", WEEK, 2)]


def test_someone_on_both_teams_gets_two_e_mails(team, second_study, mailoutbox):
    place(team.study, "product", "Freezer space runs out first", TUESDAY)
    place(second_study, "marketing", "“The freezer is my second pantry”", TUESDAY)

    digests_send(now=RUN)

    assert sorted((message.to, message.subject) for message in mailoutbox) == [
        (["product@example.org"], "ResearchHub marketing board: 1 insight landed this week"),
        (["product@example.org"], "ResearchHub product board: 1 insight landed this week"),
    ]


@pytest.mark.parametrize(
    "change",
    [{"weekly_digest": False}, {"is_active": False}, {"email": ""}],
    ids=["switched off", "deactivated", "no e-mail address"],
)
def test_nobody_gets_a_digest_they_cannot_or_do_not_want(team, mailoutbox, change):
    User.objects.filter(pk=team.product.pk).update(**change)
    place(team.study, "product", "Freezer space runs out first", TUESDAY)

    summary = digests_send(now=RUN)

    assert mailoutbox == []
    assert summary.sent == 0
    assert not DigestDelivery.objects.exists()


def test_no_e_mail_when_nothing_landed(team, mailoutbox):
    place(team.study, "product", "Labels fade in the freezer", LAST_MONTH)

    summary = digests_send(now=RUN)

    assert mailoutbox == []
    assert (summary.sent, summary.nothing_landed) == (0, 2)  # product's and marketing's
    assert not DigestDelivery.objects.exists()


def test_running_twice_sends_once(team, mailoutbox):
    place(team.study, "product", "Freezer space runs out first", TUESDAY)

    first = digests_send(now=RUN)
    second = digests_send(now=RUN + dt.timedelta(hours=3))

    assert [message.to for message in mailoutbox] == [["product@example.org"]]
    assert (first.sent, second.sent, second.already_sent) == (1, 0, 1)
    assert DigestDelivery.objects.count() == 1


def test_a_digest_claimed_by_a_concurrent_run_is_not_sent_again(team, mailoutbox, monkeypatch):
    place(team.study, "product", "Freezer space runs out first", TUESDAY)
    collect = digest_services.digest_collect

    def collect_while_another_run_claims_it(**kwargs):
        digest = collect(**kwargs)
        # The other run commits its claim after this one read what was already sent.
        DigestDelivery.objects.create(
            recipient=kwargs["recipient"], board_kind=kwargs["board_kind"], week_starting=WEEK
        )
        return digest

    monkeypatch.setattr(digest_services, "digest_collect", collect_while_another_run_claims_it)

    summary = digests_send(now=RUN)

    assert mailoutbox == []
    assert (summary.sent, summary.already_sent) == (0, 1)
    assert DigestDelivery.objects.filter(recipient=team.product).count() == 1


def test_a_failed_send_gives_its_claim_back_and_the_next_run_sends_it(
    team, mailoutbox, monkeypatch
):
    place(team.study, "product", "Freezer space runs out first", TUESDAY)
    send = EmailMultiAlternatives.send

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    failed = digests_send(now=RUN)
    assert (failed.sent, failed.failed) == (0, 1)
    assert not DigestDelivery.objects.exists()

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    retried = digests_send(now=RUN + dt.timedelta(minutes=5))

    assert (retried.sent, retried.failed) == (1, 0)
    assert [message.to for message in mailoutbox] == [["product@example.org"]]


def test_the_task_runs_through_celery_and_returns_its_summary(team, mailoutbox):
    place(team.study, "product", "Freezer space runs out first", TUESDAY)

    with time_machine.travel(RUN, tick=False):
        result = tasks.send_weekly_digests.delay().get()
        again = tasks.send_weekly_digests.delay().get()

    assert result == {
        "week_starting": "2027-01-04",
        "sent": 1,
        "already_sent": 0,
        "nothing_landed": 1,
        "failed": 0,
    }
    assert (again["sent"], again["already_sent"]) == (0, 1)
    assert len(mailoutbox) == 1


def test_the_task_asks_for_a_retry_when_a_send_fails_and_the_retry_sends_only_that(
    team, mailoutbox, monkeypatch
):
    place(team.study, "product", "Freezer space runs out first", TUESDAY)
    place(team.study, "marketing", "“The freezer is my second pantry”", TUESDAY)
    send = EmailMultiAlternatives.send

    def refuse_product(self, fail_silently=False):
        if self.to == ["product@example.org"]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_product)
    with time_machine.travel(RUN, tick=False), pytest.raises(Retry) as retry:
        tasks.send_weekly_digests.delay()

    # Inline, the retry surfaces; on a worker Celery runs it 5 minutes later.
    assert retry.value.when == 300
    assert [message.to for message in mailoutbox] == [["marketing@example.org"]]

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    with time_machine.travel(RUN + dt.timedelta(minutes=5), tick=False):
        result = tasks.send_weekly_digests.delay().get()

    assert (result["sent"], result["already_sent"], result["failed"]) == (1, 1, 0)
    assert [message.to for message in mailoutbox] == [
        ["marketing@example.org"],
        ["product@example.org"],
    ]


def test_the_beat_job_runs_the_task_on_mondays_at_seven_utc(db):
    job = PeriodicTask.objects.get(task="loop.send_weekly_digests")

    assert job.enabled
    crontab = job.crontab
    assert (
        crontab.minute,
        crontab.hour,
        crontab.day_of_week,
        crontab.day_of_month,
        crontab.month_of_year,
        str(crontab.timezone),
    ) == ("0", "7", "1", "*", "*", "UTC")
    assert "loop.send_weekly_digests" in tasks.send_weekly_digests.app.tasks


def test_the_e_mail_reads_well_in_plain_text(team, mailoutbox):
    User.objects.filter(pk=team.product.pk).update(first_name="Ada")
    landed = place(team.study, "product", "Leftovers are stored in takeaway tubs", TUESDAY, 1)
    decided = place(team.study, "product", "Freezer space runs out first", LAST_MONTH, 4)
    move(decided, Column.SHIPPED, WEDNESDAY)

    digests_send(now=RUN)

    (message,) = mailoutbox
    off_url = digest_services.digest_off_url(user=team.product)
    assert message.subject == "ResearchHub product board: 2 insights landed this week"
    assert message.body == (
        "Hello Ada,\n"
        "\n"
        "This is what landed on the product boards of your studies from Monday 4 January "
        "to Sunday 10 January 2027.\n"
        "\n"
        "Decided this week\n"
        "\n"
        "* Freezer space runs out first\n"
        f"  Shipped · Product board · {team.study.title} · 4 households · Wed 6 Jan, 15:30\n"
        f"  {SITE}/insights/{decided.insight_id}/\n"
        "\n"
        "New on the board\n"
        "\n"
        "* Leftovers are stored in takeaway tubs\n"
        f"  New · Product board · {team.study.title} · 1 household · Tue 5 Jan, 10:00\n"
        f"  {SITE}/insights/{landed.insight_id}/\n"
        "\n"
        "Times are in UTC.\n"
        "\n"
        "--\n"
        "You get this e-mail because you are on the product team of a ResearchHub study.\n"
        f"Switch the weekly digest off (no sign-in needed): {off_url}\n"
        f"Your digest settings: {SITE}/account/digest/\n"
    )
    assert message.extra_headers == {
        "List-Unsubscribe": f"<{off_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'<a class="statement" href="{SITE}/insights/{decided.insight_id}/">' in html
    assert "Freezer space runs out first" in html
    assert f'<a href="{off_url}">Switch the weekly digest off</a>' in html
    # Nothing to fetch: no images, scripts or style sheets from anywhere.
    assert "<img" not in html
    assert "<script" not in html
    assert "<link" not in html


def test_times_are_in_the_recipients_zone(team, mailoutbox):
    User.objects.filter(pk=team.product.pk).update(time_zone="America/New_York")
    # 03:30 on Tuesday in UTC is still Monday evening in New York.
    place(team.study, "product", "Freezer space runs out first", TUESDAY.replace(hour=3, minute=30))

    digests_send(now=RUN)

    (message,) = mailoutbox
    assert "Mon 4 Jan, 22:30" in message.body
    assert "Times are in America/New_York." in message.body
    assert "Tue 5 Jan" not in message.body
    html = message.alternatives[0][0]
    assert '<time datetime="2027-01-04T22:30:00-05:00">Mon 4 Jan, 22:30</time>' in html


def test_participants_personal_data_never_appears(team, mailoutbox):
    (household,) = enrol_consenting(team.study, 1)
    place(team.study, "product", "Freezer space runs out first", TUESDAY)

    digests_send(now=RUN)

    (message,) = mailoutbox
    html = message.alternatives[0][0]
    contact = household.contact
    for secret in (contact.name, contact.phone, contact.email, contact.address.splitlines()[0]):
        assert secret not in message.body
        assert secret not in html


def test_the_switch_off_link_in_the_e_mail_asks_first_then_switches_off(team, mailoutbox):
    place(team.study, "product", "Freezer space runs out first", TUESDAY)
    digests_send(now=RUN)
    (link,) = re.findall(r"no sign-in needed\): (\S+)", mailoutbox[0].body)
    path = link.removeprefix(SITE)
    client = Client()

    shown = client.get(path)

    assert shown.status_code == 200
    assert "Switch off the weekly digest?" in shown.text
    assert User.objects.get(pk=team.product.pk).weekly_digest is True

    # As a mail program's one-click unsubscribe: no cookie, no CSRF token, no sign-in.
    done = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    assert "The weekly digest is off" in done.text
    assert User.objects.get(pk=team.product.pk).weekly_digest is False
    place(team.study, "product", "Labels fade in the freezer", WEDNESDAY + dt.timedelta(days=7))
    assert digests_send(now=RUN + dt.timedelta(days=7)).sent == 0


def test_a_tampered_switch_off_link_is_refused_and_changes_nothing(team):
    token = digest_services.digest_off_token(user=team.product)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = Client().post(f"/digest/off/{tampered}/")

    assert response.status_code == 400
    assert "This link is not valid" in response.text
    assert User.objects.get(pk=team.product.pk).weekly_digest is True
