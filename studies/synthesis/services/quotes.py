"""Recording where marketing used a verbatim quote."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.common.models import User
from studies.fieldwork.models import Observation
from studies.synthesis import policies
from studies.synthesis.models import BoardCard, BoardKind, QuoteUse
from studies.synthesis.services.boards import card_move


@transaction.atomic
def quote_use_record(
    *,
    quote: Observation,
    actor: User,
    campaign: str,
    link: str = "",
    used_on: dt.date | None = None,
) -> QuoteUse:
    errors: dict[str, str] = {}
    campaign = " ".join(campaign.split())
    if not campaign:
        errors["campaign"] = _("Name the campaign or piece of copy.")
    link = link.strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["link"] = _("Give the link as a full http(s) address.")
    if used_on and used_on > timezone.localdate() + dt.timedelta(days=366):
        errors["used_on"] = _("That date is more than a year away.")
    if errors:
        raise ValidationError(errors)
    use = QuoteUse.objects.create(
        observation=quote,
        campaign=campaign,
        link=link,
        used_on=used_on or timezone.localdate(),
        recorded_by=actor,
    )
    _move_marketing_cards(quote=quote, actor=actor, campaign=campaign)
    return use


def _move_marketing_cards(*, quote: Observation, actor: User, campaign: str) -> None:
    """A recorded use is a marketing decision: the cards of the insights the quote backs go
    into the board's decision column, from an earlier one (policies.column_after_quote_use),
    with the move in their history."""
    cards = BoardCard.objects.filter(
        insight__evidence__observation=quote,
        board__kind=BoardKind.MARKETING,
        removed_at__isnull=True,
    ).select_related("board")
    for card in cards.distinct():
        target = policies.column_after_quote_use(board_kind=card.board.kind, column=card.column)
        if target is not None:
            card_move(
                card=card,
                column=target,
                actor=actor,
                note=_("A quote was used in %(campaign)s.") % {"campaign": campaign},
            )
