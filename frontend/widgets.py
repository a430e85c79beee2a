"""Form widgets drawn in Python, where Django's template-per-widget rendering costs a page
more than its queries: the quote bank draws a small form under each of its quotes, and the
filter menus list every round and tag of the viewer's studies."""

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """As Django's attrs.html writes them: True as a bare name, False and None left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value),)
            for key, value in attrs.items()
            if value is not False and value is not None
        ),
    )


class _DrawnInput:
    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> str:
        widget = context["widget"]
        value = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value,
            _attributes(widget["attrs"]),
        )


class DrawnTextInput(_DrawnInput, forms.TextInput):
    pass


class DrawnURLInput(_DrawnInput, forms.URLInput):
    pass


class DrawnDateInput(_DrawnInput, forms.DateInput):
    pass


class MenuSelect(forms.Select):
    """A single-choice menu of flat choices (no option groups)."""

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> str:
        widget = context["widget"]
        chosen = {str(value) for value in widget["value"]}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, " selected" if str(option) in chosen else "", label)
                for option, label in self.choices
            ),
        )
        attrs = {"name": widget["name"], **widget["attrs"]}
        return format_html("<select{}>{}</select>", _attributes(attrs), options)
