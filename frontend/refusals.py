"""How every page turns a service's refusal into an answer: the status (400 for bad input,
409 for a clash with the current state) and the messages to show."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from studies.common.errors import ConflictError


def status_for(error: ValidationError) -> int:
    return 409 if isinstance(error, ConflictError) else 400


def errors_of(error: ValidationError) -> dict[str, list[str]]:
    """Messages by field; those about the request as a whole under ""."""
    if hasattr(error, "error_dict"):
        return {key: [str(m) for m in values] for key, values in error.message_dict.items()}
    return {"": [str(message) for message in error.messages]}


def messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def flash_refusal(request: HttpRequest, error: ValidationError) -> int:
    """Show a refusal's messages above the page that is shown again; returns its status."""
    for message in messages_of(error):
        messages.error(request, message)
    return status_for(error)


class ServiceErrorsMixin:
    """For forms: a service's {field: message} shows next to the field of the same name, and
    anything else above the form."""

    def add_service_error(self, error: ValidationError) -> None:
        for key, field_messages in errors_of(error).items():
            self.add_error(key if key in self.fields else None, field_messages)  # type: ignore[attr-defined]
