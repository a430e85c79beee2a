"""Pages of the product and marketing boards, the insight page and the quote bank."""

from django.urls import path

from frontend.boards import board, insight, quotes

urlpatterns = [
    path("boards/<slug:board>/", board.board_detail, name="board"),
    path("cards/<uuid:card_id>/move/", board.card_move, name="card-move"),
    path("insights/<uuid:insight_id>/", insight.insight_detail, name="insight"),
    path("insights/<uuid:insight_id>/edit/", insight.insight_edit, name="insight-edit"),
    path("insights/<uuid:insight_id>/comments/", insight.insight_comment, name="insight-comment"),
    path(
        "insights/<uuid:insight_id>/evidence/remove/",
        insight.insight_evidence_remove,
        name="insight-evidence-remove",
    ),
    path("quotes/", quotes.quote_bank, name="quotes"),
    path("quotes/<uuid:observation_id>/uses/", quotes.quote_use, name="quote-use"),
]
