"""Closing the loop: pressure tests of insights, and the weekly digests sent to teams.

Trends and loop health are read from the data the other apps keep (rounds, visits,
observations, evidence, card history, quote uses) and are stored nowhere, so they cannot
drift from it. Rules live in services/; this module holds fields and constraints.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from studies.common.models import BaseModel
from studies.common.roles import Role
from studies.synthesis.models import BoardKind, Insight

SCORE_MIN, SCORE_MAX = 1, 5
_SCALE = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


class ReviewTeam(models.TextChoices):
    PRODUCT = Role.PRODUCT.value, Role.PRODUCT.label
    MARKETING = Role.MARKETING.value, Role.MARKETING.label
    SALES = Role.SALES.value, Role.SALES.label


class PressureTest(BaseModel):
    """An insight put up to be scored by several teams, as a tightly scoped need is tested
    before anyone builds for it or writes copy about it."""

    insight = models.OneToOneField(Insight, on_delete=models.CASCADE, related_name="pressure_test")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept up to date by the review services so boards show and sort by it without joins.
    score = models.DecimalField(_("score"), max_digits=3, decimal_places=2, null=True, blank=True)
    teams_scored = models.PositiveSmallIntegerField(_("teams that scored"), default=0)
    completed_at = models.DateTimeField(_("complete since"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Pressure test of {self.insight}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class PressureReview(BaseModel):
    """One reviewer's scores, for the team of their role in the insight's study."""

    test = models.ForeignKey(PressureTest, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pressure_reviews"
    )
    team = models.CharField(_("team"), max_length=32, choices=ReviewTeam.choices)
    importance = models.PositiveSmallIntegerField(_("importance to customers"), validators=_SCALE)
    differentiation = models.PositiveSmallIntegerField(
        _("differentiation from competitors"), validators=_SCALE
    )
    feasibility = models.PositiveSmallIntegerField(_("feasibility"), validators=_SCALE)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["test", "team", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["test", "reviewer"], name="one_review_per_reviewer"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{signal}__gte": SCORE_MIN, f"{signal}__lte": SCORE_MAX}),
                    name=f"review_{signal}_on_the_scale",
                )
                for signal in ("importance", "differentiation", "feasibility")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ({self.get_team_display()}) on {self.test.insight}"


class DigestDelivery(BaseModel):
    """A weekly digest sent to one person for one team: what makes sending it once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    board_kind = models.CharField(max_length=16, choices=BoardKind.choices)
    week_starting = models.DateField()
    cards = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = _("digest deliveries")
        ordering = ["-week_starting"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "board_kind", "week_starting"], name="one_digest_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_board_kind_display()} digest to {self.recipient} ({self.week_starting})"
