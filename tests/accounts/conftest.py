"""Helpers of the API token tests: tokens made through the service, as people make them."""

import datetime as dt

import pytest

from studies.accounts import services
from studies.accounts.models import ApiToken
from studies.common.models import User

# A Tuesday; the team's users keep the default zone (UTC) unless a test sets one.
NOON = dt.datetime(2027, 1, 12, 12, 0, tzinfo=dt.UTC)


def make_token(
    user: User, name: str = "Zapier export", expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    return services.api_token_create(user=user, name=name, expires_at=expires_at)


@pytest.fixture
def at_noon(time_machine):
    time_machine.move_to(NOON, tick=False)
    return time_machine
