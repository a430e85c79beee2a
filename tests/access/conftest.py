"""The world the matrix runs in, built once per module; the outcomes, printed at the end."""

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from tests.access.matrix import MATRIX, ROLES, Case, Outcome
from tests.access.world import World, build_world
from tests.conftest import make_team

# (row label, role, scope) → what the case found, filled in by test_matrix.py.
RESULTS: dict[tuple[str, str, str], str] = {}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built once, in a transaction around the module's tests.

    Each test runs in a savepoint inside it (pytest-django's `db`), rolled back when the
    test ends: every case starts from this same world, whatever the case before it wrote,
    without paying ~100 ms to build it again.
    """
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world(make_team())
        transaction.set_rollback(True)


def record(case: Case, found: str) -> None:
    RESULTS[(case.row.label, case.role, case.scope)] = found


def _cell(row_label: str, scopes: tuple[str, ...], role: str, expected) -> str:
    parts = []
    for scope in scopes:
        want = expected(role, scope).short
        found = RESULTS.get((row_label, role, scope))
        if found is None:
            parts.append(f"{want}?")
        elif found != want:
            parts.append(f"{want}!{found}")
        else:
            parts.append(want)
    return "/".join(parts)


def results_for_controller() -> list:
    """What this (worker) process found, in a shape that crosses to the controller."""
    return [[*key, found] for key, found in RESULTS.items()]


def take_results(rows: list) -> None:
    for label, role, scope, found in rows:
        RESULTS[(label, role, scope)] = found


def write_summary(terminalreporter) -> None:
    """The matrix with what each case found; tests/conftest.py calls it once the run ends,
    in the process that reports (the controller, when the suite runs in workers)."""
    if not RESULTS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("authorisation matrix")
    write(
        "cells: expected outcome per scope (own/other, or own/colleague/other for visits); "
        f"✓ allowed, login, 400/403/404 refused; '?' not run; 'want!got' a mismatch. "
        f"{Outcome.ALLOW.short} = 2xx/3xx."
    )
    table = [
        [row.label, "/".join(row.scopes)]
        + [_cell(row.label, row.scopes, role, row.expected) for role in ROLES]
        for row in MATRIX
    ]
    header = ["route method", "scopes", *ROLES]
    widths = [max(len(line[i]) for line in [header, *table]) + 2 for i in range(len(header))]
    for line in [header, *table]:
        write("".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    mismatches = sum(
        1
        for row in MATRIX
        for scope in row.scopes
        for role in ROLES
        if (found := RESULTS.get((row.label, role, scope))) is not None
        and found != row.expected(role, scope).short
    )
    write(f"{len(RESULTS)} cases run, {mismatches} not as the matrix says.")
