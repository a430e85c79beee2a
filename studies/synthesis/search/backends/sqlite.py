"""SQLite: FTS5 over `synthesis_search`, kept in step by triggers (migrations 0003, 0009).

People type into the box what they would type into a web search, so the query is read the
way PostgreSQL's websearch_to_tsquery reads it: words are all required, "quoted words" are
a phrase, `or` between two terms accepts either, and a leading `-` excludes a term. FTS5
has its own query language, so nothing the user typed reaches it as syntax: every word is
quoted, and the operators are ours. Stop words are dropped as PostgreSQL drops them, and the
last word, when it is not in a phrase, also matches as a prefix (the box searches as
people finish typing it).

SQL is assembled from fixed fragments (hence the S608 exemptions); every value, the MATCH
expression included, goes in as a parameter.
"""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from studies.synthesis.search.backends import sql
from studies.synthesis.search.types import (
    MARK_END,
    MARK_START,
    OBSERVATION_KINDS,
    RankedHit,
    RankedPage,
    Scope,
    SearchKind,
)

# PostgreSQL's english.stop, so both databases ignore the same words.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())
# Enough for any real query, and a bound on the work a pasted essay can cause.
MAX_TERMS = 32
# Column weights for bm25, in the order of the FTS5 table's columns (main, detail, speaker):
# an observation's text, an insight's statement or a photo's caption; an insight's
# description or a photo's tag names; who said it. The same proportions as PostgreSQL's
# weights A, B and C.
BM25_WEIGHTS = "1.0, 0.4, 0.2"

_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass
class _Group:
    """Terms of which any one must match: `a or b`."""

    terms: list[str] = field(default_factory=list)

    def sql(self) -> str:
        return self.terms[0] if len(self.terms) == 1 else f"({' OR '.join(self.terms)})"


def _phrase(words: list[str], prefix: bool) -> str:
    quoted = '"' + " ".join(word.replace('"', '""') for word in words) + '"'
    return quoted + "*" if prefix else quoted


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for what the user typed, or None when nothing is searchable."""
    required: list[_Group] = []
    excluded: list[str] = []
    join_next = False
    matches = list(_TERM.finditer(text))[: MAX_TERMS * 2]
    for index, match in enumerate(matches):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or":
            join_next = bool(required)
            continue
        if bare is not None and bare.startswith("-"):
            negated, bare = "-", bare[1:]
        words = [word.lower() for word in _WORD.findall(phrase if bare is None else bare)]
        if not words or all(word in STOP_WORDS for word in words):
            continue
        last = index == len(matches) - 1
        typing = bare is not None and not negated and last and not text[-1:].isspace()
        term = _phrase(words, prefix=typing)
        if negated:
            excluded.append(term)
        elif join_next:
            required[-1].terms.append(term)
        else:
            required.append(_Group([term]))
        join_next = False
    if not required:
        return None
    expression = " AND ".join(group.sql() for group in required[:MAX_TERMS])
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded[:MAX_TERMS])})"
    return expression


def _branches(scope: Scope) -> tuple[str, list[Any]]:
    """The visible matches of each kind asked for, as (kind, id, entry_id, score, at) rows."""
    selects: list[str] = []
    params: list[Any] = []
    if scope.kinds & OBSERVATION_KINDS:
        kind, kind_params = sql.observation_kind_sql()
        where, where_params = sql.observation_filters(scope)
        selects.append(f"""
            SELECT {kind} AS kind, o.id AS id, m.entry_id, m.score, o.captured_at AS at
            FROM matched m JOIN fieldwork_observation o ON o.id = m.object_id
            {sql.OBSERVATION_JOINS}
            WHERE {where}
        """)  # noqa: S608
        params += [*kind_params, *where_params]
    if SearchKind.INSIGHT in scope.kinds:
        where, where_params = sql.insight_filters(scope)
        selects.append(f"""
            SELECT %s AS kind, i.id AS id, m.entry_id, m.score, i.updated_at AS at
            FROM matched m JOIN synthesis_insight i ON i.id = m.object_id
            WHERE {where}
        """)  # noqa: S608
        params += [SearchKind.INSIGHT, *where_params]
    if SearchKind.PHOTO in scope.kinds:
        where, where_params = sql.photo_filters(scope)
        selects.append(f"""
            SELECT %s AS kind, p.id AS id, m.entry_id, m.score, p.captured_at AS at
            FROM matched m JOIN fieldwork_photo p ON p.id = m.object_id
            {sql.PHOTO_JOINS}
            WHERE {where}
        """)  # noqa: S608
        params += [SearchKind.PHOTO, *where_params]
    return " UNION ALL ".join(selects), params


# bm25 is lower for better matches; negated so that both backends rank higher = better.
MATCHED = f"""
    matched AS (
        SELECT e.object_id, e.id AS entry_id, -bm25(synthesis_search, {BM25_WEIGHTS}) AS score
        FROM synthesis_search JOIN synthesis_search_entry e ON e.id = synthesis_search.rowid
        WHERE synthesis_search MATCH %s
    )
"""  # noqa: S608


def ranked_page(*, scope: Scope, query: str, limit: int, offset: int) -> RankedPage:
    match = fts_query(query)
    if match is None:
        return RankedPage(hits=[], total=0)
    branches, branch_params = _branches(scope)
    statement = f"""
        WITH {MATCHED}, page AS (
            SELECT kind, id, entry_id, score, at, COUNT(*) OVER () AS total
            FROM ({branches}) AS hits
            ORDER BY score DESC, at DESC, id
            LIMIT %s OFFSET %s
        )
        SELECT page.kind, page.id, page.score, page.total,
            highlight(marked.synthesis_search, 0, %s, %s),
            highlight(marked.synthesis_search, 1, %s, %s)
        FROM page JOIN synthesis_search AS marked ON marked.rowid = page.entry_id
        WHERE marked.synthesis_search MATCH %s
        ORDER BY page.score DESC, page.at DESC, page.id
    """  # noqa: S608
    marks = (MARK_START, MARK_END)
    params = [match, *branch_params, limit, offset, *marks, *marks, match]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
        if not rows and offset:
            # Past the last page: the window count had no row to ride on.
            cursor.execute(
                f"WITH {MATCHED} SELECT COUNT(*) FROM ({branches}) AS hits",  # noqa: S608
                [match, *branch_params],
            )
            total = cursor.fetchone()[0]
        else:
            total = rows[0][3] if rows else 0
    hits = []
    for kind, pk, score, _total, main, detail in rows:
        insight = kind == SearchKind.INSIGHT
        hits.append(
            RankedHit(
                kind=kind,
                id=uuid.UUID(pk),
                rank=score,
                title_marked=main if insight else "",
                body_marked=detail if insight else main,
                tags_marked=detail if kind == SearchKind.PHOTO else "",
            )
        )
    return RankedPage(hits=hits, total=total)
