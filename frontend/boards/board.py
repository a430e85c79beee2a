"""A board page and moving its cards, by form (keyboard, no scripts) or by board.js."""

import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.boards.common import back_to, column_label
from frontend.boards.forms import BoardFilterForm, FilterOptions
from frontend.refusals import errors_of, messages_of, status_for
from studies.scheduling.access import studies_for_user
from studies.synthesis import access, selectors
from studies.synthesis.models import DECISION_COLUMNS, Board, BoardCard
from studies.synthesis.services import boards as board_services

# Cards shown per column and page: a board of thousands of insights opens as fast as a small one.
CARDS_PER_COLUMN = 10


@dataclass
class BoardColumn:
    value: str
    label: str
    cards: list[BoardCard] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        """Cards of this column not on this page (earlier pages and later ones)."""
        return self.total - len(self.cards)


def _page_of(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _board_page(
    request: HttpRequest, board: Board, *, status: int = 200, errors: list[str] | None = None
) -> HttpResponse:
    options = FilterOptions.for_user(request.user)
    form = BoardFilterForm(request.GET, options=options)
    chosen = form.chosen()
    filters = selectors.BoardFilters(
        study_id=chosen.get("study"),
        round_id=chosen.get("round"),
        tag_id=chosen.get("tag"),
        segment=chosen.get("segment", ""),
        sort=chosen.get("sort") or selectors.BoardSort.MOVED,
    )
    movable = set(
        studies_for_user(request.user, access.MOVE_CAPABILITY[board.kind]).values_list(
            "pk", flat=True
        )
    )
    page = _page_of(request)
    shown = selectors.board_columns_page(
        board=board, user=request.user, filters=filters, per_column=CARDS_PER_COLUMN, page=page
    )
    columns = {
        value: BoardColumn(value, column_label(value), total=shown.totals.get(value, 0))
        for value in board.columns
    }
    for card in shown.cards:
        card.movable = card.insight.study_id in movable
        columns[card.column].cards.append(card)
    last_page = max(
        [1, *((column.total - 1) // CARDS_PER_COLUMN + 1 for column in columns.values())]
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "board": board,
        "boards": list(Board.objects.order_by("kind", "name")),
        "columns": list(columns.values()),
        "page": page,
        "cards_per_column": CARDS_PER_COLUMN,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < last_page else None,
        "filter_query": query.urlencode(),
        "column_choices": [(value, column_label(value)) for value in board.columns],
        "decision_columns": DECISION_COLUMNS,
        "filter_form": form,
        # A sort hides no card: only the other choices make "No cards match." true.
        "filtered": bool(chosen.keys() - {"sort"}),
        "by_pressure": filters.sort == selectors.BoardSort.PRESSURE,
        "many_studies": len(options.studies) > 1,
        "can_move": bool(movable),
        "errors": errors or [],
        "ui_text": _board_ui_text(),
    }
    if form.errors and status == 200:
        status = 400
    return render(request, "frontend/board.html", context, status=status)


def _board_ui_text() -> dict[str, str]:
    """What board.js says; `{statement}`, `{column}` and `{reason}` are filled in there."""
    return {
        "moving": _("Moving “{statement}” to {column}…"),
        "moved": _("Moved “{statement}” to {column}."),
        "failed": _("Could not move “{statement}”: {reason} It is back in {column}."),
        "network": _("ResearchHub could not be reached."),
        "signIn": _("Your session has ended: sign in again."),
        "unknown": _("Something went wrong."),
    }


@require_GET
@login_required
def board_detail(request: HttpRequest, board: str) -> HttpResponse:
    return _board_page(request, access.board_get_for_user(user=request.user, board=board))


def _wants_json(request: HttpRequest) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _json_errors(errors: dict[str, list[str]], status: int) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


@require_POST
@login_required
def card_move(request: HttpRequest, card_id: uuid.UUID) -> HttpResponse:
    wants_json = _wants_json(request)
    try:
        card = access.card_get_for_user(user=request.user, card_id=card_id, to_move=True)
    except Http404:
        if wants_json:
            return _json_errors({"card": [_("There is no such card.")]}, 404)
        raise
    except PermissionDenied:
        if wants_json:
            return _json_errors({"card": [_("Your role does not let you move this card.")]}, 403)
        raise
    try:
        card = board_services.card_move(
            card=card, column=request.POST.get("column", ""), actor=request.user
        )
    except ValidationError as error:
        if wants_json:
            return _json_errors(errors_of(error), status_for(error))
        return _board_page(request, card.board, status=status_for(error), errors=messages_of(error))
    label = column_label(card.column)
    if wants_json:
        return JsonResponse(
            {
                "card": {
                    "id": str(card.pk),
                    "column": card.column,
                    "column_label": label,
                    "moved_at": card.moved_at.isoformat(),
                    "moved_by": str(request.user),
                }
            }
        )
    messages.success(
        request,
        _("Moved “%(statement)s” to %(column)s.")
        % {"statement": card.insight.statement, "column": label},
    )
    return redirect(back_to(request, reverse("frontend:board", args=[card.board.slug])))
