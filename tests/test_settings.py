"""Settings come from the environment: each case imports them in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

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
        "RESEARCHHUB_EMBEDDED",
        "CACHE_URL",
        # Set by the browser tests for themselves; the deploy check rightly refuses it.
        "DJANGO_ALLOW_ASYNC_UNSAFE",
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
        ({"RESEARCHHUB_EMBEDDED": "false", "SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"RESEARCHHUB_EMBEDDED": "false", "DEBUG": "true"}, "DEBUG must be off"),
        ({"RESEARCHHUB_API_RATE_USER": "lots"}, "must be a rate such as 600/minute"),
        ({"RESEARCHHUB_LOGIN_FAILURE_LIMIT": "five"}, "must be an integer"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_message(env, complaint):
    result = load_settings(**env)

    assert result.returncode != 0
    assert complaint in result.stderr


# --- The production profile -------------------------------------------------------------------

STRONG_KEY = "settings-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
PRODUCTION = {
    "RESEARCHHUB_EMBEDDED": "false",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "research.example.org",
}
PRINT_SECURITY = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({name: getattr(settings, name) for name in ["
    "'SECURE_SSL_REDIRECT', 'SECURE_REDIRECT_EXEMPT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SECURE_CONTENT_TYPE_NOSNIFF', "
    "'SECURE_REFERRER_POLICY', 'X_FRAME_OPTIONS', 'CACHES']}))"
)


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env={**CLEAN, "DJANGO_SETTINGS_MODULE": "researchhub.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_production_profile_passes_the_deploy_check():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr
    # Silenced on purpose: axes.W006 (lock-out by account, ADR 0011) and security.W021
    # (HSTS preloading is the operator's choice).
    assert result.stdout == "System check identified no issues (2 silenced).\n"


def test_the_production_profile_passes_the_deploy_check_with_preloading_chosen():
    result = run_python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        SECURE_HSTS_PRELOAD="true",
    )

    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr
    assert result.stdout == "System check identified no issues (1 silenced).\n"


def test_the_embedded_default_runs_with_no_environment():
    result = run_python("manage.py", "check")

    assert (result.returncode, result.stderr) == (0, "")


def test_the_production_profile_is_https_only_with_a_shared_cache():
    result = run_python("-c", PRINT_SECURITY, **PRODUCTION, REDIS_URL="redis://redis:6379/0")

    assert json.loads(result.stdout) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://redis:6379/1",
                "KEY_PREFIX": "researchhub",
            }
        },
    }


def test_the_embedded_profile_serves_plain_http_with_a_memory_cache():
    loaded = json.loads(run_python("-c", PRINT_SECURITY).stdout)

    assert (
        loaded["SECURE_SSL_REDIRECT"],
        loaded["SECURE_HSTS_SECONDS"],
        loaded["SESSION_COOKIE_SECURE"],
        loaded["CSRF_COOKIE_SECURE"],
    ) == (False, 0, False, False)
    assert loaded["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }


def test_each_part_of_the_production_profile_can_be_overridden():
    loaded = json.loads(
        run_python(
            "-c",
            PRINT_SECURITY,
            **PRODUCTION,
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="3600",
            SECURE_HSTS_PRELOAD="true",
            SESSION_COOKIE_SECURE="false",
            CACHE_URL="redis://cache:6379/4",
        ).stdout
    )

    assert (
        loaded["SECURE_SSL_REDIRECT"],
        loaded["SECURE_HSTS_SECONDS"],
        loaded["SECURE_HSTS_PRELOAD"],
        loaded["SESSION_COOKIE_SECURE"],
        loaded["CACHES"]["default"]["LOCATION"],
    ) == (False, 3600, True, False, "redis://cache:6379/4")
