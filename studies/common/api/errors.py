"""One error shape for the whole API: {"errors": {field: [messages]}}.

Services raise Django's ValidationError (field-keyed where a field is at fault);
everything DRF raises is reshaped the same way, so clients parse one format.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from studies.common.errors import ConflictError

NON_FIELD = "non_field_errors"


def django_errors_as_dict(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def _normalise(detail: Any, key: str = NON_FIELD) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {field: _as_messages(value) for field, value in detail.items()}
    return {key: _as_messages(detail)}


def _as_messages(value: Any) -> Any:
    if isinstance(value, dict):
        return {field: _as_messages(inner) for field, inner in value.items()}
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return [str(item) for item in value]
        return [_as_messages(item) for item in value]
    return [str(value)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
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

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    key = NON_FIELD if isinstance(exc, exceptions.ValidationError) else "detail"
    response.data = {"errors": _normalise(response.data if key == NON_FIELD else exc.detail, key)}
    return response
