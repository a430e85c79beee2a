"""Every route × method × role × scope answers as tests/access/matrix.py says.

Every case starts from the same world (tests/access/world.py, built once per module) and
runs in a savepoint rolled back when it ends, so a write that is allowed cannot change
what the next case sees. A refused request must also write nothing (beyond the session,
lock-out counters and the audit log).
"""

import json
import re
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.access.conftest import record
from tests.access.matrix import MATRIX, Case, Outcome, Row, cases, keys
from tests.access.routes import all_routes, route_methods
from tests.access.world import World

CASES = cases()
CHUNK_TYPE = "application/offset+octet-stream"
# The admin site has a sign-in page of its own; everything else uses the site's.
SIGN_IN = {"admin:index": "/admin/login/"}
WRITES = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', re.IGNORECASE)
# What a refused request may still write: the session, sign-in lock-out counters, the
# audit log of who tried what.
WRITABLE_WHEN_REFUSED = {"django_session", "common_auditevent"}


def writes(queries: list[dict]) -> list[str]:
    """The tables the request wrote to, other than the ones a refusal may touch."""
    tables = []
    for query in queries:
        found = WRITES.match(query["sql"])
        if found and found[2] not in WRITABLE_WHEN_REFUSED and not found[2].startswith("axes_"):
            tables.append(found[2])
    return tables


def send(client: Client, case: Case, url: str, body: object):
    row = case.row
    if row.method == "HEAD":
        return client.head(url)
    if body is None:
        return client.generic(row.method, url)
    if row.encoding == "form":
        return client.post(url, body)
    if row.encoding == "raw":
        return client.generic(
            row.method, url, body, content_type=CHUNK_TYPE, headers={"Upload-Offset": "0"}
        )
    return client.generic(row.method, url, json.dumps(body), content_type="application/json")


def outcome_of(response, row: Row, *, api: bool) -> str:
    """What a response means, in the matrix's words; anything unexpected as its status."""
    status = response.status_code
    if status == 200 and row.judge is not None:
        status = row.judge(response)
    to_sign_in = (
        status == 302
        and urlparse(response.get("Location", "")).path == SIGN_IN.get(row.route, "/login/")
        and not row.sign_in_redirect_ok
    )
    if (api and status == 401) or (not api and to_sign_in):
        return Outcome.LOGIN.short
    if to_sign_in:
        return "302→login"
    if 200 <= status < 400:
        return Outcome.ALLOW.short
    return str(status)


def excerpt(response) -> str:
    if response.streaming:
        return "(streamed)"
    return repr(response.content[:400])


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_route_answers_as_the_matrix_says(case: Case, world: World, db) -> None:
    target = world.target(case.scope, case.role)
    row = case.row
    url = reverse(row.route, kwargs=row.kwargs(world, target))
    if row.query:
        url += "?" + row.query
    body = row.body(world, target) if row.body else None
    client = Client()
    user = world.user(case.role)
    if user is not None:
        client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = send(client, case, url, body)

    found = outcome_of(response, row, api=url.startswith("/api/"))
    record(case, found)
    assert found == case.expected.short, f"{case.id}: {response.status_code} {excerpt(response)}"
    if case.expected != Outcome.ALLOW:
        assert writes(queries.captured_queries) == [], f"{case.id}: refused, yet it wrote"


def test_every_route_is_in_the_matrix(db) -> None:
    # Asked as an anonymous client: a function view's require_* decorator answers 405
    # before anything else, which is how its methods are found.
    client = Client()
    routes = all_routes()
    unnamed = sorted(route.path for route in routes if not route.name)
    found = {
        (route.name, method)
        for route in routes
        if route.name
        for method in route_methods(route, client)
    }
    missing = sorted(found - keys())
    stale = sorted(keys() - found)

    assert not unnamed, f"Name these routes, so the matrix can list them: {unnamed}"
    assert not missing, (
        "These routes and methods are not in the authorisation matrix: add a row for each "
        f"to MATRIX in tests/access/matrix.py (then run `make permissions`): {missing}"
    )
    assert not stale, f"The matrix lists routes or methods the site no longer has: {stale}"


def test_each_row_acts_on_what_its_scopes_say() -> None:
    for row in MATRIX:
        assert row.scopes, row.label
        assert len(set(row.scopes)) == len(row.scopes), row.label
