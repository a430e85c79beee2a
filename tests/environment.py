"""What a test may do when the machine lacks a service, browser or tool it needs.

Outside CI such a test skips and says what to install or set; under CI (`CI` set to
anything but an empty or false value) the same absence fails the run, never skips it.
"""

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def unavailable(message: str) -> NoReturn:
    """Fail under CI, skip elsewhere, with the same message either way."""
    if in_ci():
        pytest.fail(f"{message} (under CI this must be available)")
    pytest.skip(message)
