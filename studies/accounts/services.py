"""Every write to API tokens: making one (the only moment its key exists) and revoking it."""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.accounts.models import PREFIX_LENGTH, ApiToken, hash_key
from studies.common.audit import audit_record
from studies.common.models import AuditAction, User

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


def _audit_detail(token: ApiToken) -> dict[str, str]:
    return {"token": str(token.pk), "name": token.name, "prefix": token.prefix}


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for the user and its key, in plain text: show it once, it is not kept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, such as “Zapier export”.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": [_("Use at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}]}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        expires_at=expires_at,
    )
    audit_record(
        actor=user,
        action=AuditAction.TOKEN_CREATED,
        target=f"API token {token.prefix}",
        detail=_audit_detail(token),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """The key stops working at once. Revoking a revoked token changes nothing."""
    now = timezone.now()
    # Conditional, so two revokes at once record one revocation between them.
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    token.refresh_from_db(fields=["revoked_at", "updated_at"])
    if revoked:
        audit_record(
            actor=actor,
            action=AuditAction.TOKEN_REVOKED,
            target=f"API token {token.prefix}",
            detail={**_audit_detail(token), "owner": token.user.get_username()},
        )
    return token
