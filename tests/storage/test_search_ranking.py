"""Relevance puts the speeches that use the words first, on the bundled real data, on both back ends.

A match in the speech's own words ranks above a match only through its debate
title, and a one-line interjection ("Will my hon. Friend give way?", "rose—",
"Order.") below a speech that uses the words.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from storage.models import CONTRIBUTION_TABLE
from storage.query import parse_query
from storage.search import INTERJECTION_CHARS, MARK_START, SearchHit, search

# Words of different kinds: in a Bill's title and its speeches (asbestos, slavery, sunbeds),
# in clause headings (referendum), everywhere (give way, order), in oral questions (tuberculosis).
QUERIES = [
    "asbestos",
    "asbestos -pleural",
    "slavery",
    "sunbeds",
    "referendum",
    "friend give way",
    "order",
    "tuberculosis",
]


def _tier(hit: SearchHit) -> int:
    """0: a speech using the words, 1: an interjection using them, 2 and 3: the same matching only through the title."""
    own_words = hit.highlighted is not None and MARK_START in hit.highlighted
    short = len(hit.contribution.text) < INTERJECTION_CHARS
    return (0 if own_words else 2) + (1 if short else 0)


@pytest.mark.parametrize("query", QUERIES)
def test_speeches_using_the_words_come_first(bundled_store: Engine, query: str) -> None:
    page = search(bundled_store, parse_query(query), limit=10)
    assert page.hits
    tiers = [_tier(hit) for hit in page.hits]
    assert tiers == sorted(tiers), (query, tiers)


@pytest.mark.parametrize("word", ["asbestos", "slavery", "sunbeds", "referendum", "tuberculosis", "dairy"])
def test_top_five_quote_the_word(bundled_store: Engine, word: str) -> None:
    page = search(bundled_store, parse_query(word), limit=5)
    with bundled_store.connect() as conn:
        # Speeches whose own text holds the word (its stem, as the index sees it), without the index.
        containing = conn.execute(
            select(func.count()).where(func.lower(CONTRIBUTION_TABLE.c.text).contains(word[:6]))
        ).scalar_one()
    quoting = [hit for hit in page.hits if hit.highlighted is not None and MARK_START in hit.highlighted]
    assert len(quoting) == min(5, containing, len(page.hits)) and quoting == page.hits[: len(quoting)]


def test_interjections_rank_below_speeches(bundled_store: Engine) -> None:
    # "Will my hon. Friend give way?" and "I am happy to be helped out by my hon. Friend."
    # are in the asbestos Bill's debate; a speech using the words ranks first.
    page = search(bundled_store, parse_query("friend give way"), limit=5)
    assert page.hits and all(len(hit.contribution.text) >= INTERJECTION_CHARS for hit in page.hits)
