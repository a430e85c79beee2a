"""Configuration from the environment: typed readers that fail loudly, and gunicorn's
configuration built on them. tests/test_settings.py covers the Django settings."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from researchhub.env import env_bool, env_int, env_list, env_str

GUNICORN_CONFIG = Path(__file__).resolve().parents[2] / "researchhub" / "gunicorn.py"


@pytest.mark.parametrize("raw", ["1", "true", "True", " yes ", "ON"])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("RH_FLAG", raw)

    assert env_bool("RH_FLAG") is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("RH_FLAG", raw)

    assert env_bool("RH_FLAG", default=True) is False


def test_env_bool_falls_back_to_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("RH_FLAG", raising=False)

    assert env_bool("RH_FLAG", default=True) is True


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please"])
def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("RH_FLAG", raw)

    with pytest.raises(ImproperlyConfigured, match=f"RH_FLAG must be a boolean.*{raw!r}"):
        env_bool("RH_FLAG")


def test_env_int_reads_an_integer(monkeypatch):
    monkeypatch.setenv("RH_COUNT", "42")

    assert env_int("RH_COUNT", 7) == 42


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_env_int_falls_back_to_the_default_when_unset_or_blank(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("RH_COUNT", raising=False)
    else:
        monkeypatch.setenv("RH_COUNT", raw)

    assert env_int("RH_COUNT", 7) == 7


@pytest.mark.parametrize("raw", ["ten", "4.5", "0x10"])
def test_env_int_refuses_a_non_integer_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("RH_COUNT", raw)

    with pytest.raises(ImproperlyConfigured, match=f"RH_COUNT must be an integer.*{raw!r}"):
        env_int("RH_COUNT", 7)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("RH_HOSTS", " a.example.org, b.example.org,, ")

    assert env_list("RH_HOSTS") == ["a.example.org", "b.example.org"]


def test_env_list_returns_a_copy_of_the_default(monkeypatch):
    monkeypatch.delenv("RH_HOSTS", raising=False)
    default = ["localhost"]

    hosts = env_list("RH_HOSTS", default)
    hosts.append("evil.example.org")

    assert default == ["localhost"]


def test_env_str_falls_back_to_the_default(monkeypatch):
    monkeypatch.delenv("RH_NAME", raising=False)

    assert env_str("RH_NAME", "ResearchHub") == "ResearchHub"


def test_gunicorn_reads_its_configuration_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9001")
    monkeypatch.setenv("GUNICORN_WORKERS", "5")

    config = runpy.run_path(str(GUNICORN_CONFIG))

    assert (config["bind"], config["workers"]) == ("127.0.0.1:9001", 5)


def test_gunicorn_refuses_a_malformed_worker_count(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "three")

    with pytest.raises(ImproperlyConfigured, match="GUNICORN_WORKERS"):
        runpy.run_path(str(GUNICORN_CONFIG))
