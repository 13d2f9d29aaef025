"""In-memory name index: match what users type to Members and Bills.

Pure Python over plain `NameEntry` values; the caller builds the entries from
the store (or the bundled CSVs) and keeps them in memory. No database code and
no Discord code here.

Design (why it is fast enough: p95 < 5 ms for 10,000 names on 2 cores)
-----------------------------------------------------------------------
* Build time: every name and alias is normalised once into one or more *keys*
  (``"lord sharpe of epsom"``, ``"sharpe of epsom"``, ``"lord sharpe"``,
  ``"sharpe"``; ``"tim loughton"``, ``"loughton"``), with a token-sorted copy.
  Keys are indexed three ways: token -> keys (postings), a sorted vocabulary of
  tokens (for fuzzy token lookup) and a sorted list of key suffixes starting at
  each word (for prefix search with `bisect`).
* Query time: each query token is looked up exactly, and fuzzily against the
  *vocabulary* (a few thousand short strings, ~0.1 ms with `fuzz.ratio` and a
  score cutoff) rather than against every name. Only keys sharing a (fuzzy)
  token with the query are scored, so a query touches tens to a few hundred
  keys instead of 10,000 names; a large candidate set is cut to the top 64 by
  `process.extract` (C loop) before the final Python-level rescoring.
* Scores are 0-100. Members: the better of `fuzz.ratio` on the normalised key
  and on its token-sorted form (word order forgiven). Bills additionally get a
  token-set score scaled by how much of the title the query covers (people
  shorten bill titles), minus a penalty when an explicit qualifier disagrees
  (Bill vs Act, [HL], year, Draft).

Confidence: `MatchResult.best` is set only when the top entry scores at least
`BEST_MIN_SCORE` and is `BEST_MARGIN` ahead of the next *different* entry, or
matches a whole name, alias or surname exactly when no other entry does; two
entries with one display name (one person in two houses, two bishops of one
see) therefore always come back as candidates, with their ``detail``.
``weight`` only orders ties; it never turns an ambiguity into a guess.

Member aliases (`member_aliases_for`): rows apply regardless of their date
range unless ``on`` is given, so "The Prime Minister" is ambiguous (Blair,
Brown, Cameron, Major) by default and resolves to Gordon Brown ``on`` 2010-02-05.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from rapidfuzz import fuzz, process

from commands.bill_titles import (
    BILL_STOP_WORDS,
    NO_QUALIFIERS,
    YEAR,
    BillQualifiers,
    parse_bill_title,
    qualifier_penalty,
)
from commands.folding import fold

__all__ = [
    "BEST_MARGIN",
    "BEST_MIN_SCORE",
    "CANDIDATE_MIN_SCORE",
    "MatchResult",
    "MemberAliasRow",
    "NameEntry",
    "NameIndex",
    "NameMatch",
    "SeatTerm",
    "member_aliases_for",
    "normalise_member_name",
]

# A confident match: at least this score and this far ahead of the runner-up.
BEST_MIN_SCORE = 88.0
BEST_MARGIN = 5.0
# A Bill title that may be another Bill's scores at most this: offered, never chosen.
# "Climate Change Bill" is a whole title (the 2008 Act's Bill), not a short form of the
# Climate Change (Sectoral Targets) Bill; "Energy Bill" is not the Green Energy (...) Bill.
NOT_THIS_BILL_SCORE = BEST_MIN_SCORE - 1.0
# Below this nothing is offered at all ("zzzzqqq" should list nobody).
CANDIDATE_MIN_SCORE = 70.0
# Candidates are the entries within this many points of the top one.
CANDIDATE_SPREAD = 15.0
MAX_CANDIDATES = 10
MAX_AUTOCOMPLETE = 25  # Discord's limit on autocomplete choices
LABEL_MAX = 100  # Discord's limit on a choice's name

# Inputs are capped so a pasted essay cannot cost more than a question.
_MAX_QUERY_CHARS = 200
_MAX_QUERY_TOKENS = 8
_MAX_TEXT_CHARS = 1000
_MAX_SPAN_TOKENS = {"member": 6, "bill": 12}
_MAX_SPANS = 80
_PREFILTER = 64  # keys kept for the Python-level rescoring
_PREFIX_TOKENS = 40  # vocabulary words expanded from a typed word prefix
_TOKEN_CACHE_SIZE = 4096
_SAME_WORD = 80.0  # fuzz.ratio at which two words are one word mistyped


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class NameEntry:
    """One thing that can be named: a Member (in one house) or a Bill.

    ``key`` is what the caller uses to find it again (a member row id, a bill
    title); ``weight`` breaks ties and orders autocomplete (e.g. contributions).
    """

    key: int | str
    name: str
    detail: str = ""
    aliases: tuple[str, ...] = ()
    weight: float = 0.0
    # Bills only: the calendar years of the sessions it was debated in ("2009-10" gives 2009 and
    # 2010), so an Act of another year ("Energy Act 2013" for a 2009-10 Energy Bill) is another Bill.
    years: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NameMatch:
    """An entry with how well it matched (0-100) and which name or alias matched.

    ``span`` is set by `NameIndex.find_in_text`: the character range of the
    mention in the text searched, so the caller can cut it out of the topic.
    """

    entry: NameEntry
    score: float
    matched: str
    span: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        """``"name (detail)"`` cut to Discord's 100-character choice limit."""
        text = f"{self.entry.name} ({self.entry.detail})" if self.entry.detail else self.entry.name
        text = text.strip() or str(self.entry.key)
        return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


@dataclass(frozen=True)
class MatchResult:
    """``best`` when confident and unambiguous; otherwise up to 10 ``candidates``.

    Both empty means nothing plausible. When ``best`` is set ``candidates`` is
    empty, so ``ambiguous`` (the caller must ask the user) is simply "no best
    but something to choose from" - which includes a single weak candidate.
    """

    best: NameMatch | None
    candidates: tuple[NameMatch, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.best is None and bool(self.candidates)


class MemberAliasRow(Protocol):
    """The shape of a ``member_aliases.csv`` row (`storage.reference_data.MemberAlias`)."""

    @property
    def match_type(self) -> str: ...
    @property
    def match_value(self) -> str: ...
    @property
    def alternate(self) -> str: ...
    @property
    def from_date(self) -> dt.date | None: ...
    @property
    def to_date(self) -> dt.date | None: ...


# --------------------------------------------------------------------------- normalisation

# Dropped anywhere in a member name: forms of address and post-nominals.
_HONORIFICS = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "hon", "honourable", "rh",
        "mp", "msp", "qc", "kc", "obe", "mbe", "cbe", "kbe", "dbe", "rev", "revd",
        "reverend", "prof", "professor", "cllr", "the",
    }
)  # fmt: skip
# Dropped only before another honorific ("Right Honourable", "Most Reverend").
_HONORIFIC_PREFIXES = frozenset({"right", "rt", "most", "very"})
# Lords styles; kept in the name but also stripped to make extra keys.
# Rank words that Commons Members are styled with too ("Lady Hermon").
_COMMONS_STYLES = frozenset({"lady"})
_RANKS = frozenset(
    {
        "lord", "lady", "baroness", "baron", "viscount", "viscountess", "earl", "countess",
        "marquess", "marquis", "marchioness", "duke", "duchess", "bishop", "archbishop",
        "prince", "princess",
    }
)  # fmt: skip
_NAME_SUFFIXES = {"junior": "jnr", "jr": "jnr", "senior": "snr", "sr": "snr"}
_MEMBER_GLUE = frozenset({"of", "and"})


def _member_tokens(text: str) -> list[str]:
    tokens = [_NAME_SUFFIXES.get(t, t) for t in fold(text).split()]
    kept: list[str] = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in _HONORIFICS:
            continue
        if token in _HONORIFIC_PREFIXES and following in _HONORIFICS:
            continue
        # "The Lord Bishop of Z" is called "the Bishop of Z".
        if token == "lord" and following in ("bishop", "archbishop"):
            continue
        kept.append(token)
    # Never normalise a name away entirely ("Mr" alone stays "mr").
    return kept or tokens


def normalise_member_name(text: str) -> str:
    """Member name for matching: folded, honorifics removed, Lords rank kept.

    >>> normalise_member_name("The Rt Hon. Sir Peter Tapsell MP")
    'peter tapsell'
    >>> normalise_member_name("The Lord Bishop of St. Albans")
    'bishop of st albans'
    """
    return " ".join(_member_tokens(text))


def _member_forms(norm: str, *, surnames: bool) -> list[str]:
    """Extra keys for one normalised name, the name itself first.

    Lords ("lord sharpe of epsom"): without the rank, without the territorial
    part, and the bare title name. Commons ("iain duncan smith", when
    ``surnames``): every tail of the name, so a surname alone finds it. Titles
    of the form "Bishop of Z" / "Earl of Arran" get nothing extra: "Blackburn"
    alone would also hit Lord Patel of Blackburn.
    """
    tokens = norm.split()
    forms = [norm]
    if not tokens:
        return forms
    if tokens[0] in _RANKS:
        rest = tokens[1:]
        if rest and rest[0] != "of":
            forms.append(" ".join(rest))
            if "of" in rest:
                base = rest[: rest.index("of")]
                forms.append(" ".join([tokens[0], *base]))
                forms.append(" ".join(base))
    elif surnames and len(tokens) > 1:
        core = tokens[:-1] if tokens[-1] in ("jnr", "snr") and len(tokens) > 2 else tokens
        forms.extend(" ".join(core[k:]) for k in range(1, len(core)) if core[k] not in _MEMBER_GLUE)
        if core is not tokens:
            forms.append(" ".join(tokens[1:]))
    return forms


# --------------------------------------------------------------------------- aliases

# A seat a member held: (constituency, from, to); None dates are open-ended.
SeatTerm = tuple[str, dt.date | None, dt.date | None]


def _overlaps(a_from: dt.date | None, a_to: dt.date | None, b_from: dt.date | None, b_to: dt.date | None) -> bool:
    return (a_from is None or b_to is None or a_from <= b_to) and (a_to is None or b_from is None or b_from <= a_to)


def member_aliases_for(
    entries: Iterable[NameEntry],
    aliases: Iterable[MemberAliasRow],
    *,
    constituencies: Mapping[int | str, Iterable[SeatTerm]] | None = None,
    on: dt.date | None = None,
) -> list[NameEntry]:
    """Entries with the ``member_aliases.csv`` names added to their aliases.

    * ``fullname``: the alternate applies to every entry whose name is the
      match value (two people called Alan Williams both get it: the file does
      not say which). Office rows whose value is no member ("Attorney General")
      match nobody and are dropped.
    * ``lastname``: a misspelt surname ("Milliband") becomes an alias with the
      surname replaced, for every entry with that surname.
    * ``constituency``: applies to the entries that held the seat (per
      ``constituencies[key]``: seat, from, to) during the row's date range -
      the seat outlives its members ("Angela C Smith" for Sheffield
      Hillsborough 2005-10 is not Helen Jackson, who sat there until 2005).
      Skipped when ``constituencies`` is not given.

    Date ranges are ignored unless ``on`` is given, when only rows in force on
    that day apply (for a debate of known date).
    """
    entries = list(entries)
    by_name: dict[str, list[int]] = {}
    by_surname: dict[str, list[int]] = {}
    by_seat: dict[str, list[tuple[int, dt.date | None, dt.date | None]]] = {}
    for i, entry in enumerate(entries):
        norm = normalise_member_name(entry.name)
        by_name.setdefault(norm, []).append(i)
        words = entry.name.split()
        if len(words) > 1 and fold(words[0]) not in _RANKS:
            by_surname.setdefault(fold(words[-1]), []).append(i)
        for seat, held_from, held_to in (constituencies or {}).get(entry.key, ()):
            by_seat.setdefault(fold(seat), []).append((i, held_from, held_to))

    extra: dict[int, list[str]] = {}
    for row in aliases:
        if on is not None and (
            (row.from_date is not None and on < row.from_date) or (row.to_date is not None and on > row.to_date)
        ):
            continue
        if row.match_type == "fullname":
            for i in by_name.get(normalise_member_name(row.match_value), ()):
                extra.setdefault(i, []).append(row.alternate)
        elif row.match_type == "lastname":
            for i in by_surname.get(fold(row.match_value), ()):
                words = entries[i].name.split()
                extra.setdefault(i, []).append(" ".join([*words[:-1], row.alternate]))
        elif row.match_type == "constituency":
            for i, held_from, held_to in by_seat.get(fold(row.match_value), ()):
                if not _overlaps(row.from_date, row.to_date, held_from, held_to):
                    continue
                extra.setdefault(i, []).append(row.alternate)

    result: list[NameEntry] = []
    for i, entry in enumerate(entries):
        if i not in extra:
            result.append(entry)
            continue
        # Drop alternates that normalise to something the entry already has
        # ("Mackinlay" for "MacKinlay", "Opik" for "Öpik").
        seen = {normalise_member_name(entry.name), *(normalise_member_name(a) for a in entry.aliases)}
        added: list[str] = []
        for alternate in extra[i]:
            norm = normalise_member_name(alternate)
            if norm and norm not in seen:
                seen.add(norm)
                added.append(html.unescape(alternate))
        result.append(replace(entry, aliases=(*entry.aliases, *added)) if added else entry)
    return result


# --------------------------------------------------------------------------- find_in_text helpers

_TEXT_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
# Single lower-case words that are also surnames or peerage names; alone in a
# question ("what was the best approach") they are far more likely English.
# A capitalised word, or the name with a first name or title, still matches.
_COMMON_WORDS = frozenset(
    {
        "a", "about", "above", "act", "after", "again", "all", "also", "am", "an", "and", "any", "are",
        "as", "ask", "asked", "at", "back", "bad", "bacon", "baker", "banks", "be", "been", "before",
        "bell", "best", "better", "big", "bill", "bird", "black", "bone", "bond", "both", "brake", "bridge",
        "bridges", "bright", "brown", "burns", "but", "by", "cable", "can", "care", "carter", "case",
        "cash", "castle", "church", "clay", "cook", "cross", "cut", "day", "dean", "did", "do", "does",
        "down", "east", "england", "fair", "faith", "few", "field", "fisher", "for", "fox", "free", "from",
        "gale", "gamble", "good", "gray", "green", "grey", "hall", "hands", "hard", "has", "have", "he",
        "hill", "hood", "hope", "house", "how", "hunt", "hunter", "if", "in", "into", "is", "it", "joy",
        "just", "keen", "king", "lamb", "lane", "law", "lee", "little", "long", "lord", "love", "major",
        "man", "march", "marshall", "mason", "may", "me", "mills", "more", "moss", "most", "my", "new",
        "no", "north", "not", "now", "of", "old", "on", "or", "our", "over", "page", "park", "parker",
        "past", "peace", "pope", "power", "price", "rich", "rose", "rush", "said", "say", "says", "sharp",
        "short", "should", "small", "so", "some", "south", "speed", "stone", "strong", "summers", "swift",
        "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to",
        "turner", "up", "wall", "walker", "ward", "was", "we", "well", "were", "west", "what", "when",
        "where", "which", "white", "who", "why", "will", "wise", "with", "wood", "woods", "would", "wright",
        "year", "young", "you"
    }
)  # fmt: skip
# Words that may start a mention ("Lord Best", "Mr Straw"); "the" may not,
# or "the best" would count as titled.
_TEXT_LEAD = (_HONORIFICS - {"the"}) | _RANKS
_TEXT_FUZZY_CUTOFF = 85.0  # stricter than for typed names: most words in a question are not names

_Role = Literal["name", "fuzzy", "lead", "glue", "tail", "other"]
# A word of a question: start, end, folded form, role.
_TextWord = tuple[int, int, str, _Role]


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True, slots=True)
class _Hit:
    score: float
    entry: int
    key: int


class NameIndex:
    """Members or Bills by name, built once from plain entries."""

    def __init__(self, entries: Iterable[NameEntry], kind: Literal["member", "bill"]) -> None:
        self._kind: Literal["member", "bill"] = kind
        self._entries: list[NameEntry] = list(entries)
        # Per key (parallel lists): the normalised text, its token-sorted form,
        # word count, owning entry, the name/alias it came from, bill qualifiers.
        self._keys: list[str] = []
        self._sorted_keys: list[str] = []
        self._key_words: list[int] = []
        self._key_entry: list[int] = []
        self._key_source: list[str] = []
        self._key_quals: list[BillQualifiers] = []
        self._postings: dict[str, list[int]] = {}
        for index, entry in enumerate(self._entries):
            self._add_entry(index, entry)
        self._vocab: list[str] = sorted(self._postings)
        self._build_prefixes()
        self._by_weight: list[int] = sorted(
            range(len(self._entries)), key=lambda i: (-self._entries[i].weight, self._entries[i].name)
        )
        self._token_cache: dict[tuple[str, bool], tuple[str, ...]] = {}

    @classmethod
    def for_members(cls, entries: Iterable[NameEntry]) -> NameIndex:
        """Member rules: honorifics dropped, Lords styles and surnames alone match."""
        return cls(entries, "member")

    @classmethod
    def for_bills(cls, entries: Iterable[NameEntry]) -> NameIndex:
        """Bill rules: Bill/Act, [HL], year, "the"/"of"/"and" and partial titles forgiven."""
        return cls(entries, "bill")

    def __len__(self) -> int:
        return len(self._entries)

    # ------------------------------------------------------------------ build

    def _forms(self, text: str, *, is_alias: bool) -> list[tuple[str, BillQualifiers]]:
        if self._kind == "bill":
            content, quals = parse_bill_title(text)
            return [(" ".join(content), quals)] if content else []
        norm = normalise_member_name(text)
        # Aliases may be offices ("The Prime Minister"): no surname keys from those.
        return [(form, NO_QUALIFIERS) for form in _member_forms(norm, surnames=not is_alias) if form]

    def _add_entry(self, index: int, entry: NameEntry) -> None:
        seen: set[tuple[str, BillQualifiers]] = set()
        sources = [(entry.name, False), *((alias, True) for alias in entry.aliases)]
        for source, is_alias in sources:
            for form, quals in self._forms(source, is_alias=is_alias):
                if (form, quals) in seen:
                    continue
                seen.add((form, quals))
                key_id = len(self._keys)
                words = form.split()
                self._keys.append(form)
                self._sorted_keys.append(" ".join(sorted(words)))
                self._key_words.append(len(words))
                self._key_entry.append(index)
                self._key_source.append(source)
                self._key_quals.append(quals)
                for position, word in enumerate(words):
                    # Rank words and "of" are in hundreds of Lords' names: as
                    # postings they would only make every query slow. A rank word
                    # that is a surname ("John Baron", "Michael Lord") is posted.
                    if self._kind == "member" and (
                        word in _MEMBER_GLUE or (word in _RANKS and position == 0 and len(words) > 1)
                    ):
                        continue
                    postings = self._postings.setdefault(word, [])
                    if not postings or postings[-1] != key_id:
                        postings.append(key_id)

    def _build_prefixes(self) -> None:
        """Sorted key suffixes (from each word on) for `bisect` prefix search.

        ``inner`` marks a suffix not at the start of its key (typing "epsom"
        finds Lord Sharpe of Epsom, after names that start with "epsom").
        Prefixes of one or two letters match thousands of suffixes, so their
        top entries are precomputed instead of scanned per keystroke.
        """
        suffixes: list[tuple[str, int, bool]] = []
        glue = BILL_STOP_WORDS if self._kind == "bill" else _MEMBER_GLUE
        for key_id, key in enumerate(self._keys):
            words = key.split()
            for start in range(len(words)):
                if start == 0 or words[start] not in glue:
                    suffixes.append((" ".join(words[start:]), key_id, start > 0))
        suffixes.sort()
        self._prefix_text: list[str] = [s for s, _, _ in suffixes]
        self._prefix_ref: list[tuple[int, bool]] = [(k, inner) for _, k, inner in suffixes]

        tiers: dict[str, dict[int, int]] = {}
        for text, key_id, inner in suffixes:
            entry = self._key_entry[key_id]
            for size in (1, 2):
                if len(text) >= size:
                    best = tiers.setdefault(text[:size], {})
                    best[entry] = min(best.get(entry, 2), 1 if inner else 0)
        self._short_prefix: dict[str, list[tuple[int, int]]] = {}
        for prefix, by_entry in tiers.items():
            self._short_prefix[prefix] = heapq.nsmallest(
                MAX_AUTOCOMPLETE,
                ((tier, entry) for entry, tier in by_entry.items()),
                key=lambda te: (te[0], -self._entries[te[1]].weight, self._entries[te[1]].name),
            )

    # ------------------------------------------------------------------ query helpers

    def _normalise_query(self, text: str) -> tuple[str, BillQualifiers]:
        text = text[:_MAX_QUERY_CHARS]
        if self._kind == "bill":
            content, quals = parse_bill_title(text)
            return " ".join(content), quals
        return normalise_member_name(text), NO_QUALIFIERS

    def _similar_tokens(self, token: str, *, prefix: bool) -> tuple[str, ...]:
        """Vocabulary words that ``token`` may stand for: itself, typos, and
        (for the word being typed) words it begins."""
        cached = self._token_cache.get((token, prefix))
        if cached is not None:
            return cached
        found: list[str] = []
        if token in self._postings:
            found.append(token)
        if len(token) >= 3:
            # Short words need a stricter cutoff: one letter wrong in "jak" is 86.
            cutoff = 80.0 if len(token) <= 4 else 72.0
            for word, _, _ in process.extract(token, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=10):
                if word != token:
                    found.append(word)
        if prefix and len(token) >= 2:
            start = bisect.bisect_left(self._vocab, token)
            end = bisect.bisect_left(self._vocab, token + "\x7f", lo=start)
            found.extend(w for w in self._vocab[start : min(end, start + _PREFIX_TOKENS)] if w != token)
        result = tuple(found)
        if len(self._token_cache) >= _TOKEN_CACHE_SIZE:
            self._token_cache.clear()
        self._token_cache[(token, prefix)] = result
        return result

    def _score(self, query: str, query_sorted: str, query_words: int, quals: BillQualifiers,
               key_id: int, typing: bool) -> float:  # fmt: skip
        key = self._keys[key_id]
        score = max(fuzz.ratio(query, key), fuzz.ratio(query_sorted, self._sorted_keys[key_id]))
        if typing and len(query) >= 3 and len(key) > len(query):
            # Autocomplete: compare with as much of the name as has been typed.
            score = max(score, fuzz.ratio(query, key[: len(query)]))
        if self._kind == "bill":
            key_words = self._key_words[key_id]
            if query_words <= key_words:
                cover = 0.85 + 0.15 * query_words / key_words  # a shortened title
            else:
                cover = 0.6 + 0.4 * key_words / query_words  # words the title lacks
            score = max(score, fuzz.token_set_ratio(query, key) * cover)
            score -= qualifier_penalty(quals, self._key_quals[key_id])
            if self._may_be_another_bill(query, query_words, quals, key_id):
                score = min(score, NOT_THIS_BILL_SCORE)
        return max(0.0, min(100.0, score))

    def _may_be_another_bill(self, query: str, query_words: int, quals: BillQualifiers, key_id: int) -> bool:
        """Whether a query that fits this title may name another Bill, one not loaded.

        * Said as a whole title ("... Bill", "... Act 2008") that is a run of this title's
          words: "Climate Change Bill" is not the Climate Change (Sectoral Targets) Bill,
          "Constitutional Reform Bill" (2004-05) not the Constitutional Reform and
          Governance Bill, "Finance Bill" not the Finance (No. 2) Bill. Without "Bill" a
          part still names it ("sunbeds", "flood and water", "constitutional reform").
        * One word that is not how the title starts: "energy" is as likely the Energy
          Bill as the Green Energy (Definition and Promotion) Bill.
        * Said as a Bill or Act but the Draft (or not the Draft) is loaded.
        * An Act of a year in none of the sessions of this Bill ("Energy Act 2013").
        An exact name or alias ("Terrorism Asset-freezing Bill") is never a part.
        """
        key_quals = self._key_quals[key_id]
        if query_words < self._key_words[key_id]:
            if quals.kind is not None and self._run_of(query.split(), self._keys[key_id].split()):
                return True
            if query_words == 1 and fuzz.ratio(query, self._keys[key_id].split()[0]) < _SAME_WORD:
                return True
        if quals.kind is not None and quals.draft != key_quals.draft:
            return True
        return self._other_year(quals, key_id)

    @staticmethod
    def _run_of(words: list[str], title: list[str]) -> bool:
        """Whether ``words`` are consecutive words of ``title`` (one word mistyped still counts).

        Such a part of a title can be a whole title ("Climate Change" of Climate Change
        (Sectoral Targets)); words picked from across it ("damages asbestos no 2") cannot.
        """
        for start in range(len(title) - len(words) + 1):
            if all(
                word == title[start + i] or fuzz.ratio(word, title[start + i]) >= _SAME_WORD
                for i, word in enumerate(words)
            ):
                return True
        return False

    def _other_year(self, quals: BillQualifiers, key_id: int) -> bool:
        years = self._entries[self._key_entry[key_id]].years
        return bool(quals.year and years and self._key_quals[key_id].year is None and quals.year not in years)

    def _rank(self, query: str, quals: BillQualifiers, *, typing: bool = False) -> list[_Hit]:
        """Entries sharing a (fuzzy) word with ``query``, best first, one hit each."""
        words = query.split()
        if not words:
            return []
        candidates: set[int] = set()
        considered = words[:_MAX_QUERY_TOKENS]
        for position, word in enumerate(considered):
            is_last = typing and position == len(considered) - 1
            for similar in self._similar_tokens(word, prefix=is_last):
                candidates.update(self._postings[similar])
        if not candidates:
            return []
        key_ids = list(candidates)
        query_sorted = " ".join(sorted(words))
        if len(key_ids) > _PREFILTER:
            # Cut a big set with C loops before scoring each key in Python.
            keys = [self._keys[k] for k in key_ids]
            sorted_keys = [self._sorted_keys[k] for k in key_ids]
            keep = {i for _, _, i in process.extract(query, keys, scorer=fuzz.ratio, limit=_PREFILTER)}
            keep.update(
                i for _, _, i in process.extract(query_sorted, sorted_keys, scorer=fuzz.ratio, limit=_PREFILTER)
            )
            if self._kind == "bill":
                keep.update(
                    i for _, _, i in process.extract(query, keys, scorer=fuzz.token_set_ratio, limit=_PREFILTER)
                )
            key_ids = [key_ids[i] for i in keep]
        best: dict[int, _Hit] = {}
        for key_id in key_ids:
            score = self._score(query, query_sorted, len(words), quals, key_id, typing)
            entry = self._key_entry[key_id]
            previous = best.get(entry)
            if previous is None or score > previous.score:
                best[entry] = _Hit(score, entry, key_id)
        return sorted(best.values(), key=self._hit_order)

    def _hit_order(self, hit: _Hit) -> tuple[float, float, str, int]:
        entry = self._entries[hit.entry]
        return (-hit.score, -entry.weight, entry.name, hit.entry)

    def _to_match(self, hit: _Hit, span: tuple[int, int] | None = None) -> NameMatch:
        return NameMatch(
            entry=self._entries[hit.entry],
            score=round(hit.score, 1),
            matched=self._key_source[hit.key],
            span=span,
        )

    def _decide(self, hits: list[_Hit]) -> MatchResult:
        if not hits or hits[0].score < CANDIDATE_MIN_SCORE:
            return MatchResult(best=None, candidates=())
        top = hits[0]
        runner_up = hits[1].score if len(hits) > 1 else 0.0
        # An exact hit on a whole name, alias or surname beats any inexact one
        # ("David Davies" is not "David Davis" at 95.7); two exact hits never do.
        exact = top.score == 100.0 and runner_up < 100.0
        if exact or (top.score >= BEST_MIN_SCORE and top.score - runner_up >= BEST_MARGIN):
            return MatchResult(best=self._to_match(top), candidates=())
        floor = max(CANDIDATE_MIN_SCORE, top.score - CANDIDATE_SPREAD)
        chosen = [self._to_match(h) for h in hits[:MAX_CANDIDATES] if h.score >= floor]
        return MatchResult(best=None, candidates=tuple(chosen))

    # ------------------------------------------------------------------ public queries

    def match(self, text: str) -> MatchResult:
        """Resolve what a user typed: a confident ``best`` or ``candidates``."""
        query, quals = self._normalise_query(text)
        return self._decide(self._rank(query, quals))

    def autocomplete(self, text: str, limit: int = MAX_AUTOCOMPLETE) -> list[NameMatch]:
        """Choices for a partly typed name: prefix matches first, then fuzzy ones.

        Prefix matches score 100 (all that was typed matches) and are ordered
        exact name, then names starting with the text, then names with a later
        word starting with it, each by weight; fuzzy matches (score >= 60) fill
        the rest, best first. Empty text gives the heaviest
        entries (score 0).
        """
        limit = max(0, min(limit, MAX_AUTOCOMPLETE))
        if limit == 0:
            return []
        query, quals = self._normalise_query(text)
        if not query:
            return [NameMatch(self._entries[i], 0.0, self._entries[i].name) for i in self._by_weight[:limit]]

        chosen: dict[int, NameMatch] = {}
        for entry, key_id in self._prefix_hits(query, quals, limit):
            chosen[entry] = NameMatch(self._entries[entry], 100.0, self._key_source[key_id])
        if len(chosen) < limit and len(query) >= 3:
            for hit in self._rank(query, quals, typing=True):
                if len(chosen) >= limit or hit.score < CANDIDATE_MIN_SCORE - 10:
                    break
                if hit.entry not in chosen:
                    chosen[hit.entry] = self._to_match(hit)
        return list(chosen.values())[:limit]

    def _prefix_hits(self, query: str, quals: BillQualifiers, limit: int) -> list[tuple[int, int]]:
        """(entry, key) pairs whose key, or a later word of it, starts with ``query``."""
        start = bisect.bisect_left(self._prefix_text, query)
        end = bisect.bisect_left(self._prefix_text, query + "\x7f", lo=start)
        if end - start > 4 * _PREFILTER and len(query) <= 2:
            # Too many to scan per keystroke: use the precomputed top entries.
            pairs = self._short_prefix.get(query, [])
            return [(entry, self._first_key(entry)) for _, entry in pairs[:limit]]
        best: dict[int, tuple[tuple[int, float, float, str], int]] = {}
        for position in range(start, end):
            key_id, inner = self._prefix_ref[position]
            entry = self._key_entry[key_id]
            exact = not inner and self._prefix_text[position] == query
            tier = 0 if exact else 2 if inner else 1
            penalty = qualifier_penalty(quals, self._key_quals[key_id]) if self._kind == "bill" else 0.0
            order = (tier, penalty, -self._entries[entry].weight, self._entries[entry].name)
            current = best.get(entry)
            if current is None or order < current[0]:
                best[entry] = (order, key_id)
        ranked = heapq.nsmallest(limit, best.items(), key=lambda item: (item[1][0], item[0]))
        return [(entry, key_id) for entry, (_, key_id) in ranked]

    def _first_key(self, entry: int) -> int:
        # Keys are appended entry by entry, so the first key of an entry is its name.
        return bisect.bisect_left(self._key_entry, entry)

    def find_in_text(self, text: str) -> NameMatch | None:
        """A member or bill mentioned in a longer question, with its ``span``.

        Runs of words that occur in names (plus "of", titles, and for bills a
        trailing "Bill"/"Act"/year) are tried as queries; the most confident
        match wins, the longer span on a tie. A bill must be named as one:
        ending in Bill/Act, or in Title Case, so "child poverty" stays a topic. Only confident matches are
        returned: an ambiguous mention ("what did Smith say") gives None. A
        lone lower-case word must match exactly (not fuzzily) and not be a
        common English word, so "what was the best approach" does not find Lord Best.
        """
        # (score, words in the span, their folded forms, match)
        found: list[tuple[float, int, list[str], NameMatch]] = []
        for span, span_words, result in self._text_spans(text):
            if result.best is not None:
                folded = [w[2] for w in span_words if w[3] in ("name", "fuzzy")]
                found.append((result.best.score, len(span_words), folded, replace(result.best, span=span)))
        if not found:
            return None
        # The best-scoring entry (the longer mention on a tie), reported with the
        # widest span that also resolves to it: "Jak Straw" scores below
        # "Straw" but is the mention the caller should cut from the topic.
        # Only words of the matched name widen it ("Lord Hamilton on defence"
        # stops before "on").
        winner = max(found, key=lambda f: (f[0], f[1]))
        same = [f for f in found if f[3].entry is winner[3].entry and self._words_of(f[2], f[3].matched)]
        chosen = max([winner, *same], key=lambda f: (f[1], f[0]))[3]
        if self._kind == "member" and chosen.span is not None and self._peer_asked_for(text, chosen):
            return None
        return chosen

    @staticmethod
    def _peer_asked_for(text: str, match: NameMatch) -> bool:
        """Whether the mention is a peer's ("Lord Hunt") and the match is no peer (Jeremy Hunt): a rank
        word just before the matched name that none of the entry's names carries."""
        assert match.span is not None
        before = _TEXT_WORD.findall(text[: match.span[0]])
        rank = fold(before[-1]) if before else ""
        if rank not in _RANKS or rank in _COMMONS_STYLES:
            return False
        names = (match.entry.name, *match.entry.aliases)
        return not any(rank in (fold(word) for word in _TEXT_WORD.findall(name)) for name in names)

    def _text_spans(self, text: str) -> Iterator[tuple[tuple[int, int], list[_TextWord], MatchResult]]:
        """Each run of words in ``text`` worth matching as a name, with where it is and what it matches."""
        text = text[:_MAX_TEXT_CHARS]
        words: list[_TextWord] = []
        for word in _TEXT_WORD.finditer(text):
            folded = fold(word.group())
            if folded:
                words.append((word.start(), word.end(), folded, self._text_role(folded)))
        tried = 0
        max_len = _MAX_SPAN_TOKENS[self._kind]
        for i, first in enumerate(words):
            if first[3] not in ("name", "fuzzy", "lead"):
                continue
            seen_tail = False
            for j in range(i, min(len(words), i + max_len)):
                role = words[j][3]
                if role == "other" or (seen_tail and role != "tail"):
                    break
                seen_tail = seen_tail or role == "tail"
                if role not in ("name", "fuzzy", "tail") or not self._span_allowed(text, words[i : j + 1]):
                    continue
                tried += 1
                if tried > _MAX_SPANS:
                    return
                span = (words[i][0], words[j][1])
                query, quals = self._normalise_query(text[span[0] : span[1]])
                yield span, words[i : j + 1], self._decide(self._rank(query, quals))

    def ambiguous_in_text(self, text: str) -> tuple[tuple[int, int], tuple[NameMatch, ...]] | None:
        """A mention that is the whole name of several entries ("Lord Hunt", "Mr. Deputy Speaker"), and those.

        For a question `find_in_text` finds no one in. Only exact hits count, on a mention written
        as a name (capitalised, or more than one word, or with a title), so a topic that is
        merely close to a name is left alone. The longest such mention wins.
        """
        best: tuple[tuple[int, int], tuple[NameMatch, ...]] | None = None
        for span, span_words, result in self._text_spans(text):
            exact = [m for m in result.candidates if m.score == 100.0]
            names = [w for w in span_words if w[3] in ("name", "fuzzy")]
            written = len(names) > 1 or any(w[3] == "lead" for w in span_words) or text[names[0][0]].isupper()
            if len(exact) > 1 and written and (best is None or span[1] - span[0] > best[0][1] - best[0][0]):
                best = (span, tuple(result.candidates))
        return best

    def _words_of(self, span_words: list[str], name: str) -> bool:
        """Whether every word of a mention is (nearly) a word of ``name``."""
        name_words = self._normalise_query(name)[0].split()
        return all(
            w in name_words
            or (len(w) >= 3 and process.extractOne(w, name_words, scorer=fuzz.ratio, score_cutoff=80) is not None)
            for w in span_words
        )

    def _text_role(self, folded: str) -> _Role:
        parts = folded.split()
        if self._kind == "bill":
            if folded in ("bill", "act", "hl") or YEAR.fullmatch(folded):
                return "tail"
            if folded == "draft":
                return "lead"
            if all(p in BILL_STOP_WORDS for p in parts):
                return "glue"
        else:
            if all(p in _TEXT_LEAD for p in parts):
                return "lead"
            if all(p in _MEMBER_GLUE or p == "the" for p in parts):
                return "glue"
        if all(p in self._postings for p in parts):
            return "name"
        if len(parts) == 1 and len(folded) >= 3:
            close = process.extractOne(folded, self._vocab, scorer=fuzz.ratio, score_cutoff=_TEXT_FUZZY_CUTOFF)
            if close is not None:
                return "fuzzy"
        return "other"

    def _span_allowed(self, text: str, span: list[tuple[int, int, str, _Role]]) -> bool:
        """Whether a run of words is worth matching as a name."""
        names = [w for w in span if w[3] in ("name", "fuzzy")]
        if not names:
            return False
        if self._kind == "bill":
            # "child poverty" in a question is a topic; "child poverty bill" or
            # "Child Poverty" (written as a title) names the bill.
            return span[-1][3] == "tail" or (len(names) > 1 and all(text[w[0] : w[1]][:1].isupper() for w in names))
        if len(names) > 1 or any(w[3] == "lead" for w in span):
            return True
        start, end, folded, role = names[0]
        if role == "fuzzy":
            return False
        original = text[start:end]
        capitalised = original[:1].isupper() and start > 0
        return capitalised or (folded not in _COMMON_WORDS and len(folded) >= 3)
