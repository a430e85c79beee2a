from django import template

from studies.scheduling.models import VisitStatus

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """A visit status as people read it; history rows store the raw value."""
    try:
        return str(VisitStatus(value).label)
    except ValueError:
        return value
