"""The quote finder: a sentence as someone remembers it -> who said it, when, the exact words.

Two steps, so it stays fast on a large store:

1. Candidates from the full-text index, cheapest queries first: the sentence's rarest words
   (by a capped count of the contributions holding each) all together, all but one (one
   misremembered), the three rarest and each pair of them; then pairs of adjacent words as
   phrases (the order of words picks a speech out even when every word is common); then
   any of the rarest words. A word the index does not know (a typo) drops out. The search
   stops at the first query that yields a near-certain match.
2. Each candidate is scored with rapidfuzz's partial ratio: the sentence against every
   stretch of the speech of the same length, across sentence ends, on text reduced to
   lower-case words (punctuation and spacing do not count). The best stretch, widened to
   whole words of the stored text, is the passage quoted.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from storage.insight import capped_match_count
from storage.models import Contribution
from storage.query import Clause, ParsedQuery, Term
from storage.search import SearchFilters, SortOrder, search

from commands.citations import formal_reference
from commands.core import HansardCore
from commands.replies import Problem

MAX_QUOTE_CHARS = 600
# Words counted for rarity: the longest ones of the sentence, at most this many.
MAX_WORDS_CHECKED = 12
RARITY_CAP = 50_000
CANDIDATES_PER_QUERY = 10
MAX_RESULTS = 5
# A candidate whose best stretch matches less than this (0-100) is not offered.
MIN_SCORE = 60.0
# A match this close (0-100) ends the search for candidates.
SURE_SCORE = 90.0
# Too common to pick candidates with (they would only widen the OR and cost time).
STOPWORDS = frozenset(
    (
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "and",
        "any",
        "are",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "can",
        "could",
        "did",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "few",
        "for",
        "friend",
        "from",
        "further",
        "gentleman",
        "had",
        "has",
        "have",
        "her",
        "here",
        "him",
        "his",
        "hon",
        "honourable",
        "how",
        "into",
        "its",
        "just",
        "lady",
        "may",
        "member",
        "might",
        "minister",
        "more",
        "most",
        "must",
        "nor",
        "not",
        "off",
        "once",
        "only",
        "onto",
        "other",
        "our",
        "out",
        "over",
        "own",
        "per",
        "right",
        "same",
        "shall",
        "she",
        "should",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "too",
        "under",
        "until",
        "upon",
        "very",
        "via",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    )
)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    row_id: int
    uri: str
    member: str | None
    party: str | None
    house: str | None
    date: dt.date | None
    title: str
    reference: str | None
    passage: str  # the stored words that match, exactly as stored
    score: float  # 0-100: how closely the passage matches the sentence given

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "member": self.member,
            "party": self.party,
            "house": self.house,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "reference": self.reference,
            "passage": self.passage,
            "score": self.score,
        }


@dataclass(slots=True)
class QuoteReply:
    text: str
    results: list[QuoteMatch] = field(default_factory=list)
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
            "results": [r.to_json() for r in self.results],
        }


@dataclass(frozen=True, slots=True)
class _Words:
    """Text reduced to lower-case words joined by single spaces, and where each word came from."""

    normal: str
    starts: list[int]  # where each word starts in ``normal``
    spans: list[tuple[int, int]]  # each word's span in the original text

    @classmethod
    def of(cls, text: str) -> _Words:
        found = list(_WORD.finditer(text))
        starts, position = [], 0
        for match in found:
            starts.append(position)
            position += len(match.group()) + 1
        return cls(" ".join(m.group().lower() for m in found), starts, [m.span() for m in found])

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text of the whole words that ``normal[start:end]`` touches."""
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(first, bisect.bisect_right(self.starts, max(start, end - 1)) - 1)
        return self.spans[first][0], self.spans[last][1]


def _single(word: str) -> Term:
    return Term((word,))


def _all_of(words: list[str] | tuple[str, ...]) -> ParsedQuery:
    return ParsedQuery(required=tuple(Clause((_single(w),)) for w in words))


def _word_pairs(sentence: str, unknown: set[str]) -> list[Term]:
    """Up to four pairs of adjacent words, spread over the sentence, as (stemmed) phrases: the
    words' order, which a misremembered quote mostly keeps, picks the speech out even when
    every word is common. Pairs with a word the index does not know (a typo) are left out."""
    words = sentence.split()
    pairs = [(a, b) for a, b in itertools.pairwise(words) if a not in unknown and b not in unknown and len(a + b) >= 7]
    if len(pairs) > 4:
        pairs = [pairs[round(i * (len(pairs) - 1) / 3)] for i in range(4)]
    return [Term(pair) for pair in dict.fromkeys(pairs)]


def _candidate_queries(rarest: list[str], pairs: list[Term]) -> list[ParsedQuery]:
    """Where the sentence may be, cheapest first: all of its six rarest known words, all but one
    of them (one misremembered), all of the three rarest and each pair of them; then two of
    its word pairs together (phrases cost more); then any of the six rarest words."""
    six, three = rarest[:6], rarest[:3]
    groups: list[tuple[str, ...]] = []
    if len(six) >= 4:
        groups.append(tuple(six))
        groups += [tuple(w for w in six if w != left_out) for left_out in six]
    if len(three) >= 2:
        groups.append(tuple(three))
    if len(three) == 3:
        groups += list(itertools.combinations(three, 2))
    queries = [_all_of(words) for words in dict.fromkeys(groups)]
    combined = dict.fromkeys((pairs[i], pairs[j]) for i, j in ((0, 2), (1, 3), (0, 1), (2, 3)) if j < len(pairs))
    queries += [ParsedQuery(required=(Clause((first,)), Clause((second,)))) for first, second in combined]
    queries.append(ParsedQuery(required=(Clause(tuple(_single(w) for w in six)),)))
    return queries


def _match(row: Contribution, row_id: int, passage: str, score: float) -> QuoteMatch:
    return QuoteMatch(
        row_id=row_id,
        uri=row.uri,
        member=row.speaker,
        party=row.party,
        house=row.house,
        date=row.sitting_date,
        title=row.title,
        reference=formal_reference(row.house, row.sitting_date, row.references),
        passage=passage,
        score=score,
    )


def _best_passage(sentence: str, row: Contribution) -> tuple[float, str]:
    words = _Words.of(row.text)
    if not words.normal:
        return 0.0, ""
    if len(words.normal) < len(sentence):
        # A speech shorter than the sentence cannot hold it: compare the two whole (a partial
        # ratio would match the short speech against any part of the sentence).
        return round(fuzz.ratio(sentence, words.normal), 1), row.text
    found = fuzz.partial_ratio_alignment(sentence, words.normal)
    if found is None:
        return 0.0, ""
    start, end = words.original_span(found.dest_start, found.dest_end)
    return round(found.score, 1), row.text[start:end]


def find_quote(core: HansardCore, text: str, filters: SearchFilters | None = None) -> QuoteReply:
    """Where the sentence ``text`` (misremembered, misspelt, unpunctuated) was said, best first."""
    text = " ".join(text.split())[:MAX_QUOTE_CHARS]
    reply = QuoteReply(text=text)
    sentence = _Words.of(text).normal
    distinct = list(dict.fromkeys(w for w in sentence.split() if len(w) >= 3 and w not in STOPWORDS))
    if len(sentence.split()) < 3 or not distinct:
        reply.problem = Problem.NO_USABLE_WORDS
        reply.message = "Paste a sentence of at least a few words to look for."
        return reply
    checked = sorted(distinct, key=len, reverse=True)[:MAX_WORDS_CHECKED]
    counts = {w: capped_match_count(core.engine, w, RARITY_CAP) for w in checked}
    rarest = sorted((w for w in checked if counts[w] > 0), key=lambda w: (counts[w], -len(w)))
    scored: list[QuoteMatch] = []
    seen: set[int] = set()
    unknown = {w for w in checked if counts[w] == 0}
    for query in _candidate_queries(rarest, _word_pairs(sentence, unknown)) if rarest else []:
        page = search(core.engine, query, filters or SearchFilters(), SortOrder.RELEVANCE, limit=CANDIDATES_PER_QUERY)
        for row in (hit.contribution for hit in page.hits):
            if row.id is None or row.id in seen:
                continue
            seen.add(row.id)
            score, passage = _best_passage(sentence, row)
            if score >= MIN_SCORE:
                scored.append(_match(row, row.id, passage, score))
        if any(match.score >= SURE_SCORE for match in scored):
            break  # found: the costlier queries that follow would only add weaker matches
    scored.sort(key=lambda m: (-m.score, m.date or dt.date.min))
    reply.results = scored[:MAX_RESULTS]
    if not reply.results:
        reply.problem = Problem.NO_RESULTS
        reply.message = "No contribution in the loaded Hansard says anything close to that."
    return reply
