"""Registering webhook endpoints: a checked name and http(s) URL, an optional board, a secret."""

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

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
    *, name: str, url: str, board_id: uuid.UUID | str | None
) -> tuple[str, str, Board | None]:
    """The cleaned name and URL and the board, or a ValidationError naming each bad field."""
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
        except ValidationError:
            errors["url"] = _("Enter an http:// or https:// address with a host name.")
    board = _board(board_id) if board_id else None
    if board_id and board is None:
        errors["board"] = _("There is no such board.")
    if errors:
        raise ValidationError(errors)
    return name, url, board


@transaction.atomic
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


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    name: str,
    url: str,
    board_id: uuid.UUID | str | None,
    active: bool,
) -> Webhook:
    """Change where and what a webhook hears. The secret stays: it is set once at creation."""
    name, url, board = webhook_validate(name=name, url=url, board_id=board_id)
    webhook.name, webhook.url, webhook.board, webhook.active = name, url, board, active
    webhook.save(update_fields=["name", "url", "board", "active", "updated_at"])
    return webhook
