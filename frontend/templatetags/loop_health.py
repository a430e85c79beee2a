from datetime import timedelta

from django import template

from studies.loop.selectors.health import duration_text

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A duration as people read it: "3 days 4 h", "45 min", "—"."""
    return duration_text(value)
