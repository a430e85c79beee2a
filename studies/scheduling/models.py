"""Studies, the household panel, rounds of fieldwork and visits.

Rules live in services.py; this module holds fields, constraints and tiny properties.
"""

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from studies.common.models import BaseModel, validate_time_zone
from studies.common.roles import Role
from studies.scheduling.validators import household_code_validator


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")


class StudyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Study(BaseModel):
    # Set by the access functions: the role of whoever reached this study (not a field).
    viewer_role: str | None

    title = models.CharField(_("title"), max_length=200)
    why = models.TextField(_("why"), help_text=_("The question this study exists to answer."))
    cadence = models.CharField(
        _("cadence"), max_length=16, choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StudyStatus.choices, default=StudyStatus.DRAFT
    )
    planning_lead_days = models.PositiveSmallIntegerField(
        _("planning lead time (days)"),
        default=21,
        validators=[MaxValueValidator(180)],
        help_text=_("How many days before a round's window opens it is planned."),
    )
    visit_minutes = models.PositiveSmallIntegerField(
        _("visit length (minutes)"),
        default=90,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    travel_minutes = models.PositiveSmallIntegerField(
        _("gap between visits (minutes)"), default=30, validators=[MaxValueValidator(240)]
    )
    workday_start = models.TimeField(_("working day starts"), default=dt.time(9, 0))
    workday_end = models.TimeField(_("working day ends"), default=dt.time(18, 0))
    send_original_photos = models.BooleanField(
        _("send photos at full size"),
        default=False,
        help_text=_(
            "Phones scale photos to 2,560 pixels on the longest edge before sending them, "
            "so they go quickly on a slow connection. Tick to send the originals instead."
        ),
    )

    class Meta:
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workday_end__gt=F("workday_start")),
                name="study_workday_ends_after_start",
                violation_error_message=_("The working day must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ResearchQuestion(BaseModel):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["study", "position"]

    def __str__(self) -> str:
        return self.text


class StudyMembership(BaseModel):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["study", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="one_role_per_user_per_study")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.study}"


class Household(BaseModel):
    """A participant household. Its code (`H-014`) is all most people ever see."""

    code = models.CharField(
        _("pseudonym code"), max_length=32, unique=True, validators=[household_code_validator]
    )
    segment = models.JSONField(
        _("segment"),
        default=dict,
        blank=True,
        help_text=_('Free key/values, e.g. {"household size": "4", "region": "north"}.'),
    )
    # How the marketing quote bank attributes a quote, next to the pseudonym: never a name.
    segment_phrase = models.CharField(
        _("segment phrase"),
        max_length=120,
        blank=True,
        help_text=_("How quotes are attributed, e.g. “parent of three, suburban”."),
    )
    # Set when the household's erasure request was carried out (studies.privacy): its
    # personal data, photos and observations are gone and nothing more may be captured.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class HouseholdContact(BaseModel):
    """Personal data, kept apart from the household so it is never loaded by accident."""

    household = models.OneToOneField(Household, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(_("name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    def __str__(self) -> str:
        return f"{self.household.code} contact"


class ConsentKind(models.TextChoices):
    PARTICIPATION = "participation", _("Participation")
    PHOTOS = "photos", _("Photos")
    MARKETING = "marketing", _("Marketing use of quotes")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, at: dt.datetime | None = None) -> "ConsentQuerySet":
        at = at or timezone.now()
        return self.filter(given_at__lte=at).filter(
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at)
        )


class Consent(BaseModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=16, choices=ConsentKind.choices)
    version = models.CharField(_("text version"), max_length=32)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["household", "kind", "-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="consent_withdrawn_after_given",
                violation_error_message=_("Consent cannot be withdrawn before it was given."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household.code}: {self.get_kind_display()} v{self.version}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None and self.withdrawn_at <= timezone.now()

    @property
    def is_in_force(self) -> bool:
        """The same test as ConsentQuerySet.in_force(), for one record already loaded."""
        return self.given_at <= timezone.now() and not self.is_withdrawn


class Enrolment(BaseModel):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="enrolments")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="enrolments")
    left_at = models.DateTimeField(_("left the panel at"), null=True, blank=True)

    class Meta:
        ordering = ["study", "household__code"]
        constraints = [
            models.UniqueConstraint(fields=["study", "household"], name="enrol_household_once")
        ]

    def __str__(self) -> str:
        return f"{self.household.code} in {self.study}"


class Round(BaseModel):
    """One wave of fieldwork, e.g. 2027-Q1, with its window and discussion guide."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="rounds")
    label = models.CharField(_("label"), max_length=32)
    window_start = models.DateField(_("window starts"))
    window_end = models.DateField(_("window ends"))
    planned_automatically = models.BooleanField(default=False)

    class Meta:
        ordering = ["study", "window_start"]
        constraints = [
            models.UniqueConstraint(fields=["study", "label"], name="round_label_unique_in_study"),
            models.CheckConstraint(
                condition=Q(window_end__gte=F("window_start")),
                name="round_window_ends_after_start",
                violation_error_message=_("The window must not end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study} {self.label}"


class GuideQuestionQuerySet(models.QuerySet["GuideQuestion"]):
    def asked(self) -> "GuideQuestionQuerySet":
        """The questions of the guide as it stands, in order: those taken off it (kept
        for their answers) left out."""
        return self.filter(position__isnull=False).order_by("position")


class GuideQuestion(BaseModel):
    """A question of a round's discussion guide.

    `key` is the question's identity across rounds: planning carries a guide into the next
    round as new rows with the same keys, so one question's answers can be read across
    rounds. A question that has answers is never deleted: taken out of a guide it keeps its
    row with no position (off the guide), and its answers keep their question.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="guide")
    key = models.UUIDField(_("question key"), default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    section = models.CharField(_("section"), max_length=120, blank=True)
    text = models.TextField(_("question"))

    objects = GuideQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="guide_position_unique"),
            models.UniqueConstraint(fields=["round", "key"], name="guide_question_once_a_round"),
        ]
        indexes = [models.Index(fields=["key"])]

    def __str__(self) -> str:
        return self.text


class NextGuideQuestion(BaseModel):
    """A question of the guide a study's next round will ask, as its lead writes it.

    Planning copies this guide into each new round (the same keys, so a question keeps its
    identity across rounds), and a round whose window has not opened follows every change.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="next_guide")
    key = models.UUIDField(_("question key"), default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(_("position"))
    section = models.CharField(_("section"), max_length=120, blank=True)
    text = models.TextField(_("question"))

    class Meta:
        ordering = ["study", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "position"], name="next_guide_position_unique"
            ),
            models.UniqueConstraint(fields=["study", "key"], name="next_guide_question_once"),
        ]

    def __str__(self) -> str:
        return self.text


class Invitation(BaseModel):
    """An e-mail invitation to join a study's team with a role.

    Only the SHA-256 of the link's secret is stored. A link works once, until `expires_at`,
    and not after the lead withdraws it.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["study", "-created_at"]
        constraints = [
            # One open invitation per address per study: inviting again replaces it.
            models.UniqueConstraint(
                fields=["study", "email"],
                condition=Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_invitation_per_email_per_study",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.study} ({self.get_role_display()})"


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# Statuses in which a visit holds the researcher's time.
BOOKED_STATUSES = (VisitStatus.SCHEDULED, VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED)


class Visit(BaseModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="visits")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits"
    )
    scheduled_start = models.DateTimeField(_("starts"))
    scheduled_end = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheduled_end__gt=F("scheduled_start")),
                name="visit_ends_after_start",
                violation_error_message=_("A visit must end after it starts."),
            ),
            # One live visit per household per round: what keeps planning idempotent.
            models.UniqueConstraint(
                fields=["round", "household"],
                condition=~Q(status__in=["cancelled", "no_show"]),
                name="one_live_visit_per_household_per_round",
            ),
        ]
        indexes = [models.Index(fields=["researcher", "scheduled_start"])]

    def __str__(self) -> str:
        return f"{self.household.code} · {self.round.label} · {self.scheduled_start:%Y-%m-%d %H:%M}"


class VisitChange(BaseModel):
    """History of a visit: every status change, move and reassignment, never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        MOVED = "moved", _("Moved or reassigned")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    from_start = models.DateTimeField(null=True, blank=True)
    from_end = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)
    to_end = models.DateTimeField(null=True, blank=True)
    from_researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["visit", "created_at"]


class Availability(BaseModel):
    """When a researcher can do visits: weekly hours, in the visited study's time zone.

    A researcher with no rows is available throughout each study's working day.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        verbose_name_plural = _("availability")
        ordering = ["researcher", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="availability_ends_after_start",
                violation_error_message=_("Availability must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.researcher} {self.get_weekday_display()} {self.start_time}–{self.end_time}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(BaseModel):
    """A researcher's private iCalendar URL. Revoking it makes the old URL stop working."""

    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["researcher", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["researcher"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_calendar_feed_per_researcher",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.researcher}"


class CalendarDeparture(BaseModel):
    """A visit that left a researcher's calendar feed: it was handed to someone else.

    Her feed goes on listing it, cancelled, for a while (selectors.DEPARTED_EVENTS_KEPT):
    a calendar app that missed the change keeps an event that simply stops being listed,
    but takes one marked cancelled off the calendar. The visit is named by its UUID, not a
    foreign key, so the departure outlives the visit should it be deleted. The rest is the
    event as her feed showed it, pseudonyms only (docs/adr/0006).
    """

    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_departures"
    )
    visit_uuid = models.UUIDField()
    household_code = models.CharField(max_length=32)
    study_title = models.CharField(max_length=200)
    scheduled_start = models.DateTimeField()
    scheduled_end = models.DateTimeField()
    # The event's SEQUENCE: above every version of it her feed showed (services/calendar.py).
    sequence = models.PositiveIntegerField()
    departed_at = models.DateTimeField()

    class Meta:
        ordering = ["researcher", "scheduled_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["researcher", "visit_uuid"], name="one_calendar_departure_per_visit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_code} left the calendar of {self.researcher}"


class PanelImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")


class PanelImport(BaseModel):
    """A spreadsheet of households on its way into a study's panel.

    The file's cells are kept (`cells`, not the file) from the upload until the import:
    checking them makes the preview (`rows`, every row's outcome and problems), and
    confirming checks them again against the panel as it is then and imports them all, or
    nothing. After the import the names and contacts are cleared from both.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="panel_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveIntegerField(_("file size (bytes)"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PanelImportStatus.choices,
        default=PanelImportStatus.CHECKING,
    )
    # The language the lead works in: the problems are written in it.
    language = models.CharField(max_length=16, blank=True)
    header = models.JSONField(default=list, blank=True)
    cells = models.JSONField(default=list, blank=True)  # [[line number, [cell, …]], …]
    file_problems = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["study", "-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.study}"

    @property
    def has_problems(self) -> bool:
        return bool(self.file_problems) or self.problem_count > 0
