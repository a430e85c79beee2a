"""Rules of the boards that answer a question about a card, each written once.

Pure functions of what they are given, no queries (selectors.decisions loads what they
need). The insight page, the API, loop health, the round report and the digest all ask
these, so one card shows one decision, at one moment, everywhere.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from studies.synthesis.models import COLUMNS, BoardKind, Column

# What decides a product card: its first move into one of these.
PRODUCT_DECISION_COLUMNS = frozenset({Column.PLANNED, Column.SHIPPED})
# Where recording a quote use puts a marketing card that sits in an earlier column.
MARKETING_DECISION_COLUMN = Column.USED


@dataclass(frozen=True)
class Move:
    """A card's move into a column, as its history records it."""

    at: dt.datetime
    to_column: str
    actor: str | None = None  # username
    actor_name: str = ""  # as pages name people


@dataclass(frozen=True)
class QuoteUseRecord:
    """A recorded use of a quote that backs the card's insight."""

    at: dt.datetime
    campaign: str
    recorded_by: str | None = None  # username
    recorded_by_name: str = ""


@dataclass(frozen=True)
class Decision:
    """When and how a card was decided."""

    at: dt.datetime
    column: str  # the decision column the card reached (or was moved to by the use)
    by: str | None  # the username of who moved it, or who recorded the use
    by_name: str = ""  # the same person as pages name people
    campaign: str = ""  # for marketing: the use that decided it


def card_decision(
    *,
    board_kind: str,
    placed_at: dt.datetime,
    moves: Iterable[Move],
    quote_uses: Iterable[QuoteUseRecord] = (),
) -> Decision | None:
    """Whether and when a card was decided.

    Product: its first move into Planned or Shipped. Marketing: the first recorded use of a
    quote that backs its insight; a use recorded before the card was placed counts as
    decided when it was placed. Later moves (back out of a decision column, say) do not
    undo a decision: the loop measures how long it took to reach one.
    """
    if board_kind == BoardKind.PRODUCT:
        first = min(
            (move for move in moves if move.to_column in PRODUCT_DECISION_COLUMNS),
            key=lambda move: move.at,
            default=None,
        )
        if first is None:
            return None
        return Decision(
            at=first.at, column=first.to_column, by=first.actor, by_name=first.actor_name
        )
    use = min(quote_uses, key=lambda use: use.at, default=None)
    if use is None:
        return None
    return Decision(
        at=max(use.at, placed_at),
        column=MARKETING_DECISION_COLUMN,
        by=use.recorded_by,
        by_name=use.recorded_by_name,
        campaign=use.campaign,
    )


def days_to_decision(*, first_seen: dt.datetime | None, decision: Decision | None) -> int | None:
    """Whole days from the first sighting of the insight's evidence to the decision."""
    if first_seen is None or decision is None:
        return None
    return max((decision.at - first_seen).days, 0)


def column_after_quote_use(*, board_kind: str, column: str) -> str | None:
    """Where a card goes when one of its quotes is recorded as used: a marketing card in a
    column before the decision column moves into it; any other card stays (None)."""
    if board_kind != BoardKind.MARKETING:
        return None
    order = COLUMNS[BoardKind.MARKETING]
    if order.index(column) < order.index(MARKETING_DECISION_COLUMN):
        return MARKETING_DECISION_COLUMN
    return None
