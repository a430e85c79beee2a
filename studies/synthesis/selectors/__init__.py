"""Every read of synthesis that shapes a queryset: browsing observations, insights with
their evidence, board pages, the quote bank and tag counts.

Board and quote-bank pages are built so the number of queries per page does not grow
with the data: counts are kept on the insight (services/insights.py), and what a page
lists is fetched with select_related and one prefetch per relation.

Split by what they serve; every public name is importable from here.
"""

from studies.synthesis.selectors.boards import (
    CARD_FACE_FIELDS,
    BoardFilters,
    BoardSort,
    ColumnsPage,
    board_cards,
    board_columns_page,
)
from studies.synthesis.selectors.browse import (
    PHOTO_KIND,
    BrowsedItem,
    BrowsedItems,
    GuideQuestionKey,
    ObservationFilters,
    PickedItems,
    evidence_browse,
    evidence_picked,
    guide_question_keys,
    observation_browse,
)
from studies.synthesis.selectors.common import TAGS_IN_ORDER, segment_filter, tags_in_order
from studies.synthesis.selectors.decisions import CardTiming, card_decisions, card_timings
from studies.synthesis.selectors.insights import (
    insight_cards,
    insight_comments,
    insight_evidence,
    insight_list,
    rounds_backing,
)
from studies.synthesis.selectors.quotes import (
    QUOTE_ROW_FIELDS,
    QuoteFilters,
    attribution,
    marketing_consent_in_force,
    quote_bank,
    quote_bank_page,
)
from studies.synthesis.selectors.tags import TagCount, tag_counts

__all__ = [
    "CARD_FACE_FIELDS",
    "PHOTO_KIND",
    "QUOTE_ROW_FIELDS",
    "TAGS_IN_ORDER",
    "BoardFilters",
    "BoardSort",
    "BrowsedItem",
    "BrowsedItems",
    "CardTiming",
    "ColumnsPage",
    "GuideQuestionKey",
    "ObservationFilters",
    "PickedItems",
    "QuoteFilters",
    "TagCount",
    "attribution",
    "board_cards",
    "board_columns_page",
    "card_decisions",
    "card_timings",
    "evidence_browse",
    "evidence_picked",
    "guide_question_keys",
    "insight_cards",
    "insight_comments",
    "insight_evidence",
    "insight_list",
    "marketing_consent_in_force",
    "observation_browse",
    "quote_bank",
    "quote_bank_page",
    "rounds_backing",
    "segment_filter",
    "tag_counts",
    "tags_in_order",
]
