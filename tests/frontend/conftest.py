"""A study with a past and a current round, visits and personal data worth hiding."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import pytest
from django.utils import timezone

from studies.scheduling import services
from studies.scheduling.models import (
    GuideQuestion,
    Household,
    ResearchQuestion,
    Round,
    Visit,
    VisitStatus,
)
from tests.conftest import Team, enrol_consenting
from tests.factories import RoundFactory, VisitFactory

SECRET_NAME = "Prudence Quigley"
SECRET_PHONE = "+44 7700 900123"
SECRET_ADDRESS = "17 Larkspur Mews"


@dataclass
class World:
    team: Team
    households: list[Household]
    past_round: Round
    current_round: Round
    visit: Visit  # the researcher's, tomorrow at 10:00 in the study's zone
    other_visit: Visit  # researcher2's, the day after at 14:00


def local(day: dt.date, hour: int, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(zone))


@pytest.fixture
def world(team: Team) -> World:
    study = team.study
    ResearchQuestion.objects.create(study=study, position=0, text="Where does food go first?")
    ResearchQuestion.objects.create(study=study, position=1, text="What gets thrown away?")
    households = enrol_consenting(study, 4)
    contact = households[0].contact
    contact.name, contact.phone, contact.address = SECRET_NAME, SECRET_PHONE, SECRET_ADDRESS
    contact.save()

    today = services.study_today(study)
    past_round = RoundFactory(
        study=study,
        label="PAST-1",
        window_start=today - dt.timedelta(days=120),
        window_end=today - dt.timedelta(days=60),
    )
    for household in households[:2]:
        VisitFactory(
            round=past_round,
            household=household,
            researcher=team.researcher,
            scheduled_start=local(past_round.window_start, 10, study.time_zone),
            status=VisitStatus.COMPLETED,
        )
    current_round = RoundFactory(
        study=study,
        label="NOW-1",
        window_start=today - dt.timedelta(days=3),
        window_end=today + dt.timedelta(days=30),
    )
    GuideQuestion.objects.create(round=current_round, position=1, text="Show me your fridge.")
    GuideQuestion.objects.create(round=current_round, position=0, text="Walk me through a week.")
    visit = services.visit_create(
        round_=current_round,
        household=households[0],
        researcher=team.researcher,
        start=local(today + dt.timedelta(days=1), 10, study.time_zone),
        end=local(today + dt.timedelta(days=1), 10, study.time_zone) + dt.timedelta(minutes=90),
        actor=team.lead,
    )
    other_visit = services.visit_create(
        round_=current_round,
        household=households[1],
        researcher=team.researcher2,
        start=local(today + dt.timedelta(days=2), 14, study.time_zone),
        end=local(today + dt.timedelta(days=2), 14, study.time_zone) + dt.timedelta(minutes=90),
        actor=team.lead,
    )
    assert visit.scheduled_start > timezone.now()
    return World(
        team=team,
        households=households,
        past_round=past_round,
        current_round=current_round,
        visit=visit,
        other_visit=other_visit,
    )
