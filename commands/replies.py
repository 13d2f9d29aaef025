"""Plain reply objects: what the bot (or the console) should say, with no Discord in it.

Every text field is plain: as stored, or as the user typed it. No Markdown, no
escaping; matched words are given as spans into the excerpt. Each front end
escapes and highlights for itself. ``to_json`` gives the shape printed by ``--json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from commands.text import Span


class Problem(StrEnum):
    """Why there is no answer: each one is something the user can act on."""

    NO_USABLE_WORDS = "no_usable_words"
    NO_RESULTS = "no_results"
    AMBIGUOUS_MEMBER = "ambiguous_member"
    AMBIGUOUS_BILL = "ambiguous_bill"
    UNKNOWN_MEMBER = "unknown_member"
    UNKNOWN_BILL = "unknown_bill"
    BAD_INPUT = "bad_input"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A Member or Bill the user may have meant."""

    key: int | str
    name: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class ResultItem:
    """One contribution in a list of results."""

    row_id: int
    uri: str
    member: str | None
    party: str | None
    house: str | None
    date: dt.date | None
    title: str
    debate_title: str | None
    reference: str | None
    excerpt: str
    # Matched words: (start, end) offsets into ``excerpt``.
    highlights: tuple[Span, ...] = ()
    score: float | None = None

    @property
    def matched_terms(self) -> list[str]:
        """The distinct matched words, as written in the excerpt."""
        return list(dict.fromkeys(self.excerpt[start:end] for start, end in self.highlights))

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "member": self.member,
            "party": self.party,
            "house": self.house,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "debate_title": self.debate_title,
            "reference": self.reference,
            "excerpt": self.excerpt,
            "highlights": [list(span) for span in self.highlights],
            "matched_terms": self.matched_terms,
            "score": self.score,
        }


@dataclass(slots=True)
class SearchReply:
    """Results of a search (also the answer to most natural questions)."""

    understood: str
    results: list[ResultItem] = field(default_factory=list)
    total: int = 0
    total_capped: bool = False
    page: int = 1
    page_size: int = 5
    member: Candidate | None = None
    bill: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    suggestion: str | None = None
    problem: Problem | None = None
    message: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def total_text(self) -> str:
        return f"{self.total:,}+" if self.total_capped else f"{self.total:,}"

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "member": self.member.to_json() if self.member else None,
            "bill": self.bill.to_json() if self.bill else None,
            "candidates": [c.to_json() for c in self.candidates],
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
            "suggestion": self.suggestion,
            "total": self.total,
            "total_capped": self.total_capped,
            "page": self.page,
            "pages": self.pages,
            "results": [r.to_json() for r in self.results],
        }


@dataclass(frozen=True, slots=True)
class CountItem:
    label: str
    count: int


@dataclass(slots=True)
class MemberProfile:
    member: Candidate
    party: str | None
    house: str | None
    contributions: int
    first_date: dt.date | None
    last_date: dt.date | None
    top_debates: list[CountItem]
    top_bills: list[CountItem]
    latest: list[ResultItem]

    def to_json(self) -> dict[str, Any]:
        return {
            "member": self.member.to_json(),
            "party": self.party,
            "house": self.house,
            "contributions": self.contributions,
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "top_debates": [{"title": c.label, "count": c.count} for c in self.top_debates],
            "top_bills": [{"title": c.label, "count": c.count} for c in self.top_bills],
            "results": [r.to_json() for r in self.latest],
        }


@dataclass(slots=True)
class BillSummary:
    bill: Candidate
    sessions: list[str]
    houses: list[str]
    dates: list[dt.date]
    contributions: int
    top_speakers: list[CountItem]
    latest: list[ResultItem]

    def to_json(self) -> dict[str, Any]:
        return {
            "bill": self.bill.to_json(),
            "sessions": self.sessions,
            "houses": self.houses,
            "dates": [d.isoformat() for d in self.dates],
            "contributions": self.contributions,
            "top_speakers": [{"member": c.label, "count": c.count} for c in self.top_speakers],
            "results": [r.to_json() for r in self.latest],
        }


@dataclass(slots=True)
class LookupReply:
    """A member or bill lookup: a profile, or the candidates, or a problem."""

    understood: str
    profile: MemberProfile | BillSummary | None = None
    candidates: list[Candidate] = field(default_factory=list)
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "profile": self.profile.to_json() if self.profile else None,
            "candidates": [c.to_json() for c in self.candidates],
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
        }


@dataclass(slots=True)
class CountReply:
    """The answer to "how many times did X speak ...": a number and what it counted."""

    understood: str
    count: int
    member: Candidate | None = None
    latest: list[ResultItem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "count": self.count,
            "member": self.member.to_json() if self.member else None,
            "results": [r.to_json() for r in self.latest],
        }


@dataclass(slots=True)
class ContributionReply:
    """One whole speech, paragraph by paragraph (each front end pages it for its own limits)."""

    item: ResultItem | None
    paragraphs: list[str] = field(default_factory=list)
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "contribution": self.item.to_json() if self.item else None,
            "paragraphs": self.paragraphs,
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
        }
