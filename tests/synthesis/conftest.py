"""A study with two rounds of fieldwork: households, quotes and notes, tags of each group."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from studies.fieldwork.models import Observation, ObservationKind, Tag, TagGroup
from studies.scheduling.models import ConsentKind, Household, ResearchQuestion, Round
from studies.synthesis.models import Board
from tests.conftest import Team, enrol_consenting
from tests.factories import (
    ConsentFactory,
    ObservationFactory,
    RoundFactory,
    TagFactory,
    VisitFactory,
)


@dataclass
class Field:
    team: Team
    households: list[Household]  # [0] and [1] consent to marketing, [2] does not
    rounds: list[Round]  # oldest first
    question: ResearchQuestion
    pain: Tag
    quotable: Tag
    delight: Tag
    loose: Tag  # no group: routes nowhere by default
    quotes: list[Observation]  # one per household, in the latest round
    notes: list[Observation]  # one per household, in the first round
    product: Board
    marketing: Board


@pytest.fixture
def field(team: Team) -> Field:
    study = team.study
    households = enrol_consenting(study, 3)
    households[0].segment_phrase = "parent of three, suburban"
    households[0].save(update_fields=["segment_phrase"])
    for household in households[:2]:
        ConsentFactory(household=household, kind=ConsentKind.MARKETING)
    rounds = [
        RoundFactory(
            study=study,
            label="2026-Q3",
            window_start=dt.date(2026, 7, 1),
            window_end=dt.date(2026, 9, 30),
        ),
        RoundFactory(
            study=study,
            label="2026-Q4",
            window_start=dt.date(2026, 10, 1),
            window_end=dt.date(2026, 12, 31),
        ),
    ]
    start = timezone.now() - dt.timedelta(days=10)
    notes, quotes = [], []
    for index, household in enumerate(households):
        first = VisitFactory(
            round=rounds[0], household=household, researcher=team.researcher, scheduled_start=start
        )
        latest = VisitFactory(
            round=rounds[1],
            household=household,
            researcher=team.researcher,
            scheduled_start=start + dt.timedelta(days=1),
        )
        notes.append(
            ObservationFactory(visit=first, text=f"Stacks takeaway tubs in the freezer ({index}).")
        )
        quotes.append(
            ObservationFactory(
                visit=latest,
                kind=ObservationKind.QUOTE,
                text=f"I never know what is in the freezer until it is too late ({index}).",
                speaker="mother, 40s",
            )
        )
    return Field(
        team=team,
        households=households,
        rounds=rounds,
        question=ResearchQuestion.objects.create(study=study, text="Where does food go to waste?"),
        pain=TagFactory(study=study, name="Freezer blindness", group=TagGroup.PAIN_POINT),
        quotable=TagFactory(study=study, name="Say it like this", group=TagGroup.QUOTE_WORTHY),
        delight=TagFactory(study=study, name="Joy of a clear shelf", group=TagGroup.DELIGHT),
        loose=TagFactory(study=study, name="Misc"),
        quotes=quotes,
        notes=notes,
        product=Board.objects.get(slug="product"),
        marketing=Board.objects.get(slug="marketing"),
    )
