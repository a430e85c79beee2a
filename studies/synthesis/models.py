"""The study-wide tag taxonomy that observations and, later, insights carry."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from studies.common.models import BaseModel
from studies.fieldwork.models import Observation
from studies.scheduling.models import Study


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
    observations = models.ManyToManyField(
        Observation, through="ObservationTag", related_name="tags", blank=True
    )

    class Meta:
        ordering = ["study", "name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="tag_name_unique_in_study")
        ]

    def __str__(self) -> str:
        return self.name


class ObservationTag(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["observation", "tag"], name="tag_observation_once")
        ]

    def __str__(self) -> str:
        return f"{self.tag} on {self.observation_id}"
