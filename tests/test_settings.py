"""Settings come from the environment: each case imports them in a fresh interpreter."""

import json
import os
import subprocess
import sys

import pytest

PRINT = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'], "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'media': settings.STORAGES['default']['BACKEND'], 'debug': settings.DEBUG, "
    "'hosts': settings.ALLOWED_HOSTS, 'tz': settings.TIME_ZONE}))"
)
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "DEBUG",
        "ALLOWED_HOSTS",
        "TIME_ZONE",
        "SECRET_KEY",
    }
}


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        env={**CLEAN, "DJANGO_SETTINGS_MODULE": "researchhub.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_with_no_environment_it_runs_embedded():
    result = load_settings()

    assert json.loads(result.stdout) == {
        "db": "django.db.backends.sqlite3",
        "eager": True,
        "broker": "",
        "media": "django.core.files.storage.FileSystemStorage",
        "debug": False,
        "hosts": ["127.0.0.1", "localhost", "[::1]", "testserver"],
        "tz": "UTC",
    }


def test_production_variables_switch_database_broker_and_storage():
    result = load_settings(
        DATABASE_URL="postgres://app@db:5432/researchhub",
        REDIS_URL="redis://redis:6379/0",
        AWS_STORAGE_BUCKET_NAME="researchhub-media",
        ALLOWED_HOSTS="research.example.org, www.research.example.org",
        TIME_ZONE="Europe/London",
        SECRET_KEY="x" * 50,
    )

    loaded = json.loads(result.stdout)
    assert loaded["db"] == "django.db.backends.postgresql"
    assert (loaded["eager"], loaded["broker"]) == (False, "redis://redis:6379/0")
    assert loaded["media"] == "storages.backends.s3.S3Storage"
    assert loaded["hosts"] == ["research.example.org", "www.research.example.org"]
    assert loaded["tz"] == "Europe/London"


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"TIME_ZONE": "Mars/Olympus"}, "is not an IANA time zone"),
        ({"RESEARCHHUB_PLANNING_LEAD_DAYS": "three weeks"}, "must be an integer"),
        ({"RESEARCHHUB_EMBEDDED": "false"}, "SECRET_KEY must be set"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_message(env, complaint):
    result = load_settings(**env)

    assert result.returncode != 0
    assert complaint in result.stderr
