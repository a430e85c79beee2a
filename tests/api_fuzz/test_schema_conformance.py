"""Schemathesis against our own OpenAPI schema, signed in as each role.

For every operation the app publishes at /api/schema/ and each role (a superuser admin, a
research lead, a researcher, product, marketing: the demo workspace's logins), Hypothesis
generates up to MAX_EXAMPLES cases, valid and invalid, and sends them in-process through
Django's WSGI app with the role's API token. Every answer must pass:

- not_a_server_error: no 5xx, ever; a client mistake is a 4xx;
- status_code_conformance: the status is one the operation documents;
- content_type_conformance and response_schema_conformance: the body is what the schema says;
- response_headers_conformance: documented headers are there and well-formed.

Ids in paths, queries and bodies are taken half the time from the workspace's real objects
(the role's own study and another one it is not a member of), pages from the first one and
dates from the months around the workspace's day, so cases get past the 404 and the 400.
Reads run first, then writes, deletes last, so deletes do not empty the workspace early.

The schema is the one the app serves, which CI keeps identical to docs/openapi.yaml.
Reproducible: generation is derandomised, the workspace is built on a fixed day, and no
Hypothesis example database is kept. With MAX_EXAMPLES = 12 and the 75 operations of
December 2026, each role runs 900 cases (4,500 in all), in about four minutes with the
workspace built five times on PostgreSQL and two cores. The run ends with a summary of the
cases and seconds per role.
"""

import datetime as dt
import re
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import got_request_exception
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from studies.common.models import User
from studies.fieldwork.models import Observation, Photo, PhotoUpload, Tag
from studies.scheduling.models import (
    Consent,
    GuideQuestion,
    Household,
    ResearchQuestion,
    Round,
    Study,
    Visit,
)
from studies.synthesis.models import Board, BoardCard, Evidence, Insight, RoutingRule, Webhook
from tests.api_fuzz.conftest import ROLE_USERNAMES, TALLY, TODAY, api_token_for

MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

# Parameter and field names (less any `_id`) whose values are ids of these models.
MODELS_BY_NAME = {
    "study": Study,
    "round": Round,
    "household": Household,
    "visit": Visit,
    "consent": Consent,
    "research_question": ResearchQuestion,
    "guide_question": GuideQuestion,
    "observation": Observation,
    "observations": Observation,
    "quote": Observation,
    "photo": Photo,
    "photos": Photo,
    "upload": PhotoUpload,
    "tag": Tag,
    "tags": Tag,
    "into": Tag,
    "insight": Insight,
    "evidence": Evidence,
    "board": Board,
    "card": BoardCard,
    "rule": RoutingRule,
    "webhook": Webhook,
}
IDS_PER_MODEL = 25
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# The workspace's rounds run from the quarter before TODAY to the one after it.
NEAR_TODAY = (TODAY.date() - dt.timedelta(days=120), TODAY.date() + dt.timedelta(days=240))

# A chunk of a resumable photo upload (tus) is raw bytes, like any octet stream.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker) -> Any:
    # The app reads no rows to serve its schema, but its request signals check the connection.
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.mark.parametrize("role", ROLE_USERNAMES)
def test_every_operation_answers_as_its_schema_says(role, api_schema, workspace):
    user = User.objects.get(username=ROLE_USERNAMES[role])
    headers = {"Authorization": f"Token {api_token_for(user)}"}
    ids = known_ids()
    failures = []
    started = time.monotonic()

    for operation in operations(api_schema):
        with server_tracebacks() as tracebacks:
            try:
                fuzz(operation, role=role, headers=headers, ids=ids)
            # Schemathesis reports check failures as a BaseExceptionGroup.
            except (Exception, BaseExceptionGroup) as failure:
                failures.append(describe(role, operation, failure, tracebacks))

    TALLY.seconds[role] += time.monotonic() - started
    assert not failures, "\n\n".join(failures)


def operations(api_schema: Any) -> list[Any]:
    found = [result.ok() for result in api_schema.get_all_operations()]
    return sorted(found, key=lambda op: (METHOD_ORDER.get(op.method.lower(), 9), op.path))


def fuzz(operation: Any, *, role: str, headers: dict[str, str], ids: dict[str, list[str]]) -> None:
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        # A failure is reported as found: shrinking would replay writes against a database
        # the first attempt already changed, and can run for minutes.
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, data=st.data())
    def one_case(case: Any, data: st.DataObject) -> None:
        use_workspace_values(case, ids, data)
        TALLY.cases[role] += 1
        response = case.call(headers=headers)
        TALLY.answers[role][f"{response.status_code // 100}xx"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    one_case()


def known_ids() -> dict[str, list[str]]:
    ids = {
        name: [
            str(pk)
            for pk in model.objects.order_by("created_at", "pk").values_list("pk", flat=True)[
                :IDS_PER_MODEL
            ]
        ]
        for name, model in MODELS_BY_NAME.items()
    }
    ids["board"] += list(Board.objects.order_by("slug").values_list("slug", flat=True))
    ids["username"] = ids["researcher"] = list(
        User.objects.order_by("username").values_list("username", flat=True)
    )
    return ids


def use_workspace_values(case: Any, ids: dict[str, list[str]], data: st.DataObject) -> None:
    if case.path_parameters:
        case.path_parameters = with_workspace_values(case.path_parameters, ids, data)
    if case.query:
        case.query = with_workspace_values(case.query, ids, data)
    if isinstance(case.body, dict | list):
        case.body = with_workspace_values(case.body, ids, data)


def with_workspace_values(value: Any, ids: dict[str, list[str]], data: st.DataObject) -> Any:
    if isinstance(value, dict):
        return {key: swap(key, item, ids, data) for key, item in value.items()}
    if isinstance(value, list):
        return [with_workspace_values(item, ids, data) for item in value]
    return value


def swap(key: Any, value: Any, ids: dict[str, list[str]], data: st.DataObject) -> Any:
    """Half the time, a value the workspace knows in place of a generated one: an id of a
    real object, the first page, a day near the workspace's rounds."""
    known = ids.get(key.removesuffix("_id")) if isinstance(key, str) else None
    if known and isinstance(value, str) and data.draw(st.booleans()):
        return data.draw(st.sampled_from(known))
    if (
        known
        and isinstance(value, list)
        and all(isinstance(item, str) for item in value)
        and data.draw(st.booleans())
    ):
        return data.draw(st.lists(st.sampled_from(known), min_size=1, max_size=3, unique=True))
    if key == "page" and data.draw(st.booleans()):
        return 1
    if isinstance(value, str) and DATE.fullmatch(value) and data.draw(st.booleans()):
        return data.draw(st.dates(*NEAR_TODAY)).isoformat()
    if isinstance(value, str) and DATE_TIME.match(value) and data.draw(st.booleans()):
        moment = st.datetimes(*(dt.datetime.combine(day, dt.time()) for day in NEAR_TODAY))
        return data.draw(moment).replace(tzinfo=dt.UTC).isoformat()
    return with_workspace_values(value, ids, data)


@contextmanager
def server_tracebacks() -> Iterator[list[str]]:
    """The tracebacks of the exceptions the app turned into 500s, to show with the failure."""
    tracebacks: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        tracebacks.append(traceback.format_exc())

    got_request_exception.connect(record, weak=False)
    try:
        yield tracebacks
    finally:
        got_request_exception.disconnect(record)


def describe(role: str, operation: Any, failure: Exception, tracebacks: list[str]) -> str:
    text = f"=== as {role}: {operation.label}\n{failure}"
    if tracebacks:
        text += f"\n--- the app's last traceback:\n{tracebacks[-1]}"
    return text
