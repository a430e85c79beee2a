"""/api/schema/ is built once per process and variant, then served from memory: parallel
first requests all get the same schema, and none of them a 500."""

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator

from studies.common.api.schema_views import forget_built_schemas

PARALLEL = 8


@pytest.fixture
def schema_builds(monkeypatch) -> list[str]:
    """The schema builds from now on, in any thread, and nothing built before."""
    forget_built_schemas()
    builds: list[str] = []
    build = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        builds.append(threading.current_thread().name)
        return build(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    return builds


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.headers["Content-Type"], response.read()


def fetch_all_at_once(urls: list[str]) -> list[tuple[int, str, bytes]]:
    # Every thread waits at the barrier, so the requests reach the server together.
    barrier = threading.Barrier(len(urls))

    def fetch_after_the_barrier(url: str) -> tuple[int, str, bytes]:
        barrier.wait(timeout=30)
        return fetch(url)

    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(fetch_after_the_barrier, urls))


def test_parallel_first_requests_all_get_the_one_schema_built_once(live_server, schema_builds):
    url = f"{live_server.url}/api/schema/"

    answers = fetch_all_at_once([url] * PARALLEL)

    assert [status for status, _type, _body in answers] == [200] * PARALLEL
    assert len({body for _status, _type, body in answers}) == 1
    assert answers[0][1] == "application/vnd.oai.openapi; charset=utf-8"
    assert yaml.safe_load(answers[0][2])["openapi"].startswith("3.")
    assert len(schema_builds) == 1


def test_yaml_and_json_are_each_built_once_and_say_the_same(live_server, schema_builds):
    yaml_url = f"{live_server.url}/api/schema/"
    json_url = f"{live_server.url}/api/schema/?format=json"

    answers = fetch_all_at_once([yaml_url, json_url] * (PARALLEL // 2))

    assert {status for status, _type, _body in answers} == {200}
    bodies = {content_type: body for _status, content_type, body in answers}
    assert len({body for _status, _type, body in answers}) == 2
    assert set(bodies) == {
        "application/vnd.oai.openapi; charset=utf-8",
        "application/vnd.oai.openapi+json",
    }
    assert yaml.safe_load(bodies["application/vnd.oai.openapi; charset=utf-8"]) == json.loads(
        bodies["application/vnd.oai.openapi+json"]
    )
    assert len(schema_builds) == 2


def test_a_query_string_makes_no_variant_of_its_own(client, db, schema_builds):
    plain = client.get("/api/schema/")

    others = [
        client.get("/api/schema/", {"lang": "xx-made-up"}),
        client.get("/api/schema/", {"version": "9.9-made-up"}),
        client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi; indent=2"),
        client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="xx"),
    ]

    assert plain.status_code == 200
    assert plain["Content-Disposition"] == 'inline; filename="ResearchHub API.yaml"'
    for other in others:
        assert other.status_code == 200
        assert other.content == plain.content
        assert other["Content-Disposition"] == plain["Content-Disposition"]
    assert len(schema_builds) == 1


def test_a_changed_setting_forgets_the_built_schema(client, db, settings, schema_builds):
    client.get("/api/schema/")

    settings.LANGUAGES = [("en", "English"), ("en-gb", "British English")]
    client.get("/api/schema/")

    assert len(schema_builds) == 2
