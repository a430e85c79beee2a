"""Insights, their evidence, routing rules and the boards insights are routed to.

A card on a board is a placement of an insight, never a copy of it: the statement, the
evidence, comments and quote uses all hang off the one Insight row, so every board an
insight is on shows the same thing at once. Rules live in services/; this module holds
fields, constraints and tiny properties.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from studies.common.models import BaseModel
from studies.fieldwork.models import Observation, Photo, Tag, TagGroup
from studies.scheduling.models import ResearchQuestion, Round, Study


class BoardKind(models.TextChoices):
    PRODUCT = "product", _("Product board")
    MARKETING = "marketing", _("Marketing quote bank")


class Column(models.TextChoices):
    NEW = "new", _("New")
    EXPLORING = "exploring", _("Exploring")
    PLANNED = "planned", _("Planned")
    SHIPPED = "shipped", _("Shipped")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    USED = "used", _("Used in copy")
    PARKED = "parked", _("Parked")


# The columns each kind of board has, in the order they are shown.
COLUMNS: dict[str, tuple[str, ...]] = {
    BoardKind.PRODUCT: (
        Column.NEW,
        Column.EXPLORING,
        Column.PLANNED,
        Column.SHIPPED,
        Column.PARKED,
    ),
    BoardKind.MARKETING: (Column.NEW, Column.SHORTLISTED, Column.USED, Column.PARKED),
}

# Reaching one of these is a decision: what "time from observation to decision" measures.
DECISION_COLUMNS = frozenset({Column.PLANNED, Column.SHIPPED, Column.USED})


class Board(BaseModel):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=BoardKind.choices)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def columns(self) -> tuple[str, ...]:
        return COLUMNS[self.kind]


class Insight(BaseModel):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="insights")
    statement = models.CharField(
        _("statement"), max_length=300, help_text=_("One sentence: what we learned.")
    )
    description = models.TextField(_("description"), blank=True)
    research_question = models.ForeignKey(
        ResearchQuestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="insights",
        verbose_name=_("answers the research question"),
    )
    tags = models.ManyToManyField(Tag, through="InsightTag", related_name="insights")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept up to date by the evidence services so a board page of cards needs no joins
    # across evidence, visits and rounds.
    evidence_count = models.PositiveIntegerField(default=0)
    household_count = models.PositiveIntegerField(default=0)
    round_count = models.PositiveIntegerField(default=0)
    latest_round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cover_photo = models.ForeignKey(
        Photo, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_observed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["study", "-updated_at"])]

    def __str__(self) -> str:
        return self.statement


class InsightTag(models.Model):
    insight = models.ForeignKey(Insight, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["insight", "tag"], name="tag_insight_once")]

    def __str__(self) -> str:
        return f"{self.tag} on {self.insight_id}"


class Evidence(BaseModel):
    """An observation (note, quote, answer) or a photo that backs an insight."""

    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="evidence")
    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    photo = models.ForeignKey(
        Photo, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = _("evidence")
        ordering = ["insight", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(observation__isnull=False) & Q(photo__isnull=True))
                | (Q(observation__isnull=True) & Q(photo__isnull=False)),
                name="evidence_is_an_observation_or_a_photo",
            ),
            models.UniqueConstraint(
                fields=["insight", "observation"],
                condition=Q(observation__isnull=False),
                name="observation_evidence_once",
            ),
            models.UniqueConstraint(
                fields=["insight", "photo"],
                condition=Q(photo__isnull=False),
                name="photo_evidence_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence for {self.insight_id}"


class RoutingRule(BaseModel):
    """When an insight carries a tag (or any tag of a group), it goes to a board.

    A tag belongs to one study already; a group rule may be limited to one study.
    """

    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="rules", verbose_name=_("board")
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    tag_group = models.CharField(
        _("tag group"), max_length=32, choices=TagGroup.choices, blank=True
    )
    study = models.ForeignKey(
        Study,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("Leave empty to route insights of every study."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["board", "tag_group", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(tag__isnull=False) & Q(tag_group=""))
                | (Q(tag__isnull=True) & ~Q(tag_group="")),
                name="rule_matches_a_tag_or_a_group",
                violation_error_message=_("A rule matches either one tag or one tag group."),
            ),
        ]

    def __str__(self) -> str:
        matched = self.tag.name if self.tag_id else self.get_tag_group_display()
        return f"{matched} → {self.board}"


class BoardCard(BaseModel):
    """An insight's place on a board. Kept, with its history, when a rule takes it off."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="cards")
    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="cards")
    # The insight's study, copied (an insight never changes study): a board page keeps to
    # the viewer's studies and counts its columns from the card index alone, with no join.
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    column = models.CharField(
        _("column"), max_length=16, choices=Column.choices, default=Column.NEW
    )
    moved_at = models.DateTimeField(_("moved at"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(_("taken off the board at"), null=True, blank=True)

    class Meta:
        ordering = ["board", "-moved_at"]
        constraints = [
            models.UniqueConstraint(fields=["board", "insight"], name="insight_once_per_board")
        ]
        indexes = [
            # A page of one column, and a page of the whole board, without sorting the board.
            models.Index(
                fields=["board", "column", "-moved_at", "id"],
                condition=Q(removed_at__isnull=True),
                name="card_on_board_column",
            ),
            models.Index(
                fields=["board", "-moved_at", "id"],
                condition=Q(removed_at__isnull=True),
                name="card_on_board",
            ),
            models.Index(
                fields=["board", "study", "column"],
                condition=Q(removed_at__isnull=True),
                name="card_count_by_column",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insight} on {self.board} ({self.column})"


class CardEvent(BaseModel):
    """What happened to a card: placed, moved between columns, taken off, put back."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("Placed on the board")
        MOVED = "moved", _("Moved")
        REMOVED = "removed", _("Taken off the board")
        RESTORED = "restored", _("Put back on the board")

    card = models.ForeignKey(BoardCard, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_column = models.CharField(max_length=16, choices=Column.choices, blank=True)
    to_column = models.CharField(max_length=16, choices=Column.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["card", "created_at"]

    def __str__(self) -> str:
        columns = " → ".join(column for column in (self.from_column, self.to_column) if column)
        return f"{self.get_kind_display()}: {columns}"


class Comment(BaseModel):
    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["insight", "created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class QuoteUse(BaseModel):
    """Where marketing used a verbatim quote, so reuse is visible to everyone."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="uses")
    campaign = models.CharField(_("campaign"), max_length=200)
    link = models.URLField(_("link"), max_length=500, blank=True)
    used_on = models.DateField(_("used on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["observation", "-used_on"]

    def __str__(self) -> str:
        return f"{self.campaign} ({self.used_on})"


class Webhook(BaseModel):
    """An endpoint told when an insight lands on a board or changes column."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        help_text=_("Each delivery is signed with HMAC-SHA256 of this secret."),
    )
    board = models.ForeignKey(
        Board,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        help_text=_("Leave empty to hear about every board."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(BaseModel):
    """One event sent to one webhook, with every attempt's outcome: the delivery log."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # What the delivery announces; kept (as null) in the log if the card's history goes.
    card_event = models.ForeignKey(
        CardEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    event = models.CharField(max_length=32)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            # Announcing the same event twice (a retried task) never sends it twice.
            models.UniqueConstraint(
                fields=["webhook", "card_event"], name="webhook_hears_an_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"
