"""Aggregates over the full-text matches: counts per period (trends), per Member (who speaks
about it), and a sitting's contributions in order (context). One grouped query each, in SQL.

The matching is search's own (``storage.search``): the same FTS5 MATCH or tsquery, the same
filters, the same check of quoted phrases as written, so a trend's count for a period is
the number of results a search for that term and period finds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, literal_column, select, table, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Alias
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import Session, col
from sqlmodel import select as sqlmodel_select

from storage.models import CONTRIBUTION_TABLE, MEMBER_TABLE, Contribution
from storage.query import Clause, ParsedQuery, Term, fts5_match
from storage.search import SearchFilters, _exact_phrase_clauses, _filter_clauses, pg_tsquery

_FTS = table("contribution_fts", literal_column("rowid"))
# A TheyWorkForYou id ends in "<column>[series letters].<position in the column>": 2010-02-08b.623.1.
_TWFY_POSITION = re.compile(r"\.(\d+)[A-Za-z]*\.(\d+)$")
NO_GROUP = ""
# SQLite only (migration 0011): (id, sitting_date, house, party, member_id), so that grouping
# full-text matches by period, House, party or Member never reads the rows themselves.
ID_PERIOD_INDEX = "ix_contribution_id_period"


class Granularity(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Split(StrEnum):
    PARTY = "party"
    HOUSE = "house"


@dataclass(frozen=True, slots=True)
class PeriodCount:
    period: str  # "2010", "2010-02" or "2010-02-08"
    group: str  # the party or House with a split, else NO_GROUP
    count: int


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    member_id: int
    name: str
    party: str | None
    house: str | None
    count: int
    first_date: dt.date | None
    last_date: dt.date | None


@dataclass(frozen=True, slots=True)
class SittingEntry:
    """One contribution of a sitting, light enough to load a whole day of them."""

    id: int
    uri: str
    debate_id: int | None
    order: tuple[int, int, int]


def _postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def matching_clauses(query: ParsedQuery | None, filters: SearchFilters, postgres: bool) -> list[ColumnElement[bool]]:
    """The WHERE clauses on the contribution table that pick what ``search`` would find."""
    c = CONTRIBUTION_TABLE.c
    where = _filter_clauses(filters)
    if query is None or query.is_empty:
        return where
    where += _exact_phrase_clauses(query, postgres)
    if postgres:
        where.append(literal_column("contribution.search_vector").op("@@")(pg_tsquery(query)))
    else:
        match = text("contribution_fts MATCH :match").bindparams(match=fts5_match(query))
        where.append(c.id.in_(select(literal_column("rowid")).select_from(_FTS).where(match)))
    return where


def _by_id_period_index(statement: Any, query: ParsedQuery | None, filters: SearchFilters, postgres: bool) -> Any:
    """On SQLite, look full-text matches up in the small covering index rather than the table.

    Only when everything the query reads is in that index: a member, bill or session filter
    is better served by its own index, and a quoted phrase needs the text.
    """
    if postgres or query is None or query.is_empty:
        return statement
    if filters.member_ids or filters.debate_ids or filters.session or _exact_phrase_clauses(query, postgres):
        return statement
    indexed = _IndexedContribution._construct(CONTRIBUTION_TABLE, name="contribution_by_id")
    return ClauseAdapter(indexed).traverse(statement)


class _IndexedContribution(Alias):
    """The contribution table, read through ID_PERIOD_INDEX (SQLite's INDEXED BY).

    SQLite's planner takes the primary key for ``id IN (...)`` whatever the cost of reading
    whole rows, and SQLAlchemy renders no table hints for SQLite: hence this alias.
    """

    inherit_cache = True


@compiles(_IndexedContribution)
def _render_indexed(element: _IndexedContribution, compiler: Any, **kw: Any) -> str:
    rendered: str = compiler.visit_alias(element, **kw)
    return f"{rendered} INDEXED BY {ID_PERIOD_INDEX}" if kw.get("asfrom") else rendered


def _period(granularity: Granularity, postgres: bool) -> ColumnElement[str]:
    day = CONTRIBUTION_TABLE.c.sitting_date
    if postgres:
        pattern = {Granularity.DAY: "YYYY-MM-DD", Granularity.MONTH: "YYYY-MM", Granularity.YEAR: "YYYY"}[granularity]
        # Written into the SQL (a constant of ours): a bound value in SELECT and GROUP BY would be
        # two parameters, which PostgreSQL cannot tell are the same expression.
        return func.to_char(day, literal_column(f"'{pattern}'"))
    # SQLite keeps dates as ISO text: the period is a prefix of it.
    length = {Granularity.DAY: 10, Granularity.MONTH: 7, Granularity.YEAR: 4}[granularity]
    return func.substr(day, 1, length)


def _group(split: Split | None) -> ColumnElement[Any]:
    c = CONTRIBUTION_TABLE.c
    if split is Split.PARTY:
        return func.coalesce(c.party, "")
    if split is Split.HOUSE:
        return func.coalesce(c.house, "")
    return literal_column("''")


def period_counts(
    engine: Engine,
    query: ParsedQuery | None,
    filters: SearchFilters,
    granularity: Granularity,
    split: Split | None = None,
) -> list[PeriodCount]:
    """How many contributions match in each period (and group): one grouped count in SQL.

    With ``query`` None it counts every contribution the filters pick: the denominators of a
    per-1,000 rate, and the list of periods that had sittings.
    """
    postgres = _postgres(engine)
    c = CONTRIBUTION_TABLE.c
    period = _period(granularity, postgres).label("period")
    group = _group(split).label("grp")
    where = [c.sitting_date.is_not(None), *matching_clauses(query, filters, postgres)]
    grouping = [period, group] if split is not None else [period]
    statement = select(period, group, func.count()).where(and_(*where)).group_by(*grouping).order_by(period)
    statement = _by_id_period_index(statement, query, filters, postgres)
    with engine.connect() as conn:
        return [PeriodCount(str(p), str(g or ""), int(n)) for p, g, n in conn.execute(statement)]


def date_span(engine: Engine, filters: SearchFilters) -> tuple[dt.date | None, dt.date | None]:
    """The first and last sitting dates among the contributions the filters pick."""
    c = CONTRIBUTION_TABLE.c
    where = _filter_clauses(filters)
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(c.sitting_date), func.max(c.sitting_date)).where(*where)).one()
    return first, last


def speaker_counts(engine: Engine, query: ParsedQuery, filters: SearchFilters, limit: int) -> list[SpeakerCount]:
    """The Members with most matching contributions, most first, with their first and last dates."""
    postgres = _postgres(engine)
    c, m = CONTRIBUTION_TABLE.c, MEMBER_TABLE.c
    n = func.count().label("n")
    grouped = (
        select(c.member_id, n, func.min(c.sitting_date).label("first"), func.max(c.sitting_date).label("last"))
        .where(c.member_id.is_not(None), *matching_clauses(query, filters, postgres))
        .group_by(c.member_id)
    )
    counts = _by_id_period_index(grouped, query, filters, postgres).subquery()
    statement = (
        select(m.id, m.name, m.party, m.house, counts.c.n, counts.c.first, counts.c.last)
        .join_from(counts, MEMBER_TABLE, counts.c.member_id == m.id)
        .order_by(counts.c.n.desc(), m.name)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [
            SpeakerCount(int(i), name, party, house, int(k), _as_date(first), _as_date(last))
            for i, name, party, house, k, first, last in conn.execute(statement)
        ]


def _as_date(value: Any) -> dt.date | None:
    """A date from an aggregate (SQLite hands back min()/max() of dates as text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _series(uri: str) -> str:
    """The part of a URI that names its series: TheyWorkForYou's debates, whall, wrans... pages."""
    return uri.split("?", 1)[0].rsplit("/", 1)[0]


def sitting_order(uri: str, references: list[dict[str, Any]], row_id: int) -> tuple[int, int, int]:
    """Where a contribution stands in its sitting's printed order.

    A TheyWorkForYou id gives its column and its position in the column, as in the XML.
    Other ids (written answers, numbered by question) give no position: the first column
    cited, then the order of import, which follows the file.
    """
    found = _TWFY_POSITION.search(uri)
    if found is not None:
        return int(found.group(1)), int(found.group(2)), row_id
    column = references[0].get("start_column") if references else None
    return (int(column) if isinstance(column, int) else 0), 0, row_id


def sitting_entries(
    engine: Engine, sitting_date: dt.date, house: str | None, chamber: str | None, uri: str
) -> list[SittingEntry]:
    """Every contribution of one sitting (same day, House, chamber and series as ``uri``), in order."""
    c = CONTRIBUTION_TABLE.c
    statement = select(c.id, c.uri, c.debate_id, c.references).where(
        c.sitting_date == sitting_date,
        c.house.is_(None) if house is None else c.house == house,
        c.chamber.is_(None) if chamber is None else c.chamber == chamber,
    )
    series = _series(uri)
    with engine.connect() as conn:
        entries = [
            SittingEntry(int(i), u, d, sitting_order(u, list(refs or []), int(i)))
            for i, u, d, refs in conn.execute(statement)
            if _series(u) == series
        ]
    return sorted(entries, key=lambda entry: entry.order)


def capped_match_count(engine: Engine, word: str, cap: int) -> int:
    """How many contributions contain ``word`` (stemmed, as search matches it), counted up to ``cap``:
    a cheap measure of how rare a word is."""
    query = ParsedQuery(required=(Clause((Term((word,)),)),))
    if _postgres(engine):
        c = CONTRIBUTION_TABLE.c
        matches = select(c.id).where(*matching_clauses(query, SearchFilters(), postgres=True)).limit(cap)
    else:
        match = text("contribution_fts MATCH :match").bindparams(match=fts5_match(query))
        matches = select(literal_column("rowid")).select_from(_FTS).where(match).limit(cap)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(matches.subquery())).scalar_one())


def contributions_by_row_id(engine: Engine, row_ids: list[int]) -> dict[int, Contribution]:
    """Whole stored contributions by their row ids."""
    if not row_ids:
        return {}
    with Session(engine) as session:
        rows = session.exec(sqlmodel_select(Contribution).where(col(Contribution.id).in_(row_ids)))
        return {row.id: row for row in rows if row.id is not None}
