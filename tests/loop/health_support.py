"""Building the observation-to-decision chain at chosen moments, for the loop health tests.

Every write goes through the services the app uses; `time_machine` puts each one at the
moment a test names, so the arithmetic the tests assert is exact.
"""

import datetime as dt
from collections.abc import Iterable

from studies.fieldwork.models import Observation, ObservationKind, TagGroup
from studies.scheduling.models import Household, Round, Visit
from studies.synthesis.models import Board, BoardCard, Insight
from studies.synthesis.services.boards import card_move
from studies.synthesis.services.insights import insight_create, insight_update
from studies.synthesis.services.quotes import quote_use_record
from tests.conftest import Team, enrol_consenting
from tests.factories import ObservationFactory, RoundFactory, TagFactory, VisitFactory

T0 = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)


def days(value: float) -> dt.timedelta:
    return dt.timedelta(days=value)


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


class Chain:
    """A study with three rounds (the last without fieldwork) and a household in each."""

    def __init__(self, team: Team, time_machine) -> None:
        self.team = team
        self.study = team.study
        self.clock = time_machine
        self.households: list[Household] = enrol_consenting(self.study, 2)
        self.rounds: list[Round] = [
            RoundFactory(
                study=self.study,
                label=label,
                window_start=start,
                window_end=start + dt.timedelta(days=89),
            )
            for label, start in [
                ("2026-Q3", dt.date(2026, 7, 1)),
                ("2026-Q4", dt.date(2026, 10, 1)),
                ("2027-Q1", dt.date(2027, 1, 1)),
            ]
        ]
        self.visits: dict[Round, Visit] = {
            round_: VisitFactory(
                round=round_, household=self.households[0], researcher=team.researcher
            )
            for round_ in self.rounds[:2]
        }
        self.pain = TagFactory(
            study=self.study, name="Freezer blindness", group=TagGroup.PAIN_POINT
        )
        self.quotable = TagFactory(
            study=self.study, name="Say it like this", group=TagGroup.QUOTE_WORTHY
        )
        self.product = Board.objects.get(slug="product")
        self.marketing = Board.objects.get(slug="marketing")

    def at(self, moment: dt.datetime) -> None:
        self.clock.move_to(moment, tick=False)

    def observe(
        self,
        *,
        captured: dt.datetime,
        synced: dt.datetime | None = None,
        round_: Round | None = None,
        kind: str = ObservationKind.NOTE,
    ) -> Observation:
        """An observation captured on the device at `captured` and received at `synced`."""
        visit = self.visits[round_ or self.rounds[0]]
        observation = ObservationFactory(visit=visit, kind=kind, captured_at=captured)
        # received_at is auto_now_add: the server's clock when the sync arrived.
        Observation.objects.filter(pk=observation.pk).update(received_at=synced or captured)
        observation.refresh_from_db()
        return observation

    def insight(
        self,
        *,
        made: dt.datetime,
        observations: Iterable[Observation],
        statement: str = "Food gets lost at the back of the freezer.",
    ) -> Insight:
        """An insight made at `made`, untagged: on no board until `route` tags it."""
        self.at(made)
        return insight_create(
            study=self.study,
            actor=self.team.lead,
            statement=statement,
            observation_ids=[o.pk for o in observations],
        )

    def route(self, insight: Insight, *, at: dt.datetime, product=False, marketing=False) -> None:
        """Tag the insight at `at` so the default rules place it on the boards named."""
        self.at(at)
        tags = [
            tag.pk for tag, wanted in ((self.pain, product), (self.quotable, marketing)) if wanted
        ]
        insight_update(insight=insight, actor=self.team.lead, tag_ids=tags)

    def card(self, insight: Insight, board: Board) -> BoardCard:
        return BoardCard.objects.select_related("board").get(insight=insight, board=board)

    def move(self, insight: Insight, board: Board, column: str, *, at: dt.datetime) -> None:
        self.at(at)
        card_move(card=self.card(insight, board), column=column, actor=self.team.lead)

    def use_quote(self, quote: Observation, *, at: dt.datetime) -> None:
        self.at(at)
        quote_use_record(quote=quote, actor=self.team.marketing, campaign="Spring campaign")
