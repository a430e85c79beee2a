"""One error shape for the whole API: {"errors": {field: [messages]}}.

Services raise Django's ValidationError (field-keyed where a field is at fault);
everything DRF raises is reshaped the same way, so clients parse one format. Nested
input (a list of questions, a list of availability windows) is flattened to keys such
as ``questions[2]`` or ``windows[0].end_time``: the shape stays one level deep.
"""

from contextlib import suppress
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from studies.common.api.parsers import RequestTooLarge
from studies.common.errors import ConflictError
from studies.common.transient import RETRY_AFTER_SECONDS, busy_message, is_transient

NON_FIELD = "non_field_errors"


def django_errors_as_dict(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def _join(prefix: str, key: object) -> str:
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return f"{prefix}[{key}]"
    if not prefix or key == NON_FIELD:
        return prefix or str(key)
    return f"{prefix}.{key}"


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub[0]": ["message", ...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            for field, messages in flatten_errors(value, _join(prefix, key)).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            inner_prefix = prefix if isinstance(item, str) else _join(prefix, index)
            for field, messages in flatten_errors(item, inner_prefix).items():
                flat.setdefault(field, []).extend(messages)
    else:
        flat[prefix or NON_FIELD] = [str(detail)]
    return flat


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if is_transient(exc):
        return _busy_response()
    if isinstance(exc, DjangoValidationError):
        code = (
            status.HTTP_409_CONFLICT
            if isinstance(exc, ConflictError)
            else status.HTTP_400_BAD_REQUEST
        )
        return Response({"errors": django_errors_as_dict(exc)}, status=code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django's own limits, met while parsing a form: a client mistake, not a 500.
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has too many fields or files."))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
    else:
        errors = {"detail": [str(exc.detail)]}
    response.data = {"errors": errors}
    return response


def _busy_response() -> Response:
    """503 for a dependency out of reach for a moment (studies.common.transient)."""
    with suppress(Exception):
        # The request's transaction, if any, must not commit what it got to: the database
        # that failed may not even take the rollback, which then happens as it closes.
        set_rollback()
    return Response(
        {"errors": {"service": [busy_message()]}},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class ErrorOutputSerializer(serializers.Serializer):
    """The body of every 4xx answer, documented once in the OpenAPI schema."""

    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            'Messages per field, e.g. {"window_end": ["The window must not end before it '
            'starts."]}. "non_field_errors" holds messages about the request as a whole and '
            '"detail" those about authentication, permission or a missing object.'
        ),
    )
