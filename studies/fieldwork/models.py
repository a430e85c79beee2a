"""What researchers capture during a visit: observations, their tags and photos.

Tags live here rather than in synthesis because capture tags items as they are taken;
synthesis builds on the same taxonomy (groups, merging, routing) and depends on this app,
never the other way round (docs/adr/0008-tags-live-with-capture.md).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from studies.common.models import BaseModel
from studies.scheduling.models import Consent, ConsentKind, GuideQuestion, Study, Visit


class TagGroup(models.TextChoices):
    PAIN_POINT = "pain_point", _("Pain point")
    WORKAROUND = "workaround", _("Workaround")
    DELIGHT = "delight", _("Delight")
    FEATURE_IDEA = "feature_idea", _("Feature idea")
    QUOTE_WORTHY = "quote_worthy", _("Quote-worthy")
    UNMET_NEED = "unmet_need", _("Unmet need")


class Tag(BaseModel):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=80)
    group = models.CharField(_("group"), max_length=32, choices=TagGroup.choices, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#5b6b7f")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["study", "name"]
        constraints = [
            # "Leftovers" and "leftovers" are one tag: capture matches names without case.
            models.UniqueConstraint(Lower("name"), "study", name="tag_name_unique_in_study_ci")
        ]

    def __str__(self) -> str:
        return self.name


class ObservationKind(models.TextChoices):
    NOTE = "note", _("Note")
    QUOTE = "quote", _("Verbatim quote")
    ANSWER = "answer", _("Answer to a guide question")


class Observation(BaseModel):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="observations")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ObservationKind.choices)
    text = models.TextField(_("text"))
    speaker = models.CharField(
        _("who said it"), max_length=100, blank=True, help_text=_("e.g. “mother, 40s”")
    )
    guide_question = models.ForeignKey(
        GuideQuestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    # The question's wording when it was answered: a question reworded later keeps, for
    # the answers it already has, the words they were given to. Nullable only so that
    # adding it kept SQLite's table (and the search triggers on it) instead of rebuilding it.
    question_text = models.TextField(_("question as asked"), null=True, blank=True)  # noqa: DJ001
    tags = models.ManyToManyField(Tag, through="ObservationTag", related_name="observations")
    # Made on the device when the item is captured: what makes a sync exactly-once.
    device_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    captured_at = models.DateTimeField(_("captured on the device at"))
    # Device time of the latest applied edit: offline edits apply last-write-wins on it.
    edited_at = models.DateTimeField(_("last edited on the device at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received by the server at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["visit", "captured_at"]
        indexes = [
            models.Index(fields=["visit", "captured_at"]),
            # The quote bank's pages: live quotes, newest first, without sorting them all.
            models.Index(
                fields=["-captured_at", "id"],
                condition=Q(kind="quote", deleted_at__isnull=True),
                name="live_quote_newest_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    @property
    def question(self) -> str:
        """The guide question an answer was given to, in the words it was asked."""
        if self.question_text:
            return self.question_text
        return self.guide_question.text if self.guide_question_id else ""


class ObservationTag(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["observation", "tag"], name="tag_observation_once")
        ]

    def __str__(self) -> str:
        return f"{self.tag} on {self.observation_id}"


class SyncOperation(models.Model):
    """One change sent by a device, remembered so a replay returns the same answer."""

    operation_id = models.UUIDField(primary_key=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, null=True, blank=True, related_name="operations"
    )
    result = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Sync operation {self.operation_id}"


class SyncConflict(BaseModel):
    """An offline edit that met a different version on the server. Kept, never dropped."""

    class Outcome(models.TextChoices):
        INCOMING_APPLIED = "incoming_applied", _("The incoming edit was newer and applied")
        INCOMING_IGNORED = "incoming_ignored", _("The server's version was newer and kept")

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="conflicts")
    operation_id = models.UUIDField()
    outcome = models.CharField(max_length=32, choices=Outcome.choices)
    incoming = models.JSONField()
    previous = models.JSONField()
    incoming_edited_at = models.DateTimeField()
    previous_edited_at = models.DateTimeField()

    class Meta:
        ordering = ["observation", "created_at"]


MAX_CAPTION_LENGTH = 300


class PhotoStatus(models.TextChoices):
    PENDING = "pending", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PhotoQuerySet(models.QuerySet["Photo"]):
    def consented(self) -> "PhotoQuerySet":
        """Photos whose household's photo consent is in force now, deleted ones included."""
        consented = Consent.objects.in_force().filter(
            kind=ConsentKind.PHOTOS, household_id=OuterRef("visit__household_id")
        )
        return self.filter(Exists(consented))

    def shown(self) -> "PhotoQuerySet":
        """Photos anyone may see: not deleted, and their household's photo consent is in
        force now. Withdrawing that consent hides them everywhere at once; giving it again
        brings them back. Every read of photos for people goes through this."""
        return self.consented().filter(deleted_at__isnull=True)


class Photo(BaseModel):
    """A photo taken in a home. Files are written by the photo pipeline only."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    observation = models.ForeignKey(
        Observation, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="photos"
    )
    device_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    caption = models.CharField(_("caption"), max_length=MAX_CAPTION_LENGTH, blank=True)
    tags = models.ManyToManyField(Tag, through="PhotoTag", related_name="photos")
    captured_at = models.DateTimeField(_("captured on the device at"))
    # Device time of the latest applied edit of its caption, tags or note: offline edits
    # apply last-write-wins on it, as observations' do.
    edited_at = models.DateTimeField(_("last edited on the device at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received by the server at"), auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=PhotoStatus.choices, default=PhotoStatus.PENDING
    )
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The upload as received, kept until processing succeeds; never served.
    upload = models.FileField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Outputs of the pipeline: metadata-free, orientation applied.
    original = models.FileField(max_length=300, blank=True)
    web_webp = models.FileField(max_length=300, blank=True)
    web_jpeg = models.FileField(max_length=300, blank=True)
    thumb_webp = models.FileField(max_length=300, blank=True)
    thumb_jpeg = models.FileField(max_length=300, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["visit", "captured_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""),
                name="failed_photo_has_a_reason",
            )
        ]

    def __str__(self) -> str:
        return self.caption or str(self.id)


class PhotoTag(models.Model):
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["photo", "tag"], name="tag_photo_once")]

    def __str__(self) -> str:
        return f"{self.tag} on {self.photo_id}"


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", _("Receiving")
    COMPLETE = "complete", _("Complete")


class PhotoUpload(BaseModel):
    """A resumable upload (tus 1.0 core with the checksum idea): bytes arrive in chunks at
    offsets until `length` is reached, then the SHA-256 declared at creation is checked."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="+")
    device_id = models.UUIDField(unique=True, help_text=_("The photo's id made on the device."))
    length = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(max_length=MAX_CAPTION_LENGTH, blank=True)
    # Tag names chosen at capture, given to the photo when the last byte arrives.
    tag_names = models.JSONField(default=list, blank=True)
    captured_at = models.DateTimeField()
    observation_device_id = models.UUIDField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.RECEIVING
    )
    photo = models.OneToOneField(
        Photo, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(offset__lte=models.F("length")), name="offset_within_length"
            )
        ]
