"""Plain reply objects of the votes answers (`commands.votes`): no Markdown, no escaping.

Plain (not frozen) slotted dataclasses: a Member's votes can list thousands of
divisions, and a frozen dataclass costs ten times as much to build.

``to_json`` gives the shape printed by ``--json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from commands.replies import Candidate, Problem

VOTED, NO_VOTE, NOT_MEMBER = "voted", "no recorded vote", "was not a Member then"


@dataclass(slots=True)
class Link:
    label: str
    url: str


@dataclass(slots=True)
class DivisionItem:
    """One division in a list: what was decided, and how."""

    house: str
    date: dt.date
    number: int
    time: str | None
    debate: str | None
    bill: str | None
    heading: str | None
    question: str | None
    ayes: int
    noes: int
    yes_label: str  # "Ayes" or "Contents"
    no_label: str
    passed: bool
    links: tuple[Link, ...]

    @property
    def result(self) -> str:
        return "passed" if self.passed else "not passed"

    @property
    def counts(self) -> str:
        return f"{self.yes_label} {self.ayes}, {self.no_label} {self.noes}"

    @property
    def title(self) -> str:
        return f"Division {self.number}, {self.house}, {self.date.day} {self.date:%B %Y}"

    def to_json(self) -> dict[str, Any]:
        return {
            "house": self.house,
            "date": self.date.isoformat(),
            "number": self.number,
            "time": self.time,
            "debate": self.debate,
            "bill": self.bill,
            "heading": self.heading,
            "question": self.question,
            "ayes": self.ayes,
            "noes": self.noes,
            "result": self.result,
            "links": [{"label": link.label, "url": link.url} for link in self.links],
        }


@dataclass(slots=True)
class PartySplit:
    party: str
    ayes: int
    noes: int

    def to_json(self) -> dict[str, Any]:
        return {"party": self.party, "ayes": self.ayes, "noes": self.noes}


@dataclass(slots=True)
class Voter:
    name: str
    party: str | None
    vote: str  # "Aye", "No", "Content", "Not content"
    teller: bool = False
    proxy: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "party": self.party, "vote": self.vote, "teller": self.teller, "proxy": self.proxy}


@dataclass(slots=True)
class DivisionDetail:
    item: DivisionItem
    motion: str | None
    parties: list[PartySplit]
    rebels: list[Voter]  # voted against the majority of their own party
    tellers: list[Voter]
    proxies: list[Voter]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.item.to_json(),
            "motion": self.motion,
            "parties": [p.to_json() for p in self.parties],
            "rebels": [v.to_json() for v in self.rebels],
            "tellers": [v.to_json() for v in self.tellers],
            "proxies": [v.to_json() for v in self.proxies],
        }


@dataclass(slots=True)
class DivisionReply:
    """One division (``hansard-bot division``, ``/hansard division``)."""

    understood: str
    detail: DivisionDetail | None = None
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "division": self.detail.to_json() if self.detail else None,
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
        }


@dataclass(slots=True)
class DivisionListReply:
    """Divisions found (``divisions``), or for ask: how a party voted / who rebelled in each."""

    understood: str
    divisions: list[DivisionItem] = field(default_factory=list)
    # For "who rebelled on Y" and "how did <party> vote on Y": the details of each division.
    details: list[DivisionDetail] = field(default_factory=list)
    party: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "divisions": [d.to_json() for d in self.divisions],
            "details": [d.to_json() for d in self.details],
            "party": self.party,
            "candidates": [c.to_json() for c in self.candidates],
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
        }


@dataclass(slots=True)
class MemberVote:
    division: DivisionItem
    status: str  # VOTED, NO_VOTE or NOT_MEMBER
    vote: str | None = None  # "Aye", "No", "Content", "Not content"
    teller: bool = False
    proxy: str | None = None
    against_party: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.division.date.isoformat(),
            "house": self.division.house,
            "number": self.division.number,
            "vote": self.vote if self.vote is not None else self.status,
            "teller": self.teller,
            "proxy": self.proxy,
            "against_party": self.against_party,
            "result": self.division.result,
            "counts": self.division.counts,
            "question": self.division.question,
            "bill": self.division.bill,
        }


@dataclass(slots=True)
class VotingSummary:
    """Of the divisions held while a Member: how many they voted in, how often against their party."""

    held: int
    voted: int
    against_party: int

    def to_json(self) -> dict[str, Any]:
        return {"held": self.held, "voted": self.voted, "against_party": self.against_party}

    def describe(self) -> str:
        times = "time" if self.against_party == 1 else "times"
        return (
            f"Voted in {self.voted} of the {self.held} loaded divisions held while a Member; "
            f"against their party's majority {self.against_party} {times}."
        )


@dataclass(slots=True)
class MemberVotesReply:
    """How one Member voted (``votes``, ``/hansard votes``, "how did X vote on Y")."""

    understood: str
    member: Candidate | None = None
    votes: list[MemberVote] = field(default_factory=list)
    summary: VotingSummary | None = None
    # A one-line answer to "did X vote for Y".
    answer: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "member": self.member.to_json() if self.member else None,
            "votes": [v.to_json() for v in self.votes],
            "summary": self.summary.to_json() if self.summary else None,
            "answer": self.answer,
            "candidates": [c.to_json() for c in self.candidates],
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
        }


VoteAnswer = DivisionReply | DivisionListReply | MemberVotesReply
VOTE_ANSWERS = (DivisionReply, DivisionListReply, MemberVotesReply)
