"""What researchers capture during a visit: observations and their photos."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from studies.common.models import BaseModel
from studies.scheduling.models import GuideQuestion, Visit


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
    # Made on the device when the item is captured: what makes a sync exactly-once.
    device_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    captured_at = models.DateTimeField(_("captured on the device at"))
    received_at = models.DateTimeField(_("received by the server at"), auto_now_add=True)

    class Meta:
        ordering = ["visit", "captured_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


def photo_upload_to(photo: "Photo", filename: str) -> str:
    # Random names: a media path must never be guessable.
    return f"photos/{photo.observation.visit.round.study_id}/{uuid.uuid4().hex}.jpg"


class Photo(BaseModel):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_upload_to, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)

    class Meta:
        ordering = ["observation", "created_at"]

    def __str__(self) -> str:
        return self.caption or str(self.id)
