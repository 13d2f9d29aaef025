"""Bill titles as people write them: the content words, and the qualifiers they leave out or get wrong."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from storage.reference_data import load_bill_informal_names

from commands.folding import fold

# Points off per contradicted qualifier: more than a confident match's margin
# (commands.names.BEST_MARGIN), so "Act" vs "Bill" alone separates two titles.
QUALIFIER_PENALTY = 6.0


@dataclass(frozen=True, slots=True)
class BillQualifiers:
    """The parts of a bill title people leave out or get wrong."""

    kind: str | None = None  # "bill" or "act"
    lords: bool = False  # [HL] / [Lords]: started in the Lords
    year: str | None = None  # "Equality Act 2010"
    draft: bool = False


NO_QUALIFIERS = BillQualifiers()
BILL_STOP_WORDS = frozenset({"the", "of", "and", "for", "to", "a", "an", "in", "on", "etc", "with"})
YEAR = re.compile(r"(1[89]|20)\d\d")


def parse_bill_title(text: str) -> tuple[list[str], BillQualifiers]:
    """Content words of a bill title and its qualifiers (kind, [HL], year, draft)."""
    tokens = fold(text).split()
    draft = "draft" in tokens
    lords = "hl" in tokens  # "[HL]" folds to "hl", which is never part of a title
    tokens = [t for t in tokens if t not in ("draft", "hl")]
    kind: str | None = None
    year: str | None = None
    # Peel "... Bill [Lords]" / "... Act 2010" from the end only: "Sustainable
    # Communities Act 2007 (Amendment) Act 2010" keeps its inner "act 2007".
    while tokens:
        last = tokens[-1]
        if kind is None and last in ("bill", "act"):
            kind = last
        elif kind is None and year is None and YEAR.fullmatch(last):
            year = last
        elif kind is None and last == "lords" and len(tokens) > 1 and tokens[-2] in ("bill", "act"):
            lords = True  # "Bill [Lords]"; "House of Lords" keeps its "lords"
        else:
            break
        tokens.pop()
    content = [t for t in tokens if t not in BILL_STOP_WORDS] or tokens
    return content, BillQualifiers(kind=kind, lords=lords, year=year, draft=draft)


def normalise_bill_title(text: str) -> str:
    """Bill title for matching: folded, without "the"/"of"/"and", Bill/Act, year, [HL], Draft.

    >>> normalise_bill_title("Children, Schools and Families Act 2010")
    'children schools families'
    >>> normalise_bill_title("the House of Lords Bill [HL]")
    'house lords'
    """
    return " ".join(parse_bill_title(text)[0])


def qualifier_penalty(query: BillQualifiers, key: BillQualifiers) -> float:
    """Points off when the query states a qualifier the title contradicts.

    Unstated qualifiers cost nothing ("house of lords bill" fits both the
    [HL] bill and the other one); "draft" counts both ways because a draft bill
    is a different document from the bill.
    """
    penalty = 0.0
    if query.kind and key.kind and query.kind != key.kind:
        penalty += QUALIFIER_PENALTY
    if query.lords and not key.lords:
        penalty += QUALIFIER_PENALTY
    if query.year and key.year and query.year != key.year:
        penalty += QUALIFIER_PENALTY
    if query.draft != key.draft:
        penalty += QUALIFIER_PENALTY
    return penalty


_SESSION = re.compile(r"((?:1[89]|20)\d\d)\s*[-/–]\s*(\d\d(?:\d\d)?)")


def session_years(sessions: Iterable[str]) -> frozenset[str]:
    """The calendar years parliamentary sessions span: an Act of one of them may be the session's Bill.

    >>> sorted(session_years(["2009-10", "2010-12"]))
    ['2009', '2010', '2011', '2012']
    """
    years: set[str] = set()
    for session in sessions:
        found = _SESSION.search(session)
        if found is None:
            continue
        first = int(found.group(1))
        end = found.group(2)
        last = int(end) if len(end) == 4 else first - first % 100 + int(end)
        if last < first:
            last += 100
        years.update(str(year) for year in range(first, min(last, first + 5) + 1))
    return frozenset(years)


def informal_names_by_title(data_dir: Path) -> dict[str, tuple[str, ...]]:
    """The names Bills were called in debate ("Lisbon Treaty Bill"), by official title in lower case,
    from ``bill_informal_names.csv`` (none without the file)."""
    path = data_dir / "bill_informal_names.csv"
    names: dict[str, tuple[str, ...]] = {}
    for spoken, official in (load_bill_informal_names(path) if path.is_file() else {}).items():
        names[official.lower()] = (*names.get(official.lower(), ()), spoken)
    return names
