"""Full-text search on the bundled real data: SQLite's three query plans agree, and counts are capped.

SQLite answers a search one of three ways (storage.search._sqlite_matching): from the
full-text index alone (no filters), with a small filter set checked as ``+rowid IN``,
or by joining every match to the contribution table (a large filter). Each is checked
against the join, the plan that applies every filter literally, on the same query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from commands.replies import SearchReply
from storage import search as search_module
from storage.models import CONTRIBUTION_TABLE
from storage.query import parse_query
from storage.search import COUNT_CAP, SearchFilters, SearchPage, SortOrder, search

QUERIES = ["school", "children OR families", '"serious case review"', "government -minister"]


def _member_id(engine: Engine, name: str) -> int:
    c = CONTRIBUTION_TABLE.c
    with engine.connect() as conn:
        return int(conn.execute(select(c.member_id).where(c.member_name == name).limit(1)).scalar_one())


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL that ``engine`` runs inside the block."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def joined_search(engine: Engine, monkeypatch: pytest.MonkeyPatch, *args: Any, **kwargs: Any) -> SearchPage:
    """The same search, every match looked up in the contribution table (the reference plan)."""
    with monkeypatch.context() as patch:
        patch.setattr(search_module, "_sqlite_matching", lambda conn, q, f, p, joined, newest, sort: (joined, newest))
        return search(engine, *args, **kwargs)


def rows(page: SearchPage) -> list[tuple[int, float | None]]:
    return [(hit.contribution.id or 0, round(hit.score or 0.0, 6)) for hit in page.hits]


@pytest.mark.parametrize("query", QUERIES)
def test_index_only_plan_gives_the_joined_rows(
    bundled_sqlite: Engine, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    parsed = parse_query(query)
    with statements(bundled_sqlite) as seen:
        fast = search(bundled_sqlite, parsed, limit=50)
    if '"' not in query:
        ranked = next(s for s in seen if "ranked" in s)
        # The index alone found and scored the matches; only the reranked top rows read their text.
        matching = ranked.split("top AS")[0]
        assert "JOIN contribution " not in matching
    reference = joined_search(bundled_sqlite, monkeypatch, parsed, limit=50)
    assert fast.hits and rows(fast) == rows(reference)
    assert (fast.total, fast.total_capped) == (reference.total, reference.total_capped)


@pytest.mark.parametrize("query", QUERIES)
def test_small_filter_plan_gives_the_joined_rows(
    bundled_sqlite: Engine, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    parsed = parse_query(query)
    filters = SearchFilters(date_from=dt.date(2010, 2, 1), date_to=dt.date(2010, 2, 10))
    with statements(bundled_sqlite) as seen:
        fast = search(bundled_sqlite, parsed, filters, limit=50)
    assert any("+contribution_fts.rowid IN" in s for s in seen)
    reference = joined_search(bundled_sqlite, monkeypatch, parsed, filters, limit=50)
    assert fast.hits and rows(fast) == rows(reference)
    assert fast.total == reference.total


def test_small_member_filter_plan_gives_the_joined_rows(
    bundled_sqlite: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    filters = SearchFilters(member_ids=(_member_id(bundled_sqlite, "Tim Loughton"),))
    parsed = parse_query("case OR children")
    fast = search(bundled_sqlite, parsed, filters, limit=50)
    reference = joined_search(bundled_sqlite, monkeypatch, parsed, filters, limit=50)
    assert fast.hits and rows(fast) == rows(reference) and fast.total == reference.total


@pytest.mark.parametrize("query", QUERIES)
def test_large_filter_plan_gives_the_small_filter_rows(
    bundled_sqlite: Engine, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    parsed = parse_query(query)
    filters = SearchFilters(date_from=dt.date(2010, 1, 1), date_to=dt.date(2010, 12, 31))
    small = search(bundled_sqlite, parsed, filters, limit=50)
    # With a tiny bound every filter counts as large: the matches are joined to the table.
    monkeypatch.setattr(search_module, "FEW_ROWS", 10)
    with statements(bundled_sqlite) as seen:
        large = search(bundled_sqlite, parsed, filters, limit=50)
    assert not any("+contribution_fts.rowid IN" in s for s in seen)
    # The ranked window, or for quoted terms the full-text matches that Python checks.
    assert any("JOIN contribution " in s for s in seen if "bm25" in s)
    assert large.hits and rows(large) == rows(small) and large.total == small.total


def _exact_count(engine: Engine, query: str) -> int:
    """How many contributions match, counted without any cap (the joined plan, ids only)."""
    page = search(engine, parse_query(query), sort=SortOrder.NEWEST, limit=100_000)
    return len(page.hits)


@pytest.mark.parametrize("sort", [SortOrder.RELEVANCE, SortOrder.NEWEST])
def test_count_is_capped_at_a_thousand(bundled_store: Engine, sort: SortOrder) -> None:
    common = search(bundled_store, parse_query("hon"), sort=sort, limit=5)
    assert _exact_count(bundled_store, "hon") > COUNT_CAP
    assert (common.total, common.total_capped) == (COUNT_CAP, True)
    rarer = search(bundled_store, parse_query("friend"), sort=sort, limit=5)
    assert (rarer.total, rarer.total_capped) == (_exact_count(bundled_store, "friend"), False)
    assert 0 < rarer.total < COUNT_CAP


def test_capped_count_is_shown_as_a_thousand_plus(bundled_store: Engine) -> None:
    page = search(bundled_store, parse_query("hon"), limit=5)
    reply = SearchReply(understood="hon", total=page.total, total_capped=page.total_capped)
    assert reply.total_text() == "1,000+"


def test_filters_alone_are_counted_exactly(bundled_store: Engine) -> None:
    c = CONTRIBUTION_TABLE.c
    with bundled_store.connect() as conn:
        everything = conn.execute(select(func.count()).select_from(CONTRIBUTION_TABLE)).scalar_one()
        commons = conn.execute(select(func.count()).where(c.house == "House of Commons")).scalar_one()
    assert everything > COUNT_CAP
    page = search(bundled_store, None, SearchFilters(house="House of Commons"), SortOrder.NEWEST, limit=1)
    assert (page.total, page.total_capped) == (min(commons, COUNT_CAP), commons > COUNT_CAP)
