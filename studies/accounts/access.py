"""The only way views and pages reach an API token: a person reaches their own only."""

import uuid

from django.http import Http404

from studies.accounts.models import ApiToken
from studies.common.models import User


def api_token_get_for_user(*, user: User, token_id: uuid.UUID | str) -> ApiToken:
    """The user's token; someone else's answers the same 404 as one that does not exist."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    token = ApiToken.objects.filter(pk=token_id, user=user).select_related("user").first()
    if token is None:
        raise Http404
    return token
