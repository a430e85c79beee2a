"""Errors raised by services. The API and the pages turn them into 4xx answers."""

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """The request is well formed but clashes with the current state (HTTP 409)."""
