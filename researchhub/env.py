"""Typed readers for configuration that comes from the environment.

Each helper fails loudly on a value it cannot understand: a typo in a deployment's
environment should stop the process at start-up, not surface later as odd behaviour.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_proxies(name: str) -> int:
    """How many trusted proxies stand in front: a count, or a boolean meaning one or none."""
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in _TRUE - {"1"}:
        return 1
    if raw in _FALSE:
        return 0
    if raw.isdigit():
        return int(raw)
    raise ImproperlyConfigured(
        f"{name} must be the number of trusted proxies (or true/false), got {raw!r}"
    )


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE = re.compile(r"^\d+/(s|m|h|d|sec|second|min|minute|hour|day)$")


def env_rate(name: str, default: str) -> str:
    """A request rate as Django REST framework reads it: "600/minute", "10/s"."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 600/minute (per second, minute, hour or day), "
            f"got {raw!r}"
        )
    return value
