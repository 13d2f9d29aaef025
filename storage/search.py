"""Full-text search over contributions: one function, two back ends.

SQLite uses the FTS5 table ``contribution_fts`` (bm25 ranking, ``highlight()``);
PostgreSQL the generated ``search_vector`` column (``ts_rank``, ``ts_headline``).

Ranking common words: a word such as "government" matches a fifth of the corpus,
and ranking every match costs time in proportion. Relevance is therefore computed
over the newest ``RANK_WINDOW`` matches (after filters), which is exact for all
but the commonest queries and keeps the cost bounded; the total is counted up to
``COUNT_CAP`` and shown as "N+" beyond. Both are stated in the README.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, literal_column, or_, select, table, text
from sqlmodel import Session, col
from sqlmodel import select as sqlmodel_select

from storage.models import CONTRIBUTION_TABLE, Contribution
from storage.query import Clause, ParsedQuery, Term, fts5_match, phrase_pattern

RANK_WINDOW = 10_000
COUNT_CAP = 1_000
# Private-use characters mark matched words in highlighted text: they never occur in Hansard.
MARK_START = "\ue000"
MARK_END = "\ue001"

CONTRIBUTION = CONTRIBUTION_TABLE
_FTS = table("contribution_fts", literal_column("rowid"))


class SortOrder(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    member_ids: tuple[int, ...] = ()
    debate_ids: tuple[int, ...] = ()
    party: str | None = None
    house: str | None = None
    session: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # Only rows with a larger id: what was imported after a digest's watermark.
    after_id: int | None = None
    # ... and not above this one: what a digest delivery covers.
    up_to_id: int | None = None


@dataclass(slots=True)
class SearchHit:
    contribution: Contribution
    score: float | None
    # The text with matched words between MARK_START and MARK_END (None without a query).
    highlighted: str | None = None


@dataclass(slots=True)
class SearchPage:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    # True when there are more than COUNT_CAP matches and ``total`` is the cap.
    total_capped: bool = False


def _filter_clauses(filters: SearchFilters) -> list[ColumnElement[bool]]:
    c = CONTRIBUTION.c
    clauses: list[ColumnElement[bool]] = []
    if filters.member_ids:
        clauses.append(c.member_id.in_(filters.member_ids))
    if filters.debate_ids:
        clauses.append(c.debate_id.in_(filters.debate_ids))
    if filters.party:
        clauses.append(func.lower(c.party) == filters.party.lower())
    if filters.house:
        clauses.append(c.house == filters.house)
    if filters.session:
        clauses.append(c.session == filters.session)
    if filters.date_from:
        clauses.append(c.sitting_date >= filters.date_from)
    if filters.date_to:
        clauses.append(c.sitting_date <= filters.date_to)
    if filters.after_id is not None:
        clauses.append(c.id > filters.after_id)
    if filters.up_to_id is not None:
        clauses.append(c.id <= filters.up_to_id)
    return clauses


def _exact_phrase_clauses(query: ParsedQuery, postgres: bool) -> list[ColumnElement[bool]]:
    """Quoted terms are matched as written, not stemmed: checked on the stored text of the
    full-text matches (REGEXP on SQLite is the Python function that storage.db registers)."""
    c = CONTRIBUTION.c
    clauses: list[ColumnElement[bool]] = []
    flags = "i" if postgres else None

    def written(term: Term) -> ColumnElement[bool]:
        pattern = phrase_pattern(term, postgres)
        return or_(c.text.regexp_match(pattern, flags), c.title.regexp_match(pattern, flags))

    for clause in query.required:
        if all(term.quoted for term in clause.alternatives):
            clauses.append(or_(*(written(term) for term in clause.alternatives)))
    return clauses


def _pg_term(term: Term) -> ColumnElement[Any]:
    words = " ".join(term.words)
    if term.is_phrase:
        return func.phraseto_tsquery("english", words)
    return func.plainto_tsquery("english", words)


def _pg_clause(clause: Clause) -> ColumnElement[Any]:
    result = _pg_term(clause.alternatives[0])
    for term in clause.alternatives[1:]:
        result = func.tsquery_or(result, _pg_term(term))
    return result


def pg_tsquery(query: ParsedQuery) -> ColumnElement[Any]:
    """A tsquery built from bound values with PostgreSQL's own functions: no syntax to break."""
    result = _pg_clause(query.required[0])
    for clause in query.required[1:]:
        result = func.tsquery_and(result, _pg_clause(clause))
    for term in query.excluded:
        result = func.tsquery_and(result, func.tsquery_not(_pg_term(term)))
    return result


def _order(sort: SortOrder) -> list[Any]:
    c = CONTRIBUTION.c
    if sort is SortOrder.OLDEST:
        return [c.sitting_date.asc(), c.id.asc()]
    return [c.sitting_date.desc(), c.id.desc()]


def search(
    engine: Engine,
    query: ParsedQuery | None,
    filters: SearchFilters = SearchFilters(),
    sort: SortOrder = SortOrder.RELEVANCE,
    limit: int = 10,
    offset: int = 0,
) -> SearchPage:
    """One page of contributions matching ``query`` (or only ``filters`` when it is None)."""
    postgres = engine.dialect.name == "postgresql"
    c = CONTRIBUTION.c
    where = _filter_clauses(filters)
    has_text = query is not None and not query.is_empty
    if has_text and query is not None:
        where += _exact_phrase_clauses(query, postgres)
        if postgres:
            tsquery = pg_tsquery(query)
            where.append(literal_column("contribution.search_vector").op("@@")(tsquery))
            score: ColumnElement[Any] = -func.ts_rank(literal_column("contribution.search_vector"), tsquery)
            base = select(c.id).select_from(CONTRIBUTION)
            newest_first: Any = c.id.desc()
        else:
            match = text("contribution_fts MATCH :match").bindparams(match=fts5_match(query))
            where.append(match)  # type: ignore[arg-type]
            # Column weights: words in the speech count more than the (shared) debate title,
            # as the tsvector's weights (text A, title B) do on PostgreSQL.
            score = literal_column("bm25(contribution_fts, 0.5, 1.0)")
            base = select(c.id).select_from(_FTS.join(CONTRIBUTION, c.id == literal_column("contribution_fts.rowid")))
            # FTS5 yields matches in rowid order natively: the window needs no sort.
            newest_first = literal_column("contribution_fts.rowid").desc()
    else:
        score = literal_column("0")
        base = select(c.id).select_from(CONTRIBUTION)
        newest_first = c.id.desc()

    matching = base.where(and_(*where)) if where else base
    with engine.connect() as conn:
        counted = conn.execute(select(func.count()).select_from(matching.limit(COUNT_CAP + 1).subquery())).scalar_one()
        if has_text and sort is SortOrder.RELEVANCE:
            window = matching.add_columns(score.label("score")).order_by(newest_first).limit(RANK_WINDOW).subquery()
            page_query = (
                select(window.c.id, window.c.score)
                .order_by(window.c.score, window.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
        else:
            page_query = matching.add_columns(score.label("score")).order_by(*_order(sort)).limit(limit).offset(offset)
        rows = conn.execute(page_query).all()
        ids = [row[0] for row in rows]
        scores = {row[0]: (-float(row[1]) if has_text else None) for row in rows}
        highlights = _highlights(conn, query, ids, postgres) if has_text and query is not None and ids else {}

    with Session(engine) as session:
        loaded = {
            row.id: row for row in session.exec(sqlmodel_select(Contribution).where(col(Contribution.id).in_(ids)))
        }
    hits = [SearchHit(loaded[i], scores[i], highlights.get(i)) for i in ids if i in loaded]
    return SearchPage(hits=hits, total=min(counted, COUNT_CAP), total_capped=counted > COUNT_CAP)


def _highlights(conn: Any, query: ParsedQuery, ids: list[int], postgres: bool) -> dict[int, str]:
    """The full text of each hit with the matched words marked, by the back end's own stemmer."""
    if postgres:
        options = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
        rows = conn.execute(
            select(
                CONTRIBUTION.c.id, func.ts_headline("english", CONTRIBUTION.c.text, pg_tsquery(query), options)
            ).where(CONTRIBUTION.c.id.in_(ids))
        )
    else:
        rows = conn.execute(
            text(
                "SELECT rowid, highlight(contribution_fts, 1, :start, :end) FROM contribution_fts "
                "WHERE contribution_fts MATCH :match AND rowid IN (SELECT value FROM json_each(:ids))"
            ),
            {"start": MARK_START, "end": MARK_END, "match": fts5_match(query), "ids": str(ids)},
        )
    return {int(row[0]): str(row[1]) for row in rows}


def count_contributions(engine: Engine, filters: SearchFilters) -> int:
    """How many contributions match ``filters`` alone: exact, for "how many times" questions."""
    where = _filter_clauses(filters)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(CONTRIBUTION).where(*where)).scalar_one())
