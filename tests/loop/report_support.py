"""Fieldwork for round report tests: three rounds, three households, two quotes."""

import datetime as dt
from dataclasses import dataclass

from studies.fieldwork.models import Observation, ObservationKind
from studies.privacy.services import consent_withdraw
from studies.scheduling.models import ConsentKind, Household, Round, VisitStatus
from studies.synthesis.services.insights import insight_create
from tests.conftest import Team, enrol_consenting
from tests.factories import ConsentFactory, ObservationFactory, RoundFactory, VisitFactory

SECRET_NAME = "Prudence Quigley"


@dataclass
class Fieldwork:
    team: Team
    households: list[Household]
    first: Round  # all three households visited
    second: Round  # [0] and [1] visited, [2] still to come
    upcoming: Round  # nothing visited yet
    quotes: list[Observation]  # in `second`: [0] by households[0], [1] by households[1]


def visit(round_: Round, household: Household, team: Team, status=VisitStatus.COMPLETED):
    start = dt.datetime.combine(round_.window_start, dt.time(10), tzinfo=dt.UTC)
    return VisitFactory(
        round=round_,
        household=household,
        researcher=team.researcher,
        scheduled_start=start,
        status=status,
    )


def build_fieldwork(team: Team) -> Fieldwork:
    study = team.study
    households = enrol_consenting(study, 3)
    households[0].contact.name = SECRET_NAME
    households[0].contact.save()
    households[0].segment_phrase = "parent of three, suburban"
    households[0].save()
    first, second, upcoming = (
        RoundFactory(
            study=study,
            label=label,
            window_start=start,
            window_end=start + dt.timedelta(days=89),
        )
        for label, start in [
            ("2026-Q2", dt.date(2026, 4, 1)),
            ("2026-Q3", dt.date(2026, 7, 1)),
            ("2027-Q1", dt.date(2027, 1, 1)),
        ]
    )
    for household in households:
        visit(first, household, team)
    visit(upcoming, households[0], team, status=VisitStatus.SCHEDULED)
    quotes = [
        ObservationFactory(
            visit=visit(second, household, team),
            kind=ObservationKind.QUOTE,
            text=f"The freezer is a black hole ({index}).",
        )
        for index, household in enumerate(households[:2])
    ]
    visit(second, households[2], team, status=VisitStatus.SCHEDULED)
    return Fieldwork(team, households, first, second, upcoming, quotes)


def build_fieldwork_with_an_insight(team: Team) -> Fieldwork:
    """The fieldwork, with both quotes of the second round backing one insight."""
    fieldwork = build_fieldwork(team)
    insight_create(
        study=team.study,
        actor=team.lead,
        statement="The freezer is where food goes to be forgotten.",
        observation_ids=[quote.pk for quote in fieldwork.quotes],
    )
    return fieldwork


def withdrawn_marketing_consent(fieldwork: Fieldwork) -> None:
    """Both quoting households consented to marketing use; households[0] then withdrew."""
    consents = [
        ConsentFactory(household=household, kind=ConsentKind.MARKETING)
        for household in fieldwork.households[:2]
    ]
    consent_withdraw(consent=consents[0], actor=fieldwork.team.lead)
