"""Votes: divisions, how a Member voted, and the voting summary of a profile.

Plain data in and out (no Markdown, no escaping): the bot and the console render it.
Members are resolved against the bundled member list (``members_flat.csv``), by
person, so a Member who never spoke in the loaded Hansard can still be asked
about, and their terms tell "no recorded vote" from "was not a Member then".
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine
from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS
from storage.reference_data import MemberDirectory, MemberRecord, bundled_data_dir
from storage.votes_store import (
    DivisionRow,
    VoteRow,
    division_bill_titles,
    division_votes,
    divisions_during,
    find_divisions,
    person_of_member,
    twfy_url,
    votes_of_person,
)

from commands.dates import DateError, parse_date_range
from commands.names import MatchResult, NameEntry, NameIndex
from commands.replies import Candidate, Problem

VOTED, NO_VOTE, NOT_MEMBER = "voted", "no recorded vote", "was not a Member then"
_VOTE_LABELS = {"aye": "Aye", "no": "No", "content": "Content", "not-content": "Not content"}
_SIDE_LABELS = {HOUSE_OF_COMMONS: ("Ayes", "Noes"), HOUSE_OF_LORDS: ("Contents", "Not contents")}
_YES_VOTES = frozenset({"aye", "content"})
CHOICE_PREFIX = "#"
MAX_LISTED = 200


# --- replies ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class PartySplit:
    party: str
    ayes: int
    noes: int

    def to_json(self) -> dict[str, Any]:
        return {"party": self.party, "ayes": self.ayes, "noes": self.noes}


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class VotingSummary:
    """Of the divisions held while a Member: how many they voted in, how often against their party."""

    held: int
    voted: int
    against_party: int

    def to_json(self) -> dict[str, Any]:
        return {"held": self.held, "voted": self.voted, "against_party": self.against_party}


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


# --- from rows to replies -----------------------------------------------------------------------

_THAT = re.compile(r",\s*(That\b.*)$", re.S)
_MOVED = re.compile(r"^(?:I\s+beg\s+to\s+move|Motion\s+made,\s+and\s+Question\s+proposed)\s*,?\s*", re.I)


def question_of(row: DivisionRow) -> str | None:
    """The question put, in its own words where the record has them ("That the amendment be made.")."""
    if row.question:
        that = _THAT.search(row.question)
        if that is not None:
            return that.group(1)
        if not re.match(r"^(?:Main\s+)?Question\s+put\.?$", row.question, re.I):
            return row.question
    if row.motion:
        return _MOVED.sub("", row.motion) or row.motion
    return row.question or row.heading


def division_item(row: DivisionRow) -> DivisionItem:
    yes_label, no_label = _SIDE_LABELS.get(row.house, ("Ayes", "Noes"))
    links = [Link("TheyWorkForYou", url)] if (url := twfy_url(row.gid)) else []
    if row.hansard_url:
        links.append(Link("Hansard", row.hansard_url))
    return DivisionItem(
        house=row.house,
        date=row.date,
        number=row.number,
        time=row.time,
        debate=row.debate_title,
        bill=row.bill_title,
        heading=row.heading,
        question=question_of(row),
        ayes=row.ayes,
        noes=row.noes,
        yes_label=yes_label,
        no_label=no_label,
        passed=row.passed,
        links=tuple(links),
    )


def party_label(party: str | None) -> str:
    """The party a vote counts for in the tables (Labour (Co-op) Members sit with Labour)."""
    if not party:
        return "Unknown"
    return "Labour" if party.startswith("Labour (Co-op)") else party


def _voter(vote: VoteRow) -> Voter:
    return Voter(vote.name, vote.party, _VOTE_LABELS.get(vote.vote, vote.vote), vote.teller, vote.proxy)


def division_detail(row: DivisionRow, votes: Sequence[VoteRow]) -> DivisionDetail:
    counted = [v for v in votes if not (v.teller and row.house == HOUSE_OF_COMMONS)]  # Commons tellers: not counted
    sides: dict[str, Counter[bool]] = {}
    for vote in counted:
        sides.setdefault(party_label(vote.party), Counter())[vote.vote in _YES_VOTES] += 1
    parties = sorted(
        (PartySplit(party, c[True], c[False]) for party, c in sides.items()),
        key=lambda p: (-(p.ayes + p.noes), p.party),
    )
    return DivisionDetail(
        item=division_item(row),
        motion=row.motion,
        parties=parties,
        rebels=sorted((_voter(v) for v in votes if v.against_party), key=lambda v: (v.party or "", v.name)),
        tellers=[_voter(v) for v in votes if v.teller],
        proxies=[_voter(v) for v in votes if v.proxy],
    )


# --- the core -----------------------------------------------------------------------------------


def normalise_house(text: str | None) -> str | None:
    """ "commons", "Lords", "House of Lords" -> the house's name; None for anything else."""
    if not text:
        return None
    folded = text.strip().lower()
    if folded in {"commons", "house of commons", "hoc", "c"}:
        return HOUSE_OF_COMMONS
    if folded in {"lords", "house of lords", "hol", "l"}:
        return HOUSE_OF_LORDS
    return None


@dataclass(frozen=True, slots=True)
class Person:
    """One person of the member list, with every term they served."""

    person_ref: str
    name: str
    terms: tuple[MemberRecord, ...]

    @property
    def detail(self) -> str:
        latest = self.terms[-1]
        return ", ".join(part for part in (latest.party, latest.house) if part)

    def candidate(self) -> Candidate:
        return Candidate(self.person_ref, self.name, self.detail)

    def member_on(self, house: str, day: dt.date) -> bool:
        return any(
            term.house == house
            and (term.from_date is None or term.from_date <= day)
            and (term.to_date is None or day <= term.to_date)
            for term in self.terms
        )


def _term_key(term: MemberRecord) -> dt.date:
    return term.from_date or dt.date.min


class VotesCore:
    """Answers about divisions and votes, over one store and the bundled member list."""

    def __init__(self, engine: Engine, directory: MemberDirectory) -> None:
        self.engine = engine
        terms: dict[str, list[MemberRecord]] = {}
        for record in directory.all():
            terms.setdefault(record.person_ref, []).append(record)
        self.persons: dict[str, Person] = {}
        entries: list[NameEntry] = []
        for person_ref, records in terms.items():
            records.sort(key=_term_key)
            person = Person(person_ref, records[-1].display_name, tuple(records))
            self.persons[person_ref] = person
            others = tuple(sorted({r.display_name for r in records} - {person.name}))
            # More recent Members first on ties: the bundled Hansard is of 2009-10.
            weight = float(_term_key(records[-1]).year)
            entries.append(NameEntry(person_ref, person.name, person.detail, others, weight))
        self.members = NameIndex.for_members(entries)

    # --- resolving ---------------------------------------------------------------------------

    def resolve_member(self, text: str) -> Person | MatchResult:
        """The person meant, or the match result (candidates, or nothing) when not sure."""
        text = text.strip()
        if text.startswith(CHOICE_PREFIX) and text[1:] in self.persons:
            return self.persons[text[1:]]
        result = self.members.match(text)
        if result.best is not None:
            return self.persons[str(result.best.entry.key)]
        return result

    def autocomplete_members(self, text: str, limit: int = 25) -> list[Candidate]:
        return [self.persons[str(m.entry.key)].candidate() for m in self.members.autocomplete(text, limit)]

    def bill_index(self) -> NameIndex:
        """The Bills that have divisions (read per request: imports add Bills)."""
        return NameIndex.for_bills(NameEntry(title, title) for title in division_bill_titles(self.engine))

    def autocomplete_bills(self, text: str, limit: int = 25) -> list[Candidate]:
        return [Candidate(m.entry.key, m.entry.name) for m in self.bill_index().autocomplete(text, limit)]

    def _resolve_bill(self, text: str) -> str | MatchResult:
        text = text.strip()
        index = self.bill_index()
        if text.startswith(CHOICE_PREFIX):
            text = text[1:]
        result = index.match(text)
        return str(result.best.entry.key) if result.best is not None else result

    # --- answers -----------------------------------------------------------------------------

    def division(self, date_text: str, number: int, house: str | None = None) -> DivisionReply:
        understood = f"division {number} of {date_text.strip()[:40]}"
        problem = _house_problem(house)
        if problem is not None:
            return DivisionReply(understood, problem=Problem.BAD_INPUT, message=problem)
        try:
            day = parse_date_range(date_text)
        except DateError as exc:
            return DivisionReply(understood, problem=Problem.BAD_INPUT, message=str(exc))
        if day.start != day.end:
            message = f"Give one day for a division, e.g. {day.start.isoformat()}."
            return DivisionReply(understood, problem=Problem.BAD_INPUT, message=message)
        wanted = normalise_house(house)
        rows = find_divisions(self.engine, house=wanted, date_from=day.start, date_to=day.end)
        understood = f"division {number} of {day.describe()}" + (f" in the {wanted}" if wanted else "")
        matching = [row for row in rows if row.number == number]
        if not matching:
            held = ", ".join(f"{r.number} ({'Lords' if r.house == HOUSE_OF_LORDS else 'Commons'})" for r in rows)
            message = f"No division {number} on {day.describe()} is loaded."
            message += f" Divisions that day: {held}." if held else " No division of that day is loaded."
            return DivisionReply(understood, problem=Problem.NOT_FOUND, message=message)
        if len(matching) > 1:
            message = "Both Houses held a division with that number that day: give the house (Commons or Lords)."
            return DivisionReply(understood, problem=Problem.BAD_INPUT, message=message)
        row = matching[0]
        return DivisionReply(understood, detail=division_detail(row, division_votes(self.engine, row.id)))

    def divisions(
        self,
        *,
        bill: str | None = None,
        date: str | None = None,
        member: str | None = None,
        house: str | None = None,
        limit: int = MAX_LISTED,
    ) -> DivisionListReply:
        """Divisions by Bill, date (or range), Member who voted, and house; newest first."""
        parts: list[str] = ["divisions"]
        problem = _house_problem(house)
        if problem is not None:
            return DivisionListReply(" ".join(parts), problem=Problem.BAD_INPUT, message=problem)
        wanted = normalise_house(house)
        filters: dict[str, Any] = {"house": wanted}
        if bill:
            found = self._resolve_bill(bill)
            if not isinstance(found, str):
                return _bill_problem(bill, found)
            filters["bill_titles"] = (found,)
            parts.append(f"on {found}")
        if date:
            try:
                days = parse_date_range(date)
            except DateError as exc:
                return DivisionListReply(" ".join(parts), problem=Problem.BAD_INPUT, message=str(exc))
            filters.update(date_from=days.start, date_to=days.end)
            parts.append(f"in {days.describe()}")
        if member:
            person = self.resolve_member(member)
            if not isinstance(person, Person):
                return _member_problem(member, person, DivisionListReply)
            filters["person_ref"] = person.person_ref
            parts.append(f"with a vote by {person.name}")
        if wanted:
            parts.append(f"in the {wanted}")
        rows = find_divisions(self.engine, limit=limit, **filters)
        reply = DivisionListReply(" ".join(parts), divisions=[division_item(r) for r in rows])
        if not rows:
            reply.problem, reply.message = Problem.NO_RESULTS, "No loaded division matches."
        return reply

    def votes(self, member: str, bill: str | None = None) -> MemberVotesReply:
        """How a Member voted: every division they could vote in (or every division on ``bill``)."""
        person = self.resolve_member(member)
        if not isinstance(person, Person):
            return _member_problem(member, person, MemberVotesReply)
        if bill:
            found = self._resolve_bill(bill)
            if not isinstance(found, str):
                problem = _bill_problem(bill, found)
                return MemberVotesReply(
                    problem.understood, candidates=problem.candidates, problem=problem.problem, message=problem.message
                )
            return self.votes_in(person, find_divisions(self.engine, bill_titles=(found,)), f"on {found}")
        return self.votes_in(person, None, "")

    def votes_in(self, person: Person, rows: Sequence[DivisionRow] | None, about: str) -> MemberVotesReply:
        """A person's vote in each of ``rows`` (None: every division held while they were a Member)."""
        recorded = {division.id: vote for division, vote in votes_of_person(self.engine, person.person_ref)}
        held = divisions_during(self.engine, [(t.house, t.from_date, t.to_date) for t in person.terms])
        listed = held if rows is None else rows
        items: list[MemberVote] = []
        for row in listed:
            vote = recorded.get(row.id)
            item = division_item(row)
            if vote is not None:
                items.append(
                    MemberVote(
                        item, VOTED, _VOTE_LABELS.get(vote.vote, vote.vote), vote.teller, vote.proxy, vote.against_party
                    )
                )
            else:
                items.append(MemberVote(item, NO_VOTE if person.member_on(row.house, row.date) else NOT_MEMBER))
        held_ids = {row.id for row in held}
        summary = VotingSummary(
            held=len(held),
            voted=sum(1 for division_id in recorded if division_id in held_ids),
            against_party=sum(1 for vote in recorded.values() if vote.against_party),
        )
        reply = MemberVotesReply(
            " ".join(part for part in (f"votes of {person.name}", about) if part),
            member=person.candidate(),
            votes=items,
            summary=summary,
        )
        if not items:
            reply.problem = Problem.NO_RESULTS
            reply.message = "No loaded division was held while they were a Member."
        return reply

    def voting_summary(self, person_ref: str) -> VotingSummary | None:
        person = self.persons.get(person_ref)
        if person is None:
            return None
        return self.votes_in(person, [], "").summary


_Reply = TypeVar("_Reply", DivisionListReply, MemberVotesReply)


def _house_problem(house: str | None) -> str | None:
    if house and normalise_house(house) is None:
        return f"Unknown house “{house[:40]}”: say Commons or Lords."
    return None


def _member_problem(text: str, result: MatchResult, reply_type: type[_Reply]) -> _Reply:
    shown = text.strip()[:80]
    if result.candidates:
        return reply_type(
            f"member “{shown}”",
            candidates=[Candidate(m.entry.key, m.entry.name, m.entry.detail) for m in result.candidates],
            problem=Problem.AMBIGUOUS_MEMBER,
            message=f"More than one Member matches “{shown}”: pick one.",
        )
    return reply_type(
        f"member “{shown}”", problem=Problem.UNKNOWN_MEMBER, message=f"No Member in the member list matches “{shown}”."
    )


def _bill_problem(text: str, result: MatchResult) -> DivisionListReply:
    shown = text.strip()[:80]
    if result.candidates:
        return DivisionListReply(
            f"bill “{shown}”",
            candidates=[Candidate(m.entry.key, m.entry.name) for m in result.candidates],
            problem=Problem.AMBIGUOUS_BILL,
            message=f"More than one Bill with divisions matches “{shown}”: pick one.",
        )
    return DivisionListReply(
        f"bill “{shown}”", problem=Problem.UNKNOWN_BILL, message=f"No loaded division is on a Bill matching “{shown}”."
    )


# --- one core per store, for the profile and for ask ---------------------------------------------

_cores: dict[tuple[int, Path], VotesCore] = {}
_cores_lock = threading.Lock()


def votes_core(engine: Engine, data_dir: Path | None = None) -> VotesCore:
    """The VotesCore of a store (built once: the member list is read from disk)."""
    folder = data_dir or bundled_data_dir()
    key = (id(engine), folder)
    with _cores_lock:
        core = _cores.get(key)
        if core is None or core.engine is not engine:
            core = VotesCore(engine, MemberDirectory.from_csv(folder / "members_flat.csv"))
            _cores[key] = core
        return core


def member_voting_summary(engine: Engine, member_id: int, data_dir: Path | None = None) -> VotingSummary | None:
    """The voting summary of a stored Member (a `member` row), for the member profile."""
    person_ref = person_of_member(engine, member_id)
    return votes_core(engine, data_dir).voting_summary(person_ref) if person_ref else None
