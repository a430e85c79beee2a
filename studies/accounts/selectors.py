"""Reads of API tokens."""

from django.db.models import QuerySet

from studies.accounts.models import ApiToken
from studies.common.models import User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "pk")
