"""Fixtures of the API tests: a round of the team's study with households to visit."""

import datetime as dt
from dataclasses import dataclass

import pytest

from studies.scheduling.models import Household, Round, Visit
from tests.conftest import Team, enrol_consenting
from tests.factories import RoundFactory, VisitFactory

# A Tuesday in the round's window; the team's study runs on Europe/London time (GMT then).
DAY = dt.date(2027, 1, 12)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


@dataclass
class Fieldwork:
    round: Round
    households: list[Household]
    visit: Visit  # the researcher's visit to households[0], 09:00-10:30 on DAY


@pytest.fixture
def fieldwork(team: Team) -> Fieldwork:
    round_ = RoundFactory(
        study=team.study,
        label="2027-Q1",
        window_start=dt.date(2027, 1, 1),
        window_end=dt.date(2027, 3, 31),
    )
    households = enrol_consenting(team.study, 3)
    visit = VisitFactory(
        round=round_,
        household=households[0],
        researcher=team.researcher,
        scheduled_start=at(9),
        scheduled_end=at(10, 30),
    )
    return Fieldwork(round=round_, households=households, visit=visit)
