"""What the board, insight and quote bank pages share: the way back after a form, and
column names as people read them."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from studies.synthesis.models import Column


def back_to(request: HttpRequest, default: str) -> str:
    """The page a form came from (`next`), if it is one of ours; else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def column_label(value: str) -> str:
    try:
        return str(Column(value).label)
    except ValueError:
        return value
