"""What participants asked of us, and the record that it was done.

Privacy sits above the loop's three parts (scheduling ← fieldwork ← synthesis): consent and
erasure change what every one of them shows, so their writes are orchestrated here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from studies.common.models import BaseModel
from studies.scheduling.models import Household


class Erasure(BaseModel):
    """The proof that a household's erasure request was carried out (docs/privacy.md).

    It keeps the pseudonym and what was removed, never what the removed data said.
    """

    household = models.OneToOneField(
        Household, on_delete=models.PROTECT, related_name="erasure", verbose_name=_("household")
    )
    household_code = models.CharField(_("pseudonym code"), max_length=32)
    requested_on = models.DateField(_("request received on"))
    reference = models.CharField(
        _("request reference"),
        max_length=200,
        blank=True,
        help_text=_("Where the request came from, e.g. a ticket number (no personal data)."),
    )
    performed_by_username = models.CharField(_("carried out by"), max_length=150)
    removed = models.JSONField(_("what was removed"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.household_code} erased {self.created_at:%Y-%m-%d}"
