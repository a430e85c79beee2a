"""The committed OpenAPI schema (docs/openapi.yaml) must be valid OpenAPI and match the code,
and the schema and its browsable docs must be served without reaching any outside host."""

import datetime as dt
import difflib
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import OpenAPIV30SpecValidator
from rest_framework import serializers

from studies.common.api.schema import TIME_OF_DAY_PATTERN

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def test_the_committed_schema_is_valid_openapi():
    # Stricter than `spectacular --validate`: a default must be one of its enum's values, for
    # one, and client generators refuse an operation whose parameter breaks that.
    document = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.0.")

    errors = [error.message for error in OpenAPIV30SpecValidator(document).iter_errors()]

    assert errors == []


def test_the_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))

    expected = COMMITTED.read_text(encoding="utf-8")
    actual = generated.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                "docs/openapi.yaml (committed)",
                "generated from the code",
                n=2,
            )
        )
        pytest.fail(
            "docs/openapi.yaml is out of date. Run `make schema` and commit the result.\n\n"
            + diff[:4000],
            pytrace=False,
        )


def test_the_schema_is_served(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"operationId: visits_list" in response.content


def test_the_docs_page_loads_its_assets_from_our_own_static_files(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any("swagger-ui" in asset for asset in assets)
    # Swagger UI's start-up script comes from the docs view itself (the CSP allows no inline code).
    assert all(asset.startswith("/static/") or asset == "/api/docs/?script=" for asset in assets), (
        assets
    )
    assert not re.search(r"https?://|[\"']//", html)


def generated_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_paginated_list_documents_the_404_of_a_page_that_is_not_there():
    paginated = [
        (path, method, operation)
        for path, operations in generated_schema()["paths"].items()
        for method, operation in operations.items()
        if {"page", "cursor"} & {p["name"] for p in operation.get("parameters", [])}
    ]

    assert paginated
    for path, method, operation in paginated:
        assert "404" in operation["responses"], f"{method.upper()} {path}"


def test_every_operation_that_takes_a_body_documents_the_415_of_an_unknown_content_type():
    with_a_body = [
        (path, method, operation)
        for path, operations in generated_schema()["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]

    assert with_a_body
    for path, method, operation in with_a_body:
        assert "415" in operation["responses"], f"{method.upper()} {path}"


def test_times_of_day_are_documented_as_drf_writes_them():
    workday_start = generated_schema()["components"]["schemas"]["StudyOutput"]["properties"][
        "workday_start"
    ]
    sent = serializers.TimeField().to_representation(dt.time(9, 0))

    assert "format" not in workday_start
    assert workday_start["pattern"] == TIME_OF_DAY_PATTERN
    assert re.match(TIME_OF_DAY_PATTERN, sent)
    assert re.match(TIME_OF_DAY_PATTERN, "17:30")
    assert not re.match(TIME_OF_DAY_PATTERN, "24:00")
