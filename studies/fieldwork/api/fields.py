"""Input fields both capture APIs (the sync and photos) read alike."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.fields import StrictCharField, StringOnlyMixin
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
