"""Registering webhook endpoints: a checked name and http(s) URL, an optional board, a secret.

A URL is checked twice: here, when it is saved (so a mistake is told at once), and again by
every delivery (studies.common.outbound), because what a name resolves to can change.
"""

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from studies.common import outbound
from studies.synthesis.models import Board, Webhook

NAME_MAX_LENGTH = Webhook._meta.get_field("name").max_length
URL_MAX_LENGTH = Webhook._meta.get_field("url").max_length


_http_url = URLValidator(schemes=["http", "https"])


def _board(board_id: uuid.UUID | str | None) -> Board | None:
    try:
        return Board.objects.filter(pk=uuid.UUID(str(board_id))).first()
    except ValueError:
        return None


def webhook_validate(
    *,
    name: str,
    url: str,
    board_id: uuid.UUID | str | None,
    stored_url: str | None = None,
) -> tuple[str, str, Board | None]:
    """The cleaned name and URL and the board, or a ValidationError naming each bad field.

    The URL must reach a public address (or one in a network the operator allows). When a
    webhook is changed, its URL as stored is not looked up again if it stays: renaming or
    switching off a webhook must not depend on DNS, and each delivery checks anyway.
    """
    errors: dict[str, str] = {}
    name, url = name.strip(), url.strip()
    if not name:
        errors["name"] = _("Give the webhook a name.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("Keep the name to %(max)d characters.") % {"max": NAME_MAX_LENGTH}
    if len(url) > URL_MAX_LENGTH:
        errors["url"] = _("Keep the address to %(max)d characters.") % {"max": URL_MAX_LENGTH}
    else:
        try:
            _http_url(url)
            if url != stored_url:
                outbound.destination_check(url=url)
        except ValidationError:
            errors["url"] = _("Enter an http:// or https:// address with a host name.")
        except outbound.OutboundRefused as refused:
            errors["url"] = refused.message
    board = _board(board_id) if board_id else None
    if board_id and board is None:
        errors["board"] = _("There is no such board.")
    if errors:
        raise ValidationError(errors)
    return name, url, board


# webhook_create and webhook_update are not atomic on purpose: the URL check may wait on DNS,
# which must not happen inside a transaction (on SQLite, holding the write lock). Each writes
# one row in one statement.
def webhook_create(
    *,
    name: str,
    url: str,
    secret: str = "",
    board_id: uuid.UUID | str | None = None,
    active: bool = True,
) -> Webhook:
    """Register an endpoint. Without a secret one is generated: shown once, then kept."""
    name, url, board = webhook_validate(name=name, url=url, board_id=board_id)
    secret = secret.strip()
    secret_max = Webhook._meta.get_field("secret").max_length
    if len(secret) > secret_max:
        raise ValidationError(
            {"secret": _("Keep the secret to %(max)d characters.") % {"max": secret_max}}
        )
    return Webhook.objects.create(
        name=name,
        url=url,
        secret=secret or secrets.token_urlsafe(32),
        board=board,
        active=active,
    )


def webhook_update(
    *,
    webhook: Webhook,
    name: str,
    url: str,
    board_id: uuid.UUID | str | None,
    active: bool,
) -> Webhook:
    """Change where and what a webhook hears. The secret stays: it is set once at creation."""
    # The row's URL, not the instance's: a form may have set the new one on it already.
    stored_url = Webhook.objects.filter(pk=webhook.pk).values_list("url", flat=True).first()
    name, url, board = webhook_validate(
        name=name, url=url, board_id=board_id, stored_url=stored_url
    )
    webhook.name, webhook.url, webhook.board, webhook.active = name, url, board, active
    webhook.save(update_fields=["name", "url", "board", "active", "updated_at"])
    return webhook
