"""Fixtures shared across the suite: a study with its team (the personas of every
permission test) and a panel of consenting households."""

import importlib
import sys
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.test import Client
from rest_framework.test import APIClient

from studies.common.models import User
from studies.common.roles import Role
from studies.scheduling.models import ConsentKind, Household, Study
from tests.factories import (
    ConsentFactory,
    EnrolmentFactory,
    HouseholdFactory,
    MembershipFactory,
    StudyFactory,
    UserFactory,
)
from tests.mail import smtp_server  # noqa: F401 — the real SMTP server fixture, for every test
from tests.network import public_dns  # noqa: F401 — host names resolve without the network


@dataclass
class Team:
    study: Study
    lead: User
    researcher: User
    researcher2: User
    product: User
    marketing: User
    sales: User
    outsider: User  # a member of another study only


# --- Running in parallel workers (make test: pytest-xdist) -------------------------------------
# Tests are handed out a module at a time (so a module's fixtures are built once), and every
# test that runs real processes against the broker goes to the same worker: two Celery
# workers listening on one Redis would take each other's tasks.


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        group = "services" if item.get_closest_marker("services") else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


# Two summaries are printed once the run ends: the authorisation matrix and the API fuzz
# tally. In workers, each hands what it found to the controller, which prints them.
_SUMMARIES = ("tests.access.conftest", "tests.api_fuzz.conftest")


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is None:
        return
    if access := sys.modules.get("tests.access.conftest"):
        output["access_results"] = access.results_for_controller()
    if fuzz := sys.modules.get("tests.api_fuzz.conftest"):
        output["fuzz_tally"] = fuzz.tally_for_controller()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    output = getattr(node, "workeroutput", {})
    if "access_results" in output:
        importlib.import_module("tests.access.conftest").take_results(output["access_results"])
    if "fuzz_tally" in output:
        importlib.import_module("tests.api_fuzz.conftest").take_tally(output["fuzz_tally"])


def pytest_terminal_summary(terminalreporter) -> None:
    for name in _SUMMARIES:
        if module := sys.modules.get(name):
            module.write_summary(terminalreporter)


def enrol_consenting(study: Study, count: int, prefix: str = "H") -> list[Household]:
    households = []
    for index in range(count):
        household = HouseholdFactory(code=f"{prefix}-{study.pk.hex[:4]}-{index:03d}")
        EnrolmentFactory(study=study, household=household)
        ConsentFactory(household=household, kind=ConsentKind.PARTICIPATION)
        # Photos are shown only while this is in force (studies.privacy).
        ConsentFactory(household=household, kind=ConsentKind.PHOTOS)
        households.append(household)
    return households


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashers take a third of a second per user on purpose; tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings) -> None:
    # API throttling counts requests in the cache: each test starts with nothing counted,
    # in this process's memory, never in a Redis that CACHE_URL or REDIS_URL may name.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    # A collectstatic run on a developer's machine leaves a manifest that settings would
    # pick up; pages under test must not depend on whether it is there or up to date.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _celery_inline(request):
    """Run tasks inline, as the embedded set-up does, even when CI configures a broker.

    Tests marked `services` run a real worker against the broker and opt out.
    """
    if request.node.get_closest_marker("services"):
        yield
        return
    from researchhub.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _rows_seeded_by_migrations(request) -> None:
    """Put back the boards and default routing rules a data migration made.

    Tests on a live server or with transaction=True empty every table when they end, rows
    seeded by migrations included, so a test running after one of them would find no boards.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from studies.synthesis.models import Board

    if not Board.objects.exists():
        defaults = importlib.import_module(
            "studies.synthesis.migrations.0002_default_boards_and_rules"
        )
        defaults.add_defaults(django_apps, None)


def make_team() -> Team:
    """The personas, for fixtures of wider scope than one test (see tests/access/)."""
    study = StudyFactory()
    members = {
        role_name: MembershipFactory(
            study=study, role=role, user=UserFactory(username=role_name)
        ).user
        for role_name, role in [
            ("lead", Role.RESEARCH_LEAD),
            ("researcher", Role.RESEARCHER),
            ("researcher2", Role.RESEARCHER),
            ("product", Role.PRODUCT),
            ("marketing", Role.MARKETING),
            ("sales", Role.SALES),
        ]
    }
    outsider = MembershipFactory(
        study=StudyFactory(title="Another study"),
        role=Role.RESEARCH_LEAD,
        user=UserFactory(username="outsider"),
    ).user
    return Team(study=study, outsider=outsider, **members)


@pytest.fixture
def team(db) -> Team:
    return make_team()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(api_client: APIClient):
    """`client_for(user)` signs the API test client in as that user (None: anonymous)."""

    def sign_in(user: User | None) -> APIClient:
        api_client.force_authenticate(user)
        return api_client

    return sign_in


@pytest.fixture
def superuser(db) -> User:
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser) -> Client:
    """The Django test client signed in as the superuser (pytest-django's own is replaced)."""
    client = Client()
    client.force_login(superuser)
    return client
