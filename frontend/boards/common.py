"""What the board, insight and quote bank pages share: refusals as statuses and messages,
the way back after a form, and column names as people read them."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from studies.common.errors import ConflictError
from studies.synthesis.models import Column


def status_for(error: ValidationError) -> int:
    return 409 if isinstance(error, ConflictError) else 400


def errors_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: [str(m) for m in values] for key, values in error.message_dict.items()}
    return {"": [str(message) for message in error.messages]}


def messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


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
