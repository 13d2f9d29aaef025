"""``search`` against a slow reference on the bundled data, on both back ends.

The reference takes every match at once -- quoted terms checked in SQL on every full-text
match (REGEXP on SQLite, ``~*`` on PostgreSQL), no window, no early stop -- and applies
the documented rules in Python: the newest RANK_WINDOW matches, ranked; the best
RERANK_TOP of them in tiers; the count capped at COUNT_CAP. ``search`` must give the same
page and count whatever plan it takes (on SQLite, quoted terms are checked in Python on
as few matches as the page needs). The bounds are also made small, so that the window,
the cap and the reranked top all cut through the bundled matches.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select

from storage import search as search_module
from storage.models import CONTRIBUTION_TABLE
from storage.query import parse_query
from storage.search import SearchFilters, SortOrder, search

FIXED_QUERIES = [
    '"serious case review"',
    '"yarl\'s wood"',
    '"the government"',
    '"of the"',
    '"hon. friend"',
    '"secretary of state" OR "minister"',
    '"local authority" children',
    'children -"local authority"',
    '"the"',
    "school",
    "children OR families",
    "government -minister",
    "serious case reviews",
    '"case reviews"',
    '"reviews"',
    '"prime minister" "questions"',
]


@dataclass(frozen=True)
class Bounds:
    window: int
    cap: int
    top: int


BOUNDS = [Bounds(10_000, 1_000, 200), Bounds(40, 25, 8)]
PAGES = [(10, 0), (10, 5), (10, 30)]


def _phrases_from_stored_text(engine: Engine, count: int) -> list[str]:
    """Two and three words cut from stored speeches, quoted: phrases people copy out."""
    c = CONTRIBUTION_TABLE.c
    with engine.connect() as conn:
        texts = [t for (t,) in conn.execute(select(c.text).order_by(c.uri).limit(400))]
    rng = random.Random(19)
    phrases = []
    for body in rng.sample(texts, len(texts)):
        words = [re.sub(r"[^\w']", "", w) for w in body.split()]
        words = [w for w in words if w]
        if len(words) < 4:
            continue
        size = rng.choice((2, 3))
        start = rng.randrange(len(words) - size)
        phrases.append('"' + " ".join(words[start : start + size]) + '"')
        if len(phrases) == count:
            break
    return phrases


def _reference(
    engine: Engine, query: str, filters: SearchFilters, bounds: Bounds, limit: int, offset: int
) -> tuple[list[int], int]:
    """The page's ids and the uncapped window size, from every match at once."""
    postgres = engine.dialect.name == "postgresql"
    parsed = parse_query(query)
    c = CONTRIBUTION_TABLE.c
    with engine.connect() as conn:
        m = search_module._matching(conn, postgres, parsed, filters, SortOrder.RELEVANCE)
        own = m.text_score if m.text_score is not None else m.text_score_of_top
        assert own is not None
        every = conn.execute(m.matching.add_columns(m.score, own).order_by(m.newest_first)).all()
        window = every[: bounds.window]
        ids = [row[0] for row in window]
        lengths = {i: n for i, n in conn.execute(select(c.id, func.length(c.text)).where(c.id.in_(ids)))} if ids else {}
    score = {row[0]: float(row[1]) for row in window}
    own_score = {row[0]: float(row[2]) for row in window}
    best = sorted(ids, key=lambda i: (score[i], -i))

    def tier(i: int) -> int:
        short = lengths[i] < search_module.INTERJECTION_CHARS
        if own_score[i] == 0:
            return 4 if short else 3
        return 1 if short else 0

    top = best[: bounds.top]
    order = {i: (tier(i) if i in top else 2, score[i], -i) for i in ids}
    return sorted(ids, key=lambda i: order[i])[offset : offset + limit], len(window)


def _filters(engine: Engine) -> list[SearchFilters]:
    c = CONTRIBUTION_TABLE.c
    with engine.connect() as conn:
        member = conn.execute(select(c.member_id).where(c.member_name == "Tim Loughton").limit(1)).scalar_one()
    return [
        SearchFilters(),
        SearchFilters(member_ids=(int(member),)),
        SearchFilters(date_from=dt.date(2010, 2, 1), date_to=dt.date(2010, 2, 10)),
        SearchFilters(house="House of Commons"),
    ]


@pytest.mark.parametrize("bounds", BOUNDS, ids=["bounds as shipped", "small bounds"])
def test_search_gives_the_reference_page_and_count(
    bundled_store: Engine, monkeypatch: pytest.MonkeyPatch, bounds: Bounds
) -> None:
    monkeypatch.setattr(search_module, "RANK_WINDOW", bounds.window)
    monkeypatch.setattr(search_module, "COUNT_CAP", bounds.cap)
    monkeypatch.setattr(search_module, "RERANK_TOP", bounds.top)
    queries = FIXED_QUERIES + _phrases_from_stored_text(bundled_store, 30)
    compared = found = 0
    for filters in _filters(bundled_store):
        for query in queries:
            for limit, offset in PAGES:
                page = search(bundled_store, parse_query(query), filters, limit=limit, offset=offset)
                ids, window = _reference(bundled_store, query, filters, bounds, limit, offset)
                where = f"{query} {filters} page {limit}+{offset}"
                assert [hit.contribution.id for hit in page.hits] == ids, where
                assert (page.total, page.total_capped) == (min(window, bounds.cap), window > bounds.cap), where
                compared += 1
                found += bool(ids)
    # The comparison is not vacuous: a third of the pages (filters and far pages included) hold rows.
    assert found > compared // 3
