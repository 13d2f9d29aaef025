"""Plain reply objects: what the bot (or the console) should say, with no Discord in it.

Every text field is plain: as stored, or as the user typed it. No Markdown, no
escaping; matched words are given as spans into the excerpt. Each front end
escapes and highlights for itself. ``to_json`` gives the shape printed by ``--json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commands.vote_replies import VotingSummary

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
class PairedText:
    """The other half of a written question and answer, shown beside it."""

    kind: str  # "question" or "answer"
    member: str | None
    excerpt: str
    uri: str
    reference: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "member": self.member,
            "excerpt": self.excerpt,
            "uri": self.uri,
            "reference": self.reference,
        }


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
    # The official Hansard page (publications.parliament.uk) beside ``uri`` (TheyWorkForYou's), when known.
    official_url: str | None = None
    # For a written answer, the questions it answers; for a written question, its answer.
    paired: tuple[PairedText, ...] = ()

    @property
    def matched_terms(self) -> list[str]:
        """The distinct matched words, as written in the excerpt."""
        return list(dict.fromkeys(self.excerpt[start:end] for start, end in self.highlights))

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "official_url": self.official_url,
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
            "paired": [p.to_json() for p in self.paired],
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


@dataclass(frozen=True, slots=True)
class MembershipItem:
    """One House a person sat in, under the name they had there (from the people data)."""

    house: str
    name: str
    from_date: dt.date | None
    to_date: dt.date | None  # None while sitting

    def to_json(self) -> dict[str, Any]:
        return {
            "house": self.house,
            "name": self.name,
            "from_date": self.from_date.isoformat() if self.from_date else None,
            "to_date": self.to_date.isoformat() if self.to_date else None,
        }


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
    # The seat held at the Member's latest contribution (Commons), from the reference data.
    constituency: str | None = None
    # A person who sat in both Houses: both memberships (their contributions are counted together).
    memberships: list[MembershipItem] = field(default_factory=list)
    voting: VotingSummary | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "member": self.member.to_json(),
            "party": self.party,
            "house": self.house,
            "constituency": self.constituency,
            "contributions": self.contributions,
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "top_debates": [{"title": c.label, "count": c.count} for c in self.top_debates],
            "top_bills": [{"title": c.label, "count": c.count} for c in self.top_bills],
            "results": [r.to_json() for r in self.latest],
            "memberships": [m.to_json() for m in self.memberships],
            "voting": self.voting.to_json() if self.voting else None,
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


@dataclass(frozen=True, slots=True)
class PersonCount:
    """A Member and how many of their contributions use the words."""

    key: int | str
    name: str
    party: str | None
    count: int


@dataclass(frozen=True, slots=True)
class DebateDayCount:
    """A sitting day, a debate on it, and how many contributions there use the words."""

    date: dt.date | None
    title: str
    count: int


@dataclass(slots=True)
class TallyReply:
    """Who spoke most about something, or when it was debated: counts, and the speeches behind them."""

    understood: str
    people: list[PersonCount] = field(default_factory=list)
    days: list[DebateDayCount] = field(default_factory=list)
    results: list[ResultItem] = field(default_factory=list)
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "people": [{"name": p.name, "party": p.party, "count": p.count} for p in self.people],
            "debates": [
                {"date": d.date.isoformat() if d.date else None, "title": d.title, "count": d.count} for d in self.days
            ],
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
            "results": [r.to_json() for r in self.results],
        }
