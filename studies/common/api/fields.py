"""Input fields that take a value only as the JSON type the schema gives for it.

DRF's own fields coerce: a CharField stores the number 12345 as "12345", a UUIDField
turns 5 into 00000000-0000-0000-0000-000000000005 and an IntegerField reads "7" as 7.
A value of the wrong type is a client's bug or a probe; storing a coerced copy of it hides
the bug and answers the probe. These refuse it, with a message naming the type received,
so it is reported by field like any other invalid value.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.utils import html

from studies.common.api.schema import NamedChoiceField

# bool before numbers: in Python, True is an int too.
_JSON_TYPES: tuple[tuple[type | tuple[type, ...], Promise], ...] = (
    (bool, _("true or false")),
    (int, _("a whole number")),
    (float, _("a decimal number")),
    (str, _("a string")),
    ((list, tuple), _("a list")),
    (Mapping, _("an object")),
)


def json_type_name(value: object) -> str:
    """How a value read from JSON is named in a message: "a number", "a list", …"""
    for types, name in _JSON_TYPES:
        if isinstance(value, types):
            return str(name)
    return type(value).__name__


class StringOnlyMixin(serializers.Field):
    """Refuses anything but a string before the field reads it."""

    default_error_messages = {"not_a_string": _("Expected a string, not {kind}.")}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string", kind=json_type_name(data))
        return super().to_internal_value(data)


class StrictCharField(StringOnlyMixin, serializers.CharField):
    """Text, given as a string: never a number or true/false written as text."""


class StrictRegexField(StringOnlyMixin, serializers.RegexField):
    """A string matching a pattern: a number is not written out to be matched."""


class StrictUUIDField(StringOnlyMixin, serializers.UUIDField):
    """An id, given as a string: a number is not read as the UUID with that value."""


class StrictNamedChoiceField(StringOnlyMixin, NamedChoiceField):
    """One of a choices class's values, given as a string."""


class StrictIntegerField(serializers.IntegerField):
    """A whole number, given as a JSON number: never a string of digits, true/false or a
    decimal. A form (an endpoint may take one too) carries every value as a string, so
    from a form the digits are read."""

    default_error_messages = {"not_an_integer": _("Expected a whole number, not {kind}.")}

    def to_internal_value(self, data: Any) -> int:
        from_form = html.is_html_input(getattr(self.root, "initial_data", None))
        if not (from_form and isinstance(data, str)) and (
            isinstance(data, bool) or not isinstance(data, int)
        ):
            self.fail("not_an_integer", kind=json_type_name(data))
        return super().to_internal_value(data)
