"""The committed OpenAPI schema (docs/openapi.yaml) must match the code, and the schema and
its browsable docs must be served without reaching any outside host."""

import difflib
import re
from pathlib import Path

import pytest
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


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
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert not re.search(r"https?://|[\"']//", html)
