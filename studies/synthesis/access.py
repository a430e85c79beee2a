"""The only way views, pages and tasks reach an insight or a board card.

Built on scheduling's access functions: an insight is as visible as its study. Outsiders
get the same 404 for an insight that exists as for one that does not; members whose role
lacks the capability get a 403.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from studies.common.models import User
from studies.common.roles import Capability, role_can
from studies.scheduling.access import as_uuid, studies_for_user, study_role
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
