"""Households, rounds and what they showed, built for trend tests (selector, API, pages)."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from studies.fieldwork.models import Observation, ObservationKind, Photo, PhotoStatus, Tag, TagGroup
from studies.scheduling.models import ConsentKind, Household, Round, Visit, VisitStatus
from studies.synthesis.models import BoardKind, Column, Insight
from studies.synthesis.services import boards, insights
from tests.conftest import Team, enrol_consenting
from tests.factories import (
    ConsentFactory,
    ObservationFactory,
    RoundFactory,
    TagFactory,
    VisitFactory,
)


@dataclass
class Panel:
    team: Team
    households: list[Household]
    visits: dict[tuple, Visit] = field(default_factory=dict)

    @classmethod
    def of(cls, team: Team, size: int, prefix: str = "P") -> "Panel":
        return cls(team=team, households=enrol_consenting(team.study, size, prefix))

    def round(self, label: str, quarter: int, year: int = 2026) -> Round:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year, 3 * quarter, 28)
        return RoundFactory(study=self.team.study, label=label, window_start=start, window_end=end)

    def tag(self, name: str, group: str = "") -> Tag:
        return TagFactory(study=self.team.study, name=name, group=group)

    def visit(
        self, round_: Round, household: Household, status: str = VisitStatus.COMPLETED
    ) -> Visit:
        key = (round_.pk, household.pk, status)
        if key not in self.visits:
            start = dt.datetime.combine(round_.window_start, dt.time(10), tzinfo=dt.UTC)
            self.visits[key] = VisitFactory(
                round=round_,
                household=household,
                researcher=self.team.researcher,
                scheduled_start=start,
                status=status,
            )
        return self.visits[key]

    def visit_all(self, round_: Round, households: list[Household] | None = None) -> None:
        for household in self.households if households is None else households:
            self.visit(round_, household)

    def show(
        self,
        round_: Round,
        households: list[Household],
        *tags: Tag,
        kind: str = ObservationKind.NOTE,
        text: str = "Keeps leftovers in stacked takeaway tubs.",
        status: str = VisitStatus.COMPLETED,
    ) -> list[Observation]:
        """One observation per household in the round, carrying the tags."""
        made = []
        for household in households:
            observation = ObservationFactory(
                visit=self.visit(round_, household, status),
                kind=kind,
                text=text,
                speaker="mother, 40s" if kind == ObservationKind.QUOTE else "",
                captured_at=timezone.now() - dt.timedelta(days=3),
            )
            observation.tags.add(*tags)
            made.append(observation)
        return made

    def photo(self, round_: Round, household: Household) -> Photo:
        return Photo.objects.create(
            visit=self.visit(round_, household),
            author=self.team.researcher,
            caption="The freezer drawer",
            captured_at=timezone.now() - dt.timedelta(days=3),
            status=PhotoStatus.READY,
        )

    def insight(
        self,
        statement: str,
        *,
        observations: list[Observation] = (),
        photos: list[Photo] = (),
        tags: list[Tag] = (),
    ) -> Insight:
        return insights.insight_create(
            study=self.team.study,
            actor=self.team.researcher,
            statement=statement,
            observation_ids=[o.pk for o in observations],
            photo_ids=[p.pk for p in photos],
            tag_ids=[t.pk for t in tags],
        )

    def ship(self, insight: Insight) -> None:
        card = insight.cards.get(board__kind=BoardKind.PRODUCT)
        boards.card_move(card=card, column=Column.SHIPPED, actor=self.team.lead)


@dataclass
class TrendStudy:
    panel: Panel
    rounds: list[Round]  # two visited, oldest first
    upcoming: Round  # no visits held yet
    leftovers: Tag  # grows: 2 of 8, then 5 of 8
    freezer: Tag  # gone in the latest round; its insight shipped
    labels: Tag  # new in the latest round
    shipped: Insight  # "People lose track of the freezer", on Shipped
    growing: Insight  # backed by leftovers in both rounds
    quote: Observation  # a latest-round quote of a household without marketing consent


def trend_study(team: Team) -> TrendStudy:
    """Eight households (four north, four south), two rounds visited and one upcoming."""
    panel = Panel.of(team, 8)
    for index, household in enumerate(panel.households):
        region = "north" if index < 4 else "south"
        household.segment = {"region": region, "household size": str(2 + index % 3)}
        household.segment_phrase = f"{'parent' if index % 2 else 'couple'}, {region}"
        household.save(update_fields=["segment", "segment_phrase"])
    for household in panel.households[:2]:
        ConsentFactory(household=household, kind=ConsentKind.MARKETING)
    first, latest = panel.round("2026-Q1", 1), panel.round("2026-Q2", 2)
    upcoming = panel.round("2026-Q3", 3)
    panel.visit_all(first)
    panel.visit_all(latest)
    leftovers = panel.tag("Leftovers in tubs", TagGroup.WORKAROUND)
    freezer = panel.tag("Freezer blindness", TagGroup.PAIN_POINT)
    labels = panel.tag("Hand-written labels", TagGroup.WORKAROUND)
    north, south = panel.households[:4], panel.households[4:]
    old_leftovers = panel.show(first, [north[0], south[0]], leftovers)
    new_leftovers = panel.show(latest, [*north[:3], *south[:2]], leftovers)
    lost = panel.show(first, north[:3], freezer, text="Finds old bags at the back of the freezer.")
    panel.show(latest, [north[1], south[3]], labels, text="Writes dates on masking tape.")
    quote = panel.show(
        latest,
        [south[1]],
        leftovers,
        kind=ObservationKind.QUOTE,
        text="The tubs pile up until nobody knows what is in them.",
    )[0]
    shipped = panel.insight(
        "People lose track of what is in the freezer.", observations=lost, tags=[freezer]
    )
    panel.ship(shipped)
    growing = panel.insight(
        "Leftovers are kept in tubs nobody can see into.",
        observations=[*old_leftovers, *new_leftovers],
        tags=[leftovers],
    )
    return TrendStudy(
        panel=panel,
        rounds=[first, latest],
        upcoming=upcoming,
        leftovers=leftovers,
        freezer=freezer,
        labels=labels,
        shipped=shipped,
        growing=growing,
        quote=quote,
    )
