import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
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

    def __str__(self) -> str:
        return self.get_full_name() or self.username
