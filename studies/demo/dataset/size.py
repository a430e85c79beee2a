"""How much to generate, and what a finished run reports."""

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class DatasetSize:
    households: int = 2000
    studies: int = 10
    rounds_per_study: int = 4
    observations: int = 100_000
    insights: int = 10_000
    photos: int = 20_000

    def scaled(self, factor: float) -> "DatasetSize":
        """Households, observations, insights and photos times `factor`; studies and
        rounds stay, so a smaller dataset has the same shape with less in it."""
        return replace(
            self,
            households=max(1, round(self.households * factor)),
            observations=round(self.observations * factor),
            insights=round(self.insights * factor),
            photos=round(self.photos * factor),
        )

    def problems(self) -> list[str]:
        """What makes this size impossible to build, in words; empty when it is fine."""
        problems = []
        if self.studies < 1 or self.rounds_per_study < 1:
            problems.append(_("A dataset needs at least one study with at least one round."))
        if min(self.households, self.observations, self.insights, self.photos) < 0:
            problems.append(_("Counts cannot be negative."))
        if self.households < self.studies:
            problems.append(
                _("Each study needs a household: ask for at least %(count)d households.")
                % {"count": self.studies}
            )
        if self.insights and self.observations < 2 * self.studies:
            problems.append(
                _("Insights need two observations each in every study: ask for at least %(count)d.")
                % {"count": 2 * self.studies}
            )
        return problems


@dataclass
class DatasetSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    logins: list[str] = field(default_factory=list)
