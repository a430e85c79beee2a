"""The only way views, pages and tasks reach an insight or a board card.

Built on scheduling's access functions: an insight is as visible as its study. Outsiders
get the same 404 for an insight that exists as for one that does not; members whose role
lacks the capability get a 403.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.common.roles import Capability, role_can
from studies.fieldwork.models import Observation, ObservationKind, Tag
from studies.scheduling.access import as_uuid, studies_for_user, study_get_for_user, study_role
from studies.synthesis import selectors
from studies.synthesis.models import Board, BoardCard, BoardKind, Insight

# Who may move cards on each kind of board.
MOVE_CAPABILITY = {
    BoardKind.PRODUCT: Capability.DECIDE_PRODUCT,
    BoardKind.MARKETING: Capability.USE_QUOTES,
}


def insights_for_user(user: User) -> QuerySet[Insight]:
    return Insight.objects.filter(study__in=studies_for_user(user))


def insight_get_for_user(
    *, user: User, insight_id: object, capability: str = Capability.VIEW_STUDY
) -> Insight:
    insight = Insight.objects.select_related("study").filter(pk=as_uuid(insight_id)).first()
    if insight is None:
        raise Http404
    role = insight.study.viewer_role = study_role(user, insight.study_id)
    if role is None:
        raise Http404
    if not role_can(role, capability):
        raise PermissionDenied
    return insight


def board_get_for_user(*, user: User, board: object) -> Board:
    """A board by slug or id. Boards span studies: anyone in a study may open them, and
    sees the cards of the studies they belong to."""
    if not user.is_authenticated or not studies_for_user(user).exists():
        raise Http404
    try:
        found = Board.objects.filter(pk=uuid.UUID(str(board))).first()
    except ValueError:
        found = Board.objects.filter(slug=str(board)).first()
    if found is None:
        raise Http404
    return found


def card_get_for_user(*, user: User, card_id: object, to_move: bool = False) -> BoardCard:
    card = (
        BoardCard.objects.select_related("board", "insight__study")
        .filter(pk=as_uuid(card_id))
        .first()
    )
    if card is None:
        raise Http404
    role = card.insight.study.viewer_role = study_role(user, card.insight.study_id)
    if role is None:
        raise Http404
    if to_move and not role_can(role, MOVE_CAPABILITY[card.board.kind]):
        raise PermissionDenied
    return card


def can_move_cards(*, user: User, board: Board, study_id: uuid.UUID) -> bool:
    return role_can(study_role(user, study_id), MOVE_CAPABILITY[board.kind])


def tag_get_for_user(*, user: User, tag_id: object, capability: str = Capability.VIEW_STUDY) -> Tag:
    """A tag is as visible as its study; the study it carries knows the viewer's role."""
    tag = Tag.objects.filter(pk=as_uuid(tag_id)).first()
    if tag is None:
        raise Http404
    tag.study = study_get_for_user(user=user, study_id=tag.study_id, capability=capability)
    return tag


class QuoteNotInBank(ConflictError):
    """The quote is the user's to use, but not in the quote bank now (its insight is off the
    marketing boards, or its household's marketing consent is not in force)."""


def quote_get_for_use(*, user: User, quote_id: object) -> Observation:
    """A quote the user may record a use of: 404 outside its study (as for a missing one),
    403 for a role that may not use quotes, QuoteNotInBank when it is not in the bank."""
    quote = (
        Observation.objects.select_related("visit__round")
        .filter(pk=as_uuid(quote_id), kind=ObservationKind.QUOTE, deleted_at__isnull=True)
        .first()
    )
    role = study_role(user, quote.visit.round.study_id) if quote else None
    if quote is None or role is None:
        raise Http404
    if not role_can(role, Capability.USE_QUOTES):
        raise PermissionDenied
    bank = selectors.quote_bank(user=user, filters=selectors.QuoteFilters())
    if not bank.filter(pk=quote.pk).exists():
        raise QuoteNotInBank(
            {
                "quote": _(
                    "This quote is not in the quote bank: its insight is not on a marketing "
                    "board, or its household has not consented to marketing use."
                )
            }
        )
    return quote
