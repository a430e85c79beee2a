"""`Authorization: Token <key>` for integrations, checked against ApiToken.

The key is looked up by its SHA-256, so there is no comparison of secrets whose timing
could leak how much of a guess was right.
"""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from studies.accounts.models import ApiToken, ApiTokenStatus, hash_key
from studies.common.models import User

# Recording every request would turn each read into a write; a minute is close enough for
# "is this token still in use?".
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
MAX_KEY_LENGTH = 100


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:  # the keyword and the key
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: send “Token <key>”, with no spaces in the key.")
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: the key has characters no key has.")
            ) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = None
        if len(key) <= MAX_KEY_LENGTH:
            token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        status = token.status_at(now)
        if status == ApiTokenStatus.REVOKED:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if status == ApiTokenStatus.EXPIRED:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        self._note_use(token, now)
        return token.user, token

    def _note_use(self, token: ApiToken, now: dt.datetime) -> None:
        stale = now - LAST_USED_RESOLUTION
        if token.last_used_at is not None and token.last_used_at > stale:
            return
        # Conditional, so concurrent requests with the same token write once between them.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
        ).update(last_used_at=now)
        token.last_used_at = now

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the header in the schema under the name DRF's own token scheme had."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.keyword
        )
