"""PostgreSQL: `websearch_to_tsquery` over the `search_vector` columns (generated on
observations and insights, written by triggers on photos: migrations 0003 and 0009).

The match (`search_vector @@ query`) is what the GIN indexes serve, so it must stay written
exactly like this; `ts_rank` then reads the stored vectors of the matched rows only, and
`ts_headline` runs on the one page shown (for a photo, on its caption and its tag names).
websearch_to_tsquery accepts any text without a syntax error; a query it reduces to nothing
(stop words, punctuation) matches nothing, and one made only of exclusions (`-freezer`,
which `querytree` reports as T) is refused too, as it would rank every row of the table.

SQL is assembled from fixed fragments (hence the S608 exemptions); every value, the user's
query included, goes in as a parameter.
"""

from typing import Any

from django.db import connection

from studies.synthesis.search.backends import sql
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

TSQUERY = "websearch_to_tsquery('english', %s)"
# ts_rank scores every row 0 for a query with an exclusion (`tubs -late`): rank by the part
# of the query that finds rows (what querytree returns), which the exclusions only filter.
RANKED_TSQUERY = f"CAST(querytree({TSQUERY}) AS tsquery)"
# 1: divide by 1 + log(length), so a short text that is all about the words ranks first.
RANK_NORMALISATION = 1
HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"


_UNINDEXED = f"chr({ord(MARK_START)}) || chr({ord(MARK_END)}) || chr({ord(TAG_SEPARATOR)})"


def _headline(column: str) -> str:
    """The whole text with every match marked; the marker characters it had are dropped."""
    return f"ts_headline('english', translate({column}, {_UNINDEXED}, ''), {TSQUERY}, %s)"


# A photo's tag names in name order, each match marked, separated by TAG_SEPARATOR.
_TAGS_HEADLINE = f"""
    SELECT ts_headline(
        'english',
        string_agg(
            translate(t.name, {_UNINDEXED}, ''), chr({ord(TAG_SEPARATOR)})
            ORDER BY lower(t.name), t.id
        ),
        {TSQUERY},
        %s
    )
    FROM fieldwork_phototag pt JOIN fieldwork_tag t ON t.id = pt.tag_id
    WHERE pt.photo_id = page.id
"""  # noqa: S608


def _branches(scope: Scope, query: str) -> tuple[str, list[Any]]:
    """The visible matches of each kind asked for, as (kind, id, rank, at) rows."""
    selects: list[str] = []
    params: list[Any] = []
    usable = f"querytree({TSQUERY}) <> 'T'"
    if scope.kinds & OBSERVATION_KINDS:
        kind, kind_params = sql.observation_kind_sql()
        where, where_params = sql.observation_filters(scope)
        selects.append(f"""
            SELECT {kind} AS kind, o.id,
                ts_rank(o.search_vector, {RANKED_TSQUERY}, {RANK_NORMALISATION}) AS rank,
                o.captured_at AS at
            FROM fieldwork_observation o {sql.OBSERVATION_JOINS}
            WHERE o.search_vector @@ {TSQUERY} AND {usable} AND {where}
        """)  # noqa: S608
        params += [*kind_params, query, query, query, *where_params]
    if SearchKind.INSIGHT in scope.kinds:
        where, where_params = sql.insight_filters(scope)
        selects.append(f"""
            SELECT %s AS kind, i.id,
                ts_rank(i.search_vector, {RANKED_TSQUERY}, {RANK_NORMALISATION}) AS rank,
                i.updated_at AS at
            FROM synthesis_insight i
            WHERE i.search_vector @@ {TSQUERY} AND {usable} AND {where}
        """)  # noqa: S608
        params += [SearchKind.INSIGHT, query, query, query, *where_params]
    if SearchKind.PHOTO in scope.kinds:
        where, where_params = sql.photo_filters(scope)
        selects.append(f"""
            SELECT %s AS kind, p.id,
                ts_rank(p.search_vector, {RANKED_TSQUERY}, {RANK_NORMALISATION}) AS rank,
                p.captured_at AS at
            FROM fieldwork_photo p {sql.PHOTO_JOINS}
            WHERE p.search_vector @@ {TSQUERY} AND {usable} AND {where}
        """)  # noqa: S608
        params += [SearchKind.PHOTO, query, query, query, *where_params]
    return " UNION ALL ".join(selects), params


def ranked_page(*, scope: Scope, query: str, limit: int, offset: int) -> RankedPage:
    branches, branch_params = _branches(scope, query)
    statement = f"""
        WITH page AS (
            SELECT kind, id, rank, at, COUNT(*) OVER () AS total
            FROM ({branches}) AS hits
            ORDER BY rank DESC, at DESC, id
            LIMIT %s OFFSET %s
        )
        -- Headlines for the page only, each object fetched by its key.
        SELECT page.kind, page.id, page.rank, page.total,
            (SELECT {_headline("i.statement")} FROM synthesis_insight i WHERE i.id = page.id),
            COALESCE(
                (SELECT {_headline("o.text")} FROM fieldwork_observation o WHERE o.id = page.id),
                (SELECT {_headline("p.caption")} FROM fieldwork_photo p WHERE p.id = page.id),
                (SELECT {_headline("i.description")} FROM synthesis_insight i WHERE i.id = page.id)
            ),
            ({_TAGS_HEADLINE})
        FROM page
        ORDER BY page.rank DESC, page.at DESC, page.id
    """  # noqa: S608
    headline = (query, HEADLINE_OPTIONS)
    # Five headlines: a statement, an observation, a caption, a description, tag names.
    params = [*branch_params, limit, offset, *(headline * 5)]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
        if not rows and offset:
            # Past the last page: the window count had no row to ride on.
            cursor.execute(f"SELECT COUNT(*) FROM ({branches}) AS hits", branch_params)  # noqa: S608
            total = cursor.fetchone()[0]
        else:
            total = rows[0][3] if rows else 0
    hits = [
        RankedHit(
            kind=kind,
            id=pk,
            rank=rank,
            title_marked=title or "",
            body_marked=body or "",
            tags_marked=tags or "",
        )
        for kind, pk, rank, _total, title, body, tags in rows
    ]
    return RankedPage(hits=hits, total=total)
