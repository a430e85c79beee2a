"""Fixtures of the API fuzz run: the demo workspace on a fixed day, another study none of its
team belongs to, one API token per role, and no network."""

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
import time_machine

from studies.accounts.services import api_token_create
from studies.common import outbound
from studies.common.models import User
from studies.demo.seed import demo_seed
from studies.synthesis import tasks
from studies.synthesis.services.webhooks import sending, webhook_create
from tests.conftest import enrol_consenting
from tests.factories import (
    MembershipFactory,
    ObservationFactory,
    RoundFactory,
    StudyFactory,
    TagFactory,
    UserFactory,
    VisitFactory,
)
from tests.network import resolve_public

# The demo's own test day, a Wednesday in the middle of 2026-Q2: the same workspace every run.
TODAY = dt.datetime(2026, 5, 13, 10, 30, tzinfo=zoneinfo.ZoneInfo("Europe/London"))

# Each role and the demo login that has it (the admin is a superuser with no membership).
ROLE_USERNAMES = {
    "admin": "admin",
    "research_lead": "lead",
    "researcher": "rita",
    "product": "paula",
    "marketing": "mark",
}


@dataclass
class FuzzTally:
    """Cases sent, their answers by class (2xx, 4xx...) and seconds spent per role, printed
    once the session ends: a run whose cases all answer 4xx tests validation only."""

    cases: Counter[str] = field(default_factory=Counter)
    answers: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: Counter[str] = field(default_factory=Counter)


TALLY = FuzzTally()


def tally_for_controller() -> dict:
    """What this (worker) process counted, in a shape that crosses to the controller."""
    return {
        "cases": dict(TALLY.cases),
        "answers": {role: dict(answers) for role, answers in TALLY.answers.items()},
        "seconds": dict(TALLY.seconds),
    }


def take_tally(tally: dict) -> None:
    TALLY.cases.update(tally["cases"])
    for role, answers in tally["answers"].items():
        TALLY.answers[role].update(answers)
    TALLY.seconds.update(tally["seconds"])


def write_summary(terminalreporter) -> None:
    """The run's tally; tests/conftest.py calls it once the run ends (see access/conftest)."""
    if not TALLY.cases:
        return
    terminalreporter.section("API fuzz")
    for role, cases in TALLY.cases.items():
        answers = ", ".join(f"{n} {kind}" for kind, n in sorted(TALLY.answers[role].items()))
        terminalreporter.write_line(
            f"{role}: {cases} cases ({answers}) in {TALLY.seconds[role]:.0f} s", bold=True
        )
    terminalreporter.write_line(
        f"total: {TALLY.cases.total()} cases in {TALLY.seconds.total():.0f} s", bold=True
    )


@pytest.fixture(autouse=True, scope="session")
def _hypothesis_files_outside_the_clone(tmp_path_factory) -> None:
    # Examples are never stored (database=None); Hypothesis's caches go to a temporary
    # folder too, so a run leaves nothing behind in the working tree.
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))


def api_token_for(user: User) -> str:
    """A key for `Authorization: Token <key>`, made the way a user gets one."""
    _token, key = api_token_create(user=user, name="API fuzz")
    return key


@pytest.fixture
def _generous_rates(settings, monkeypatch) -> None:
    # Hundreds of requests a minute from one token are the point here, not an attack. DRF's
    # throttles copy the rates when imported, so the copy is what has to change.
    from rest_framework.throttling import SimpleRateThrottle

    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES") or {}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(rates, "100000/minute"))


@pytest.fixture
def _no_network(monkeypatch) -> None:
    # Fuzzed webhooks point anywhere: a host name resolves to one public address without
    # asking DNS, and a delivery is recorded as answered, never sent, inline (no thread of
    # the run's process goes on using the database after the case).
    monkeypatch.setattr(outbound, "getaddrinfo", resolve_public)
    monkeypatch.setattr(
        outbound, "request", lambda **kwargs: outbound.OutboundResponse(status=204, body=b"")
    )
    monkeypatch.setattr(sending, "_send_in_background", tasks.deliver_webhook)


@pytest.fixture
def workspace(transactional_db, settings, tmp_path, _generous_rates, _no_network):
    """The demo workspace, plus a webhook and a study of someone else's with a visit, an
    observation and a tag, so ids that exist but are not the role's own are fuzzed too.

    Transactional: the app runs in-process and closes its connection after each request,
    which a test wrapped in one transaction would not survive.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(TODAY, tick=True):
        demo_seed(log=lambda message: None)
        _another_study()
        webhook_create(name="Team channel", url="https://hooks.example.org/in")
        yield


def _another_study() -> None:
    study = StudyFactory(title="Someone else's study")
    MembershipFactory(study=study, user=UserFactory(username="outsider"))
    round_ = RoundFactory(study=study, label="2026-Q2", window_start=TODAY.date())
    household = enrol_consenting(study, 1, prefix="X")[0]
    visit = VisitFactory(round=round_, household=household, researcher__username="x-researcher")
    ObservationFactory(visit=visit)
    TagFactory(study=study)
