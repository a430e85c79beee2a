import functools
import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA zone names the server knows, sorted. Read once: finding them walks the tz
    database's files, too slow for every form that shows or checks a zone."""
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            _("%(value)s is not a known time zone (use an IANA name such as Europe/London)."),
            params={"value": value},
            code="invalid_time_zone",
        )


class BaseModel(models.Model):
    """UUID primary keys so URLs never expose sequential ids, plus audit timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who signs in: researcher, lead, product designer, marketer or admin.

    Roles are per study (see scheduling.StudyMembership); the time zone is the user's own,
    used to show times wherever no study's zone applies.
    """

    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    weekly_digest = models.BooleanField(
        _("weekly digest"),
        default=True,
        help_text=_("A Monday e-mail with what landed on the boards of your team."),
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AuditAction(models.TextChoices):
    """What the audit log records: reads and changes of what participants trust us with."""

    PERSONAL_DATA_VIEWED = "personal_data.viewed", _("Personal data viewed")
    PERSONAL_DATA_EXPORTED = "personal_data.exported", _("Personal data exported")
    PERSONAL_DATA_CHANGED = "personal_data.changed", _("Personal data changed")
    CONSENT_GIVEN = "consent.given", _("Consent given")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
    HOUSEHOLD_ERASED = "household.erased", _("Household erased")
    QUOTES_EXPORTED = "quotes.exported", _("Quotes exported")
    ROLE_GRANTED = "role.granted", _("Role granted")
    ROLE_CHANGED = "role.changed", _("Role changed")
    ROLE_REVOKED = "role.revoked", _("Role revoked")
    STAFF_CHANGED = "staff.changed", _("Administrator rights changed")
    ROUTING_RULE_CREATED = "routing_rule.created", _("Routing rule created")
    ROUTING_RULE_CHANGED = "routing_rule.changed", _("Routing rule changed")
    ROUTING_RULE_DELETED = "routing_rule.deleted", _("Routing rule deleted")
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
    LOCKOUT_LIFTED = "lockout.lifted", _("Sign-in lock-out lifted")
    AUDIT_EXPORTED = "audit.exported", _("Audit log exported")
    INVITATION_SENT = "invitation.sent", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_WITHDRAWN = "invitation.withdrawn", _("Invitation withdrawn")
    PASSWORD_RESET_REQUESTED = "password_reset.requested", _("Password reset requested")
    PASSWORD_RESET_COMPLETED = "password_reset.completed", _("Password reset completed")
    PANEL_IMPORTED = "panel.imported", _("Households imported into a panel")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # The log is append-only: bulk changes are refused like single ones.
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One entry of the append-only audit log.

    It names people and objects by value (username, study id, household pseudonym), not by
    foreign key, so that erasing a household or deleting a user never rewrites history, and
    it never holds personal data itself.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # No database constraint and nothing done on delete: deleting a user must not rewrite
    # the log, which keeps their username beside the id.
    actor = models.ForeignKey(
        "common.User",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    study_id = models.UUIDField(_("study"), null=True, blank=True, db_index=True)
    target = models.CharField(
        _("target"), max_length=200, blank=True, help_text=_("What it concerned, by pseudonym.")
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["action", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")
