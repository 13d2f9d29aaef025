"""Full-text search over contributions: one function, two back ends.

SQLite uses the FTS5 table ``contribution_fts`` (bm25 ranking, ``highlight()``);
PostgreSQL the generated ``search_vector`` column (``ts_rank``, ``ts_headline``).

Ranking common words: a word such as "government" matches a fifth of the corpus,
and ranking every match costs time in proportion. Relevance is therefore computed
over the newest ``RANK_WINDOW`` matches (after filters), which is exact for all
but the commonest queries and keeps the cost bounded; the total is counted up to
``COUNT_CAP`` and shown as "N+" beyond. Both are stated in the README.

On SQLite the work is kept in FTS5 where possible: with no filters on the
contribution's columns the window reads the full-text index alone, and a filter
that picks few contributions (a member's, a bill's, a few days') is turned into
a list of ids that the matches are checked against, rather than every match of
a common word being looked up in the contribution table. Quoted terms (matched as
written, not stemmed) are checked in Python on the full-text matches, best first,
only until the page and the capped count are known (``_checked_page``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, exists, func, literal_column, or_, select, table, text
from sqlmodel import Session, col
from sqlmodel import select as sqlmodel_select

from storage.models import CONTRIBUTION_TABLE, Contribution
from storage.query import Clause, ParsedQuery, Term, fts5_match, phrase_pattern, written_test

RANK_WINDOW = 10_000
COUNT_CAP = 1_000
# The size of the ranked window gives the capped total (see search()).
assert RANK_WINDOW > COUNT_CAP
# A filter that picks no more than this many contributions is applied to the full-text
# matches as a list of ids (see the module docstring); it is counted up to this bound.
FEW_ROWS = 20_000
# Relevance is refined for the best RERANK_TOP matches of the window (the pages people
# read): a match in the speech's own words ranks above a match only through its debate
# title, and a one-line interjection ("Will my hon. Friend give way?", "Order.") below a
# speech that uses the words. Only these rows are looked up, so the cost stays bounded.
RERANK_TOP = 200
# A contribution this short (in characters) is an interjection or a procedural line.
INTERJECTION_CHARS = 100
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
    # On SQLite, quoted terms in a relevance search are checked in Python, on as few matches as the page needs.
    check_in_python = not postgres and sort is SortOrder.RELEVANCE and query is not None and _has_quoted(query)
    with engine.connect() as conn:
        m = _matching(conn, postgres, query, filters, sort, check_phrases=not check_in_python)
        has_text, matching, score = m.has_text, m.matching, m.score
        rows: Sequence[Any]
        if check_in_python and has_text:
            assert m.text_score is not None  # SQLite always has it
            rows, counted = _checked_page(conn, query, m, limit, offset)  # type: ignore[arg-type]
        elif has_text and sort is SortOrder.RELEVANCE:
            # One pass over the matches: the window, ranked, with its size. As the window
            # holds more than COUNT_CAP rows when there are that many matches, its size
            # gives the capped total too.
            columns = [score.label("score")] + ([m.text_score.label("text_score")] if m.text_score is not None else [])
            window = matching.add_columns(*columns).order_by(m.newest_first).limit(RANK_WINDOW).cte("ranked")
            size = select(func.count()).select_from(window).scalar_subquery()
            tiers = _reranked_top(window, m.text_score_of_top)
            page_query = (
                select(window.c.id, window.c.score, size)
                .outerjoin(tiers, tiers.c.id == window.c.id)
                .order_by(func.coalesce(tiers.c.tier, _TIER_BEYOND_TOP), window.c.score, window.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
            rows = conn.execute(page_query).all()
            counted = rows[0][2] if rows else conn.execute(select(size)).scalar_one()
        else:
            counted = conn.execute(
                select(func.count()).select_from(matching.limit(COUNT_CAP + 1).subquery())
            ).scalar_one()
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


@dataclass(slots=True)
class _Matching:
    """The ids matching a query and filters, with what ranks them, on one back end."""

    has_text: bool
    matching: Any  # SELECT id ... WHERE <matches>
    newest_first: Any
    score: ColumnElement[Any]
    # The rank from the speech's own words only: in the window (SQLite), or computed on the top rows (PostgreSQL).
    text_score: ColumnElement[Any] | None = None
    text_score_of_top: ColumnElement[Any] | None = None


def _matching(
    conn: Any,
    postgres: bool,
    query: ParsedQuery | None,
    filters: SearchFilters,
    sort: SortOrder,
    check_phrases: bool = True,
) -> _Matching:
    """``check_phrases=False`` leaves out the check of quoted terms as written: the caller does it."""
    c = CONTRIBUTION.c
    where = _filter_clauses(filters)
    if query is None or query.is_empty:
        base = select(c.id).select_from(CONTRIBUTION)
        return _Matching(False, base.where(and_(*where)) if where else base, c.id.desc(), literal_column("0"))
    phrases = _exact_phrase_clauses(query, postgres) if check_phrases else []
    where += phrases
    if postgres:
        tsquery = pg_tsquery(query)
        where.append(literal_column("contribution.search_vector").op("@@")(tsquery))
        vector: ColumnElement[Any] = literal_column("contribution.search_vector")
        return _Matching(
            True,
            select(c.id).select_from(CONTRIBUTION).where(and_(*where)),
            c.id.desc(),
            -func.ts_rank(vector, tsquery),
            # The rank from the speech's own words (weight A) alone; only the top rows need it.
            text_score_of_top=-func.ts_rank(literal_column("'{0,0,0,1}'::float4[]"), vector, tsquery),
        )
    where.append(text("contribution_fts MATCH :match").bindparams(match=fts5_match(query)))  # type: ignore[arg-type]
    joined = select(c.id).select_from(_FTS.join(CONTRIBUTION, c.id == literal_column("contribution_fts.rowid")))
    # FTS5 yields matches in rowid order natively: the window needs no sort.
    matching, newest_first = _sqlite_matching(
        conn, query, filters, phrases, joined.where(and_(*where)), literal_column("contribution_fts.rowid").desc(), sort
    )
    return _Matching(
        True,
        matching,
        newest_first,
        # Column weights: words in the speech count more than the (shared) debate title,
        # as the tsvector's weights (text A, title B) do on PostgreSQL.
        literal_column("bm25(contribution_fts, 0.5, 1.0)"),
        # The same with the title weighted 0: 0 for a match only through the debate title.
        text_score=literal_column("bm25(contribution_fts, 0.0, 1.0)"),
    )


def _has_quoted(query: ParsedQuery) -> bool:
    return any(all(term.quoted for term in clause.alternatives) for clause in query.required)


class _WrittenCheck:
    """Checks full-text matches for the quoted terms as written (as ``_exact_phrase_clauses``
    does in SQL), reading the stored text of a batch of matches at a time."""

    BATCH = 128

    def __init__(self, conn: Any, query: ParsedQuery) -> None:
        self.conn = conn
        self.clauses = [
            [written_test(term) for term in clause.alternatives]
            for clause in query.required
            if all(term.quoted for term in clause.alternatives)
        ]
        # Text shorter than INTERJECTION_CHARS, for each contribution that passed.
        self.short: dict[int, bool] = {}

    def passing(self, ids: list[int]) -> list[int]:
        """Those of ``ids`` whose text or title holds every quoted clause, in the order given."""
        c = CONTRIBUTION.c
        texts = {i: (t, title) for i, t, title in self.conn.execute(select(c.id, c.text, c.title).where(c.id.in_(ids)))}
        found = []
        for i in ids:
            if i not in texts:
                continue  # in the index but no longer stored: the joined query would not find it either
            body, title = texts[i]
            if all(any(test(body) or (title is not None and test(title)) for test in tests) for tests in self.clauses):
                self.short[i] = len(body) < INTERJECTION_CHARS
                found.append(i)
        return found


def _checked_page(conn: Any, query: ParsedQuery, m: _Matching, limit: int, offset: int) -> tuple[list[Any], int]:
    """The page and the window's size, as the ranked window query in ``search`` gives them, with
    quoted terms checked in Python: on only as many matches, best first, as the page and the
    capped count need when the full-text matches fit in the window; else newest first until
    the window is full. Returns rows of (id, score) and the window's size."""
    assert m.text_score is not None
    check = _WrittenCheck(conn, query)
    candidates = m.matching.add_columns(m.score.label("score"), m.text_score.label("own")).order_by(m.newest_first)
    result = conn.execute(candidates)
    first = result.fetchmany(RANK_WINDOW + 1)
    score = {row[0]: float(row[1]) for row in first}
    own = {row[0]: float(row[2]) for row in first}
    best_first: list[int] = []
    if len(first) <= RANK_WINDOW:
        # Every match is in the window if it passes: check the best ones until enough pass.
        ordered = sorted(score, key=lambda i: (score[i], -i))
        needed = max(COUNT_CAP + 1, RERANK_TOP + offset + limit)
        for start in range(0, len(ordered), _WrittenCheck.BATCH):
            best_first += check.passing(ordered[start : start + _WrittenCheck.BATCH])
            if len(best_first) >= needed:
                break
        counted = len(best_first) if len(best_first) < needed else COUNT_CAP + 1
    else:
        # The window is the newest RANK_WINDOW matches that pass: check newest first.
        newest_first: list[int] = []
        batch = [row[0] for row in first]
        while batch:
            for start in range(0, len(batch), _WrittenCheck.BATCH):
                newest_first += check.passing(batch[start : start + _WrittenCheck.BATCH])
                if len(newest_first) >= RANK_WINDOW:
                    break
            if len(newest_first) >= RANK_WINDOW:
                break
            more = result.fetchmany(RANK_WINDOW)
            score.update((row[0], float(row[1])) for row in more)
            own.update((row[0], float(row[2])) for row in more)
            batch = [row[0] for row in more]
        best_first = sorted(newest_first[:RANK_WINDOW], key=lambda i: (score[i], -i))
        counted = len(best_first)
    result.close()
    top, rest = best_first[:RERANK_TOP], best_first[RERANK_TOP:]

    def tier(i: int) -> int:
        if own[i] == 0:
            return _TIER_TITLE_ONLY_INTERJECTION if check.short[i] else _TIER_TITLE_ONLY
        return _TIER_INTERJECTION if check.short[i] else _TIER_SPEECH

    ranked = sorted(top, key=lambda i: (tier(i), score[i], -i))
    # Beyond the top come the rest of the window, then the top's matches through the title only.
    in_order = (
        [i for i in ranked if tier(i) < _TIER_BEYOND_TOP] + rest + [i for i in ranked if tier(i) > _TIER_BEYOND_TOP]
    )
    return [(i, score[i]) for i in in_order[offset : offset + limit]], counted


# Tiers of the reranked top (lower first); the rest of the window sits between.
_TIER_SPEECH = 0
_TIER_INTERJECTION = 1
_TIER_BEYOND_TOP = 2
_TIER_TITLE_ONLY = 3
_TIER_TITLE_ONLY_INTERJECTION = 4


def _reranked_top(window: Any, text_score_of_top: ColumnElement[Any] | None) -> Any:
    """The best RERANK_TOP rows of the ranked window with their tier (see RERANK_TOP).

    ``text_score_of_top`` computes the rank from the speech's words on the contribution
    row (PostgreSQL); SQLite brings it in the window as ``text_score``, from FTS5.
    """
    c = CONTRIBUTION.c
    text_only = window.c.text_score if text_score_of_top is None else None
    top_columns = [window.c.id, window.c.score] + ([text_only] if text_only is not None else [])
    top = select(*top_columns).order_by(window.c.score, window.c.id.desc()).limit(RERANK_TOP).cte("top")
    own_words = top.c.text_score if text_score_of_top is None else text_score_of_top
    short = func.length(c.text) < INTERJECTION_CHARS
    tier = case(
        (and_(own_words == 0, short), _TIER_TITLE_ONLY_INTERJECTION),
        (own_words == 0, _TIER_TITLE_ONLY),
        (short, _TIER_INTERJECTION),
        else_=_TIER_SPEECH,
    )
    return select(top.c.id, tier.label("tier")).join(CONTRIBUTION, c.id == top.c.id).cte("tiers")


def _sqlite_matching(
    conn: Any,
    query: ParsedQuery,
    filters: SearchFilters,
    phrases: list[ColumnElement[bool]],
    joined: Any,
    newest_first: Any,
    sort: SortOrder,
) -> tuple[Any, Any]:
    """The ids matching on SQLite, as the cheapest of three equivalent queries (and its newest-first order).

    ``joined`` looks every full-text match up in the contribution table to apply the
    filters; the other two leave the work to FTS5 (see the module docstring). All
    three give the same rows, because the index holds exactly the stored rows.
    """
    if sort is not SortOrder.RELEVANCE:
        return joined, newest_first  # ordered by contribution columns: needs the table
    c = CONTRIBUTION.c
    rowid: ColumnElement[Any] = literal_column("contribution_fts.rowid")
    in_index: list[Any] = [text("contribution_fts MATCH :match").bindparams(match=fts5_match(query))]
    if filters.after_id is not None:
        in_index.append(rowid > filters.after_id)
    if filters.up_to_id is not None:
        in_index.append(rowid <= filters.up_to_id)
    on_columns = _filter_clauses(dataclasses.replace(filters, after_id=None, up_to_id=None))
    fts_only = select(rowid.label("id")).select_from(_FTS)
    if not on_columns and not phrases:
        return fts_only.where(*in_index), rowid.desc()
    # Filters that an index answers and that usually pick few rows: count them, up to a bound.
    if filters.member_ids or filters.debate_ids or filters.date_from or filters.date_to:
        subset = select(c.id).where(*on_columns)
        few = conn.execute(select(func.count()).select_from(subset.limit(FEW_ROWS + 1).subquery())).scalar_one()
        if few <= FEW_ROWS:
            # "+rowid", not "rowid": FTS5 would look each id up on its own, and recompute
            # bm25's document frequencies for every one of them. As a plain test on its
            # matches the ids cost one pass over the index, as an unfiltered search does.
            in_index.append(literal_column("+contribution_fts.rowid").in_(subset))
            if phrases:
                # Quoted phrases are checked on the text of those matches only.
                in_index.append(exists().where(c.id == rowid, *phrases))
            return fts_only.where(*in_index), rowid.desc()
    return joined, newest_first


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


@dataclass(frozen=True, slots=True)
class DebateDay:
    """A sitting day and debate, and how many of the matches were in it."""

    date: dt.date | None
    debate_title: str
    count: int


def _own_words_window(conn: Any, postgres: bool, query: ParsedQuery, filters: SearchFilters) -> Any:
    """The newest RANK_WINDOW matches whose own words match (not only their debate title), as a subquery of ids."""
    window = _matching(conn, postgres, query, filters, SortOrder.RELEVANCE)
    own = window.text_score if window.text_score is not None else window.text_score_of_top
    assert own is not None  # a query with words always has one
    ranked = window.matching.add_columns(own.label("own")).order_by(window.newest_first).limit(RANK_WINDOW).subquery()
    return select(ranked.c.id).where(ranked.c.own != 0).subquery()


def debate_days(engine: Engine, query: ParsedQuery, filters: SearchFilters, limit: int = 25) -> list[DebateDay]:
    """The sitting days and debates with contributions using the words, newest first (over the same window)."""
    c = CONTRIBUTION.c
    with engine.connect() as conn:
        ids = _own_words_window(conn, engine.dialect.name == "postgresql", query, filters)
        title = func.coalesce(c.debate_title, c.title)
        n = func.count().label("n")
        statement = (
            select(c.sitting_date, title, n)
            .join(ids, ids.c.id == c.id)
            .group_by(c.sitting_date, title)
            .order_by(c.sitting_date.desc(), n.desc())
            .limit(limit)
        )
        return [DebateDay(day, str(t), int(k)) for day, t, k in conn.execute(statement)]


def count_contributions(engine: Engine, filters: SearchFilters) -> int:
    """How many contributions match ``filters`` alone: exact, for "how many times" questions."""
    where = _filter_clauses(filters)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(CONTRIBUTION).where(*where)).scalar_one())
