"""Typed records that the parsers produce and the importer stores.

Both input formats (the Parliamentary Search text page and the TheyWorkForYou
XML) are turned into the same `ParsedContribution`, so everything downstream
has one shape to deal with.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

HOUSE_OF_COMMONS = "House of Commons"
HOUSE_OF_LORDS = "House of Lords"

# What no text column can hold: NUL (PostgreSQL refuses it) and lone surrogates (no UTF-8
# encoding exists; Python makes them from undecodable bytes in arguments and file names).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """``text`` without the characters a database cannot store, so both back ends see the same text."""
    return _UNSTORABLE.sub("", text) if _UNSTORABLE.search(text) else text


class ParseError(ValueError):
    """Bad input: names the file, the 1-based line and what was expected there."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}:{line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Reference:
    """One Hansard column reference, e.g. ``506 c185-6`` or ``819 cc1560-1``.

    ``end_column`` is the full column number (``186`` for ``c185-6``), or None for
    a single column. ``suffix`` is the column series: "" (chamber), "GC", "WH",
    "WS", "W" and so on. ``volume`` is None where the source has none (TWFY XML).
    """

    volume: int | None
    start_column: int
    end_column: int | None
    suffix: str
    raw: str


@dataclass(frozen=True, slots=True)
class ParsedContribution:
    """One speech by one Member (or a speech with no Member, such as a procedural line)."""

    uri: str
    contribution_id: int | None
    title: str
    member: str | None
    party: str | None
    houses: tuple[str, ...]
    sitting_date: dt.date | None
    debate_types: tuple[str, ...]
    debate_title: str | None
    contribution_type: str
    references: tuple[Reference, ...]
    session: str | None
    chamber: str | None
    subjects: tuple[str, ...]
    index_timestamp: dt.datetime | None
    paragraphs: tuple[str, ...]
    # Where the record came from: the parlparse member id for TWFY speeches, so
    # the importer can join it to the members table without guessing by name.
    member_ref: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def house(self) -> str | None:
        """The first house, which is the one the contribution was made in."""
        return self.houses[0] if self.houses else None

    @property
    def text(self) -> str:
        return join_paragraphs(self.paragraphs)


# Paragraphs are stored as one text, joined by a blank line. Both parsers give
# paragraphs that are stripped, non-empty and free of blank lines, so the text
# splits back into exactly the paragraphs it was made of.
PARAGRAPH_SEPARATOR = "\n\n"


def join_paragraphs(paragraphs: tuple[str, ...] | list[str]) -> str:
    return PARAGRAPH_SEPARATOR.join(paragraphs)


def split_paragraphs(text: str) -> list[str]:
    return text.split(PARAGRAPH_SEPARATOR)
