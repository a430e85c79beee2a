"""Input fields both capture APIs (the sync and photos) read alike."""

import datetime as dt
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.fields import StrictCharField, StringOnlyMixin
from studies.fieldwork.policies import CAPTURE_DAYS_AROUND_VISIT, CLOCK_GRACE
from studies.fieldwork.services.tags import MAX_TAG_LENGTH, MAX_TAGS
from studies.scheduling.api.serializers.shared import AwareDateTimeField


def tag_names_field(**kwargs: Any) -> serializers.ListField:
    """Tags as capture gives them: names, resolved (or created) in the visit's study by
    studies.fieldwork.services.tags, so they can never be another study's. Each name is a
    string: a number in the list is refused, not turned into a tag named after it."""
    kwargs.setdefault("help_text", _("Tag names; unknown ones are created in the visit's study."))
    return serializers.ListField(
        child=StrictCharField(max_length=MAX_TAG_LENGTH), max_length=MAX_TAGS, **kwargs
    )


class DeviceTimeField(StringOnlyMixin, AwareDateTimeField):
    """A time stamped by a device: an ISO 8601 string with its UTC offset."""


# What policies.captured_at_refusal takes, said once for every capture time the APIs read.
CAPTURE_TIME_BOUNDS = format_lazy(
    _(
        "Refused when more than {grace} minutes ahead of the server's clock, or more than "
        "{days} days before or after the visit's days in its study's time zone (from its "
        "booked or actual start to its booked end or finish; to now while it is in progress)."
    ),
    grace=CLOCK_GRACE // dt.timedelta(minutes=1),
    days=CAPTURE_DAYS_AROUND_VISIT,
)
