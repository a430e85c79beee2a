"""Search observations, quotes, insights and photos by their words: one call, whichever
database.

The backend for the connection (PostgreSQL full-text search or SQLite FTS5) finds, ranks
and marks one page of matches; this module decides what the user may see (the studies they
can view, never a deleted observation, only photos anyone may see) and turns marked text
into safe HTML. A photo is found by its caption and its tags' names.

What a hit carries beyond its words: an answer its question (in the words it was asked), a
quote whether its household's marketing consent is in force now (the one rule,
`marketing_consent_in_force`: pages label it "Not for marketing use" when not), a photo its
thumbnail and its tags with their matches marked.

Queries: one for the ranked page with its highlights (a photo's tags included), then one
each for the page's observations, insights and photos (each only when the page has some).
"""

import math
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.common.models import User
from studies.common.roles import Role
from studies.fieldwork.models import Observation, ObservationKind, Photo, PhotoStatus
from studies.scheduling.access import studies_for_user
from studies.scheduling.models import Study
from studies.synthesis.models import Insight
from studies.synthesis.search.backends import postgres, sqlite
from studies.synthesis.search.types import (
    MARK_END,
    MARK_START,
    OBSERVATION_KINDS,
    TAG_SEPARATOR,
    RankedHit,
    RankedPage,
    Scope,
    SearchKind,
)
from studies.synthesis.selectors import marketing_consent_in_force

ALL_KINDS = frozenset(SearchKind.values)
MAX_QUERY_LENGTH = 200
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
# Deep enough for anyone reading results; bounded so no page number overflows the database.
MAX_PAGE = 1000
# A snippet is this many words of the text, starting a few words before the first match.
SNIPPET_WORDS = 30
SNIPPET_LEAD = 8

BACKENDS = {"postgresql": postgres, "sqlite": sqlite}

# A run of non-space characters, where a marked match counts as one piece even when it spans
# several words (an FTS5 phrase), so a snippet never cuts a match in two.
_PIECE = re.compile(f"(?:{MARK_START}[^{MARK_END}]*{MARK_END}|[^\\s{MARK_START}])+")


@dataclass(frozen=True)
class SearchTag:
    name: str
    html: SafeString  # the name with its matches in <mark>


@dataclass(frozen=True)
class SearchHit:
    kind: str  # a SearchKind
    id: uuid.UUID
    title: str  # an insight's statement; "" for other kinds
    title_html: SafeString  # the statement with its matches in <mark>
    text: str  # an observation's text, an insight's description, a photo's caption
    snippet: SafeString  # the part of the text around its first match, matches in <mark>
    rank: float  # higher is better; comparable within one result list only
    study_id: uuid.UUID
    study_title: str
    round_label: str  # the observation's or photo's round, the latest backing an insight
    household_code: str  # observations and photos only
    speaker: str  # observations only
    url: str  # the visit page of an observation or photo (at the photo), an insight's page
    at: datetime  # when an observation or photo was captured, when an insight last changed
    question: str = ""  # an answer's question, in the words it was asked
    answer: Observation | None = None  # that answer, whose question the API names
    # A quote: whether its household's marketing consent is in force now. None otherwise.
    cleared_for_marketing: bool | None = None
    tags: tuple[SearchTag, ...] = ()  # a photo's tags, by name
    thumbnail: str = ""  # a processed photo's thumbnail, JPEG; "" while it is processed
    thumbnail_webp: str = ""

    @property
    def kind_label(self) -> str:
        return str(SearchKind(self.kind).label)

    @property
    def not_for_marketing(self) -> bool:
        return self.cleared_for_marketing is False


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return math.ceil(self.total / self.page_size)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def first_number(self) -> int:
        """The position of the page's first hit in the whole result list, counting from 1."""
        return (self.page - 1) * self.page_size + 1


def marked_html(marked: str) -> SafeString:
    """Text from a backend as HTML: everything escaped, then each match put in <mark>."""
    html = escape(marked).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; the only tags added are <mark>


def snippet_html(marked: str) -> SafeString:
    pieces = _PIECE.findall(marked)
    first_match = next((n for n, piece in enumerate(pieces) if MARK_START in piece), 0)
    start = max(0, min(first_match - SNIPPET_LEAD, len(pieces) - SNIPPET_WORDS))
    end = start + SNIPPET_WORDS
    text = " ".join(pieces[start:end])
    if start > 0:
        text = "… " + text
    if end < len(pieces):
        text += " …"
    return marked_html(text)


def marked_tags(marked: str) -> tuple[SearchTag, ...]:
    """A photo's tag names from a backend (TAG_SEPARATOR between them), by name. A match
    that runs from one name into the next (a phrase) is closed and reopened at the gap."""
    tags = []
    inside = False
    for piece in marked.split(TAG_SEPARATOR) if marked else []:
        text = (MARK_START if inside else "") + piece
        inside = text.rfind(MARK_START) > text.rfind(MARK_END)
        text = (text + MARK_END if inside else text).replace(MARK_START + MARK_END, "")
        name = text.replace(MARK_START, "").replace(MARK_END, "")
        tags.append(SearchTag(name=name, html=marked_html(text)))
    return tuple(sorted(tags, key=lambda tag: (tag.name.casefold(), tag.name)))


def _validated(kinds: Collection[str], page: int, page_size: int, query: str) -> frozenset[str]:
    errors: dict[str, str] = {}
    if unknown := set(kinds) - ALL_KINDS:
        errors["kind"] = _("Unknown kind %(unknown)s: use %(known)s.") % {
            "unknown": ", ".join(sorted(unknown)),
            "known": ", ".join(SearchKind.values),
        }
    if not 1 <= page <= MAX_PAGE:
        errors["page"] = _("Pages are numbered from 1 to %(max)d.") % {"max": MAX_PAGE}
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = _("Ask for 1 to %(max)d results a page.") % {"max": MAX_PAGE_SIZE}
    if len(query) > MAX_QUERY_LENGTH:
        errors["q"] = ngettext(
            "Search with at most %(max)d character.",
            "Search with at most %(max)d characters.",
            MAX_QUERY_LENGTH,
        ) % {"max": MAX_QUERY_LENGTH}
    if errors:
        raise ValidationError(errors)
    return frozenset(kinds)


def _observation_hit(ranked: RankedHit, observation: Observation) -> SearchHit:
    visit = observation.visit
    answered = observation.kind == ObservationKind.ANSWER and bool(observation.question)
    quote = observation.kind == ObservationKind.QUOTE
    return SearchHit(
        kind=ranked.kind,
        id=observation.pk,
        title="",
        title_html=SafeString(""),
        text=observation.text,
        snippet=snippet_html(ranked.body_marked or ""),
        rank=float(ranked.rank),
        study_id=visit.round.study_id,
        study_title=visit.round.study.title,
        round_label=visit.round.label,
        household_code=visit.household.code,
        speaker=observation.speaker,
        url=f"{reverse('frontend:visit', args=[visit.pk])}#obs-{observation.pk}",
        at=observation.captured_at,
        question=observation.question if answered else "",
        answer=observation if answered else None,
        cleared_for_marketing=observation.marketing_cleared if quote else None,
    )


def _photo_hit(ranked: RankedHit, photo: Photo) -> SearchHit:
    visit = photo.visit
    ready = photo.status == PhotoStatus.READY
    return SearchHit(
        kind=ranked.kind,
        id=photo.pk,
        title="",
        title_html=SafeString(""),
        text=photo.caption,
        snippet=snippet_html(ranked.body_marked or ""),
        rank=float(ranked.rank),
        study_id=visit.round.study_id,
        study_title=visit.round.study.title,
        round_label=visit.round.label,
        household_code=visit.household.code,
        speaker="",
        url=f"{reverse('frontend:visit', args=[visit.pk])}#photo-{photo.pk}",
        at=photo.captured_at,
        tags=marked_tags(ranked.tags_marked),
        thumbnail=reverse("photo-file", args=[photo.pk, "thumb", "jpg"]) if ready else "",
        thumbnail_webp=reverse("photo-file", args=[photo.pk, "thumb", "webp"]) if ready else "",
    )


def _insight_hit(ranked: RankedHit, insight: Insight) -> SearchHit:
    return SearchHit(
        kind=ranked.kind,
        id=insight.pk,
        title=insight.statement,
        title_html=marked_html(ranked.title_marked or ""),
        text=insight.description,
        snippet=snippet_html(ranked.body_marked or ""),
        rank=float(ranked.rank),
        study_id=insight.study_id,
        study_title=insight.study.title,
        round_label=insight.latest_round.label if insight.latest_round else "",
        household_code="",
        speaker="",
        url=reverse("frontend:insight", args=[insight.pk]),
        at=insight.updated_at,
    )


def _ids(ranked: RankedPage, kinds: Collection[str]) -> list[uuid.UUID]:
    return [hit.id for hit in ranked.hits if hit.kind in kinds]


def _hits(ranked: RankedPage) -> list[SearchHit]:
    """The page's objects, fetched with what a hit shows, in the backend's order."""
    observation_ids = _ids(ranked, OBSERVATION_KINDS)
    insight_ids = _ids(ranked, {SearchKind.INSIGHT})
    photo_ids = _ids(ranked, {SearchKind.PHOTO})
    observations = (
        Observation.objects.filter(pk__in=observation_ids, deleted_at__isnull=True)
        .annotate(marketing_cleared=marketing_consent_in_force())
        .select_related("visit__household", "visit__round__study", "guide_question")
        .in_bulk()
        if observation_ids
        else {}
    )
    insights = (
        Insight.objects.filter(pk__in=insight_ids).select_related("study", "latest_round").in_bulk()
        if insight_ids
        else {}
    )
    photos = (
        Photo.objects.shown()
        .filter(pk__in=photo_ids)
        .exclude(status=PhotoStatus.FAILED)
        .select_related("visit__household", "visit__round__study")
        .in_bulk()
        if photo_ids
        else {}
    )
    hits = []
    # An object deleted (or hidden) between the two queries is left out rather than shown half.
    for hit in ranked.hits:
        if hit.id in observations:
            hits.append(_observation_hit(hit, observations[hit.id]))
        elif hit.id in insights:
            hits.append(_insight_hit(hit, insights[hit.id]))
        elif hit.id in photos:
            hits.append(_photo_hit(hit, photos[hit.id]))
    return hits


def marketing_only_studies(user: User) -> QuerySet[Study] | None:
    # Superusers act as research leads everywhere, whatever memberships they also hold: no
    # restriction at all (None), as an empty queryset cannot be written into the SQL.
    if user.is_superuser:
        return None
    return Study.objects.filter(memberships__user=user, memberships__role=Role.MARKETING)


def search(
    *,
    user: User,
    query: str,
    kinds: Collection[str] = ALL_KINDS,
    study_id: uuid.UUID | None = None,
    round_id: uuid.UUID | None = None,
    tag_id: uuid.UUID | None = None,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> SearchPage:
    """One page of the user's search, best match first.

    Only studies the user can view are searched; filters narrow further and a filter naming
    something the user cannot see simply finds nothing. Any text is a valid query: one with
    nothing searchable in it (empty, punctuation, stop words only) finds nothing.
    """
    wanted = _validated(kinds, page, page_size, query)
    # PostgreSQL text cannot hold NUL; no search needs one.
    query = query.replace("\x00", "")
    empty = SearchPage(hits=[], total=0, page=page, page_size=page_size)
    if not query.strip() or not wanted or not user.is_authenticated:
        return empty
    studies = studies_for_user(user)
    if study_id is not None:
        studies = studies.filter(pk=study_id)
    ranked = BACKENDS[connection.vendor].ranked_page(
        scope=Scope(
            studies=studies,
            kinds=wanted,
            round_id=round_id,
            tag_id=tag_id,
            consented_quotes_only=marketing_only_studies(user),
        ),
        query=query,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return SearchPage(hits=_hits(ranked), total=ranked.total, page=page, page_size=page_size)
