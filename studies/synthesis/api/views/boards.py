"""Boards, their cards, and moving a card to another column."""

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from studies.common.api.schema import error_responses
from studies.common.api.views import ApiView, ListApiView
from studies.scheduling.access import studies_for_user
from studies.scheduling.api.views.base import validated
from studies.synthesis import access, selectors
from studies.synthesis.api import filters
from studies.synthesis.api import serializers as s
from studies.synthesis.models import Board, BoardCard
from studies.synthesis.selectors import BoardFilters
from studies.synthesis.services import boards as services

__all__ = ["BoardCardListApi", "BoardListApi", "CardMoveApi"]


class BoardListApi(ApiView):
    @extend_schema(
        operation_id="boards_list",
        tags=["boards"],
        summary="The boards and their columns",
        description="Boards span studies; each shows the cards of your own studies only.",
        responses={200: s.BoardOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        # Boards are open to anyone on a study's team, like board_get_for_user.
        boards = Board.objects.all() if studies_for_user(request.user).exists() else []
        return Response(s.BoardOutputSerializer(boards, many=True).data)


class BoardCardListApi(ListApiView):
    serializer_class = s.BoardCardOutputSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no URL
            return BoardCard.objects.none()
        board = access.board_get_for_user(user=self.request.user, board=self.kwargs["board"])
        return selectors.board_cards(
            board=board,
            user=self.request.user,
            filters=filters.board_filters(self.request.query_params, board=board),
        )

    @extend_schema(
        operation_id="boards_cards_list",
        tags=["boards"],
        summary="The cards on a board, most recently moved first",
        parameters=[
            OpenApiParameter(
                "board", str, OpenApiParameter.PATH, description="The board's slug or UUID."
            ),
            filters.BoardCardQueryInputSerializer,
        ],
        responses={200: s.BoardCardOutputSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, board: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rounds = selectors.rounds_backing(insight_ids={card.insight_id for card in page})
        output = s.BoardCardOutputSerializer(page, many=True, context={"rounds": rounds})
        return self.get_paginated_response(output.data)


class CardMoveApi(ApiView):
    @extend_schema(
        operation_id="cards_move",
        tags=["boards"],
        summary="Move a card to another column of its board",
        description=(
            "Product boards: research leads and product; marketing boards: research leads "
            "and marketing. A card no longer on its board is a 409."
        ),
        request=s.CardMoveInputSerializer,
        responses={200: s.BoardCardOutputSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, card_id: uuid.UUID) -> Response:
        card = access.card_get_for_user(user=request.user, card_id=card_id, to_move=True)
        data = validated(s.CardMoveInputSerializer, request.data)
        card = services.card_move(
            card=card, column=data["column"], actor=request.user, note=data["note"]
        )
        shown = selectors.board_cards(
            board=card.board, user=request.user, filters=BoardFilters()
        ).get(pk=card.pk)
        rounds = selectors.rounds_backing(insight_ids=[shown.insight_id])
        return Response(s.BoardCardOutputSerializer(shown, context={"rounds": rounds}).data)
