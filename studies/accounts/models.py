import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from studies.common.models import BaseModel

PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    """What is stored and looked up instead of the key: its SHA-256, in hex."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApiToken(BaseModel):
    """A named key an integration sends as `Authorization: Token <key>`.

    Only the SHA-256 of the key is stored: the key is shown once, when it is made, and a
    leaked database does not leak working keys. The prefix lets people tell tokens apart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status_at(self, now: dt.datetime) -> ApiTokenStatus:
        if self.revoked_at is not None:
            return ApiTokenStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return ApiTokenStatus.EXPIRED
        return ApiTokenStatus.ACTIVE

    @property
    def status(self) -> ApiTokenStatus:
        return self.status_at(timezone.now())
