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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine
from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS
from storage.reference_data import (
    MemberAlias,
    MemberDirectory,
    MemberRecord,
    bundled_data_dir,
    load_member_aliases,
)
from storage.votes_store import (
    DivisionRow,
    PersonVote,
    VoteRow,
    division_bill_titles,
    division_votes,
    divisions_during,
    find_divisions,
    person_of_member,
    twfy_url,
    votes_of_person,
    voting_counts,
)

from commands.bill_titles import informal_names_by_title
from commands.dates import DateError, find_date_range, parse_date_range
from commands.names import MatchResult, NameEntry, NameIndex, SeatTerm, member_aliases_for
from commands.people import covers, names_of
from commands.replies import Candidate, Problem
from commands.vote_replies import (
    NO_VOTE,
    NOT_MEMBER,
    VOTED,
    DivisionDetail,
    DivisionItem,
    DivisionListReply,
    DivisionReply,
    Link,
    MemberVote,
    MemberVotesReply,
    PartySplit,
    VoteAnswer,
    Voter,
    VotingSummary,
)

_VOTE_LABELS = {"aye": "Aye", "no": "No", "content": "Content", "not-content": "Not content"}
_SIDE_LABELS = {HOUSE_OF_COMMONS: ("Ayes", "Noes"), HOUSE_OF_LORDS: ("Contents", "Not contents")}
_YES_VOTES = frozenset({"aye", "content"})
CHOICE_PREFIX = "#"
MAX_LISTED = 200


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
        # A heading that only repeats the debate's title says nothing more.
        heading=row.heading if row.heading != row.debate_title else None,
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


# The name a vote is shown under, given its division (None: as the division list spells it).
NameOf = Callable[[DivisionRow, VoteRow], str | None]


def _voter(vote: VoteRow, name: str | None = None) -> Voter:
    return Voter(name or vote.name, vote.party, _VOTE_LABELS.get(vote.vote, vote.vote), vote.teller, vote.proxy)


def division_detail(row: DivisionRow, votes: Sequence[VoteRow], name_of: NameOf | None = None) -> DivisionDetail:
    """A division's result, parties, rebels, tellers and proxies; ``name_of`` names the voters (the
    Member's name where known), else they are named as the division list spells them."""

    def voter(vote: VoteRow) -> Voter:
        return _voter(vote, None if name_of is None else name_of(row, vote))

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
        # In the list's order (surname first), whatever they are shown as.
        rebels=[voter(v) for v in sorted((v for v in votes if v.against_party), key=lambda v: (v.party or "", v.name))],
        tellers=[voter(v) for v in votes if v.teller],
        proxies=[voter(v) for v in votes if v.proxy],
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
        """Party, House and years of the latest term: two Bishops of Blackburn differ only in their years."""
        latest = self.terms[-1]
        start = latest.from_date.year if latest.from_date else None
        if latest.to_date is None:
            years = f"from {start}" if start else None
        else:
            years = f"{start or '?'}-{latest.to_date.year}"
        return ", ".join(part for part in (latest.party, latest.house, years) if part)

    def candidate(self) -> Candidate:
        return Candidate(self.person_ref, self.name, self.detail)

    @property
    def term_spans(self) -> list[tuple[str, dt.date | None, dt.date | None]]:
        return [(term.house, term.from_date, term.to_date) for term in self.terms]

    def member_on(self, house: str, day: dt.date) -> bool:
        return house in self.houses_on(day)

    def houses_on(self, day: dt.date) -> set[str]:
        """The Houses they sat in on ``day`` (none, one, or both on the day they moved)."""
        return {term.house for term in self.terms if covers(term, day, day)}


def _term_key(term: MemberRecord) -> dt.date:
    return term.from_date or dt.date.min


class VotesCore:
    """Answers about divisions and votes, over one store and the bundled member list."""

    def __init__(
        self,
        engine: Engine,
        directory: MemberDirectory,
        aliases: Sequence[MemberAlias] = (),
        bill_names: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.engine = engine
        self.directory = directory
        # The names Bills were called in debate, by lower-cased official title (informal_names_by_title).
        self._bill_names = dict(bill_names or {})
        terms: dict[str, list[MemberRecord]] = {}
        for record in directory.all():
            terms.setdefault(record.person_ref, []).append(record)
        self.persons: dict[str, Person] = {}
        entries: list[NameEntry] = []
        seats: dict[int | str, list[SeatTerm]] = {}
        for person_ref, records in terms.items():
            records.sort(key=_term_key)
            person = Person(person_ref, records[-1].display_name, tuple(records))
            self.persons[person_ref] = person
            # Their names in other terms and Houses, and a peer's own name, as `member` knows them.
            others = tuple(sorted(names_of(records) - {person.name}))
            # More recent Members first on ties: the bundled Hansard is of 2009-10.
            weight = float(_term_key(records[-1]).year)
            entries.append(NameEntry(person_ref, person.name, person.detail, others, weight))
            seats[person_ref] = [(r.constituency, r.from_date, r.to_date) for r in records if r.constituency]
        # The names people use ("Nick Clegg"), misspelt surnames and seat names, as `member` knows them.
        self.members = NameIndex.for_members(member_aliases_for(entries, aliases, constituencies=seats))
        self._bills: tuple[tuple[str, ...], NameIndex] | None = None

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
        """The Bills that have divisions: their titles are read per request (imports add Bills), the
        index is rebuilt only when they change (autocomplete asks on every keystroke)."""
        titles = tuple(sorted(division_bill_titles(self.engine)))
        cached = self._bills
        if cached is None or cached[0] != titles:
            entries = (NameEntry(title, title, aliases=self._bill_names.get(title.lower(), ())) for title in titles)
            cached = (titles, NameIndex.for_bills(entries))
            self._bills = cached
        return cached[1]

    def autocomplete_bills(self, text: str, limit: int = 25) -> list[Candidate]:
        return [Candidate(m.entry.key, m.entry.name) for m in self.bill_index().autocomplete(text, limit)]

    def _resolve_bill(self, text: str) -> str | MatchResult:
        text = text.strip()
        index = self.bill_index()
        if text.startswith(CHOICE_PREFIX):
            text = text[1:]
        result = index.match(text)
        return str(result.best.entry.key) if result.best is not None else result

    def voter_name(self, row: DivisionRow, vote: VoteRow) -> str | None:
        """The Member's name (from the member list) a Lords vote is shown under ("Earl Cathcart", not the
        list's "Cathcart, E."); None where the vote resolves to no Member of that House then, and in the
        Commons, whose lists spell a Member's own name."""
        if row.house != HOUSE_OF_LORDS:
            return None
        record = self.directory.by_member_ref(vote.voter_ref)
        if record is not None and record.house == row.house:
            return record.display_name
        person = self.persons.get(vote.person_ref or "")
        if person is None:
            return None
        return next(
            (t.display_name for t in reversed(person.terms) if t.house == row.house and covers(t, row.date, row.date)),
            None,
        )

    def division_detail(self, row: DivisionRow) -> DivisionDetail:
        return division_detail(row, division_votes(self.engine, row.id), self.voter_name)

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
        return DivisionReply(understood, detail=self.division_detail(row))

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

    def _recorded(self, person: Person) -> dict[int, list[PersonVote]]:
        """The person's votes by division (two where they were listed in both lobbies)."""
        recorded: dict[int, list[PersonVote]] = {}
        for vote in votes_of_person(self.engine, person.person_ref):
            recorded.setdefault(vote.division_id, []).append(vote)
        return recorded

    def _summary(self, person: Person) -> VotingSummary:
        counts = voting_counts(self.engine, person.person_ref, person.term_spans)
        return VotingSummary(held=counts.held, voted=counts.voted, against_party=counts.against_party)

    def votes_in(self, person: Person, rows: Sequence[DivisionRow] | None, about: str) -> MemberVotesReply:
        """A person's vote in each of ``rows`` (None: every division held while they were a Member)."""
        recorded = self._recorded(person)
        listed = divisions_during(self.engine, person.term_spans) if rows is None else rows
        items: list[MemberVote] = []
        # Divisions of the other House, held while they sat in one: not theirs to vote in, left out
        # (a peer asked about a day of Commons divisions was a Member then, of the Lords).
        elsewhere: set[str] = set()
        held_in: set[str] = set()
        for row in listed:
            votes = recorded.get(row.id)
            item = division_item(row)
            if votes:
                # Listed in both lobbies: "Aye and No", as Hansard records it.
                label = " and ".join(_VOTE_LABELS.get(v.vote, v.vote) for v in votes)
                first = votes[0]
                against = any(v.against_party for v in votes)
                items.append(MemberVote(item, VOTED, label, first.teller, first.proxy, against))
                continue
            houses = person.houses_on(row.date)
            if row.house in houses:
                items.append(MemberVote(item, NO_VOTE))
            elif houses:
                elsewhere.update(houses)
                held_in.add(row.house)
            else:
                items.append(MemberVote(item, NOT_MEMBER))
        reply = MemberVotesReply(
            " ".join(part for part in (f"votes of {person.name}", about) if part),
            member=person.candidate(),
            votes=items,
            summary=self._summary(person),
        )
        if not items:
            reply.problem = Problem.NO_RESULTS
            if elsewhere:
                held, sat = (" and the ".join(sorted(houses)) for houses in (held_in, elsewhere))
                reply.message = (
                    f"{person.name} sat in the {sat} then, not the {held}: "
                    f"no loaded division {about or 'of these'} was theirs to vote in."
                )
            else:
                reply.message = "No loaded division was held while they were a Member."
        return reply

    def divisions_for(self, text: str) -> tuple[list[DivisionRow], str] | DivisionListReply:
        return _divisions_for(self, text)

    def voting_summary(self, person_ref: str) -> VotingSummary | None:
        person = self.persons.get(person_ref)
        if person is None:
            return None
        return self._summary(person)


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
            message=(
                f"More than one Bill with divisions matches “{shown}”: pick one."
                if len(result.candidates) > 1
                else f"No loaded division is on a Bill called “{shown}”; the nearest is below."
            ),
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
            alias_file = folder / "member_aliases.csv"
            aliases = load_member_aliases(alias_file) if alias_file.is_file() else []
            core = VotesCore(
                engine, MemberDirectory.from_csv(folder / "members_flat.csv"), aliases, informal_names_by_title(folder)
            )
            _cores[key] = core
        return core


def member_voting_summary(engine: Engine, member_id: int, data_dir: Path | None = None) -> VotingSummary | None:
    """The voting summary of a stored Member (a `member` row), for the member profile."""
    person_ref = person_of_member(engine, member_id)
    return votes_core(engine, data_dir).voting_summary(person_ref) if person_ref else None


# --- questions in plain words (for /hansard ask) --------------------------------------------------

_HOW_VOTED = re.compile(r"^how\s+did\s+(?P<who>.+?)\s+vote\s+(?:on|in|for|over|about|at)\s+(?P<what>.+)$", re.I)
_DID_VOTE = re.compile(
    r"^did\s+(?P<who>.+?)\s+vote\s+(?P<side>for|against|in\s+favou?r\s+of|on|in)\s+(?P<what>.+)$", re.I
)
_WHO_REBELLED = re.compile(
    r"^who\s+(?:rebelled|voted\s+against\s+(?:their|the)\s+party(?:\s+line)?)\s+(?:on|in|over|against|at)\s+(?P<what>.+)$",
    re.I,
)
# Names people use for parties, and the party names of the member list.
_PARTY_NAMES = (
    (re.compile(r"^(?:lib\s*dems?|liberal\s+democrats?|libdems?)$", re.I), "Liberal Democrat"),
    (re.compile(r"^(?:labour|labour\s+party)$", re.I), "Labour"),
    (re.compile(r"^(?:tor(?:y|ies)|conservatives?|conservative\s+party)$", re.I), "Conservative"),
    (re.compile(r"^(?:snp|scottish\s+nationalists?|scottish\s+national\s+party)$", re.I), "Scottish National Party"),
    (re.compile(r"^(?:plaid(?:\s+cymru)?)$", re.I), "Plaid Cymru"),
    (re.compile(r"^(?:dup|democratic\s+unionists?(?:\s+party)?)$", re.I), "Democratic Unionist Party"),
    (re.compile(r"^(?:uup|ulster\s+unionists?(?:\s+party)?)$", re.I), "Ulster Unionist Party"),
    (
        re.compile(r"^(?:sdlp|social\s+democratic\s+(?:&|and)\s+labour\s+party)$", re.I),
        "Social Democratic & Labour Party",
    ),
    (re.compile(r"^(?:cross\s*benchers?|cross\s*bench)$", re.I), "Crossbench"),
    (re.compile(r"^bishops$", re.I), "Bishops"),
)
_PARTY_NOISE = re.compile(r"^the\s+|\s+(?:mps|members|peers|lords|party)$", re.I)
_DIVISION_NUMBER = re.compile(r"\bdivision\s+(?:no\.?\s*|number\s+)?(\d{1,4})\b", re.I)
_BILL_HOUSE_MARK = re.compile(r"\[\s*(?:lords|hl)\s*\]|\blords\s+amendments?\b", re.I)
_HOUSE_IN_TEXT = re.compile(r"\b(?:in\s+)?(?:the\s+)?(?:house\s+of\s+)?(commons|lords)\b", re.I)
_QUESTION_FILLER = re.compile(
    r"\b(?:the|a|an|on|in|of|to|for|at|by|and|division|divisions|vote|votes|voted|motion|question|"
    r"amendment|that|be|made|day|debate|bill)\b",
    re.I,
)
_NUMBERED = re.compile(r"\b(?:amendment|clause|new\s+clause|schedule)\s+\(?[0-9]+[A-Z]?\)?", re.I)
MAX_DETAILS = 10


def party_named(text: str) -> str | None:
    """The party a group name means ("the Lib Dems" -> "Liberal Democrat"), or None."""
    name = " ".join(_PARTY_NOISE.sub("", text.strip()).split())
    for pattern, party in _PARTY_NAMES:
        if pattern.match(name):
            return party
    return None


def answer_vote_question(core: VotesCore, question: str) -> VoteAnswer | None:
    """Answer "how did X vote on Y", "did X vote for Y", "who rebelled on Y", "how did the Lib Dems vote on Y".

    X is a Member or a party; Y a Bill, a date, a division number or words of the
    question put. None when the question has none of these shapes.
    """
    text = " ".join(question.replace("?", " ").split())[:500]
    if (match := _WHO_REBELLED.match(text)) is not None:
        found = core.divisions_for(match.group("what"))
        if isinstance(found, DivisionListReply):
            return found
        rows, about = found
        details = [core.division_detail(r) for r in rows[:MAX_DETAILS]]
        return DivisionListReply(f"who rebelled {about}", [d.item for d in details], details)
    match = _HOW_VOTED.match(text) or _DID_VOTE.match(text)
    if match is None:
        return None
    who, what = match.group("who"), match.group("what")
    side = match.groupdict().get("side")
    found = core.divisions_for(what)
    if isinstance(found, DivisionListReply):
        return found
    rows, about = found
    party = party_named(who)
    if party is not None:
        details = [core.division_detail(r) for r in rows[:MAX_DETAILS]]
        return DivisionListReply(f"how the {party} Members voted {about}", [d.item for d in details], details, party)
    person = core.resolve_member(who)
    if not isinstance(person, Person):
        return _member_problem(who, person, MemberVotesReply)
    reply = core.votes_in(person, rows, about)
    reply.answer = _verdict(person.name, reply.votes, side)
    return reply


def _verdict(name: str, votes: Sequence[MemberVote], side: str | None) -> str | None:
    """One line: "Yes: X voted Aye." for one division, or the counts over several."""
    if not votes:
        return None
    if len(votes) == 1:
        vote = votes[0]
        if vote.vote is None:
            return f"{name} {'has no recorded vote' if vote.status == NO_VOTE else vote.status} in this division."
        said = f"{name} voted {vote.vote}" + (" (as a teller)" if vote.teller else "") + "."
        if side is None or side.lower() in {"on", "in"}:
            return said
        wanted_yes = not side.lower().startswith("against")
        return f"{'Yes' if (vote.vote in {'Aye', 'Content'}) == wanted_yes else 'No'}: {said}"
    counts = Counter(v.vote or v.status for v in votes)
    parts = [f"{label} in {n}" for label, n in counts.most_common()]
    return f"{name} over {len(votes)} divisions: " + ", ".join(parts) + "."


def _divisions_for(core: VotesCore, text: str) -> tuple[list[DivisionRow], str] | DivisionListReply:
    """The divisions "Y" names (a division number, a date, a Bill, or words of the question)."""
    rest = text.strip()
    filters: dict[str, Any] = {}
    about: list[str] = []
    # "[Lords]" / "[HL]" marks a Bill that began in the Lords ("Marine and Coastal Access Bill [Lords]"), and
    # "Lords amendments" are considered in the Commons: neither names the House the divisions were in.
    if (house := _HOUSE_IN_TEXT.search(_BILL_HOUSE_MARK.sub(lambda m: " " * len(m.group(0)), rest))) is not None:
        filters["house"] = normalise_house(house.group(1))
        rest = rest[: house.start()] + " " + rest[house.end() :]
        about.append(f"in the {filters['house']}")
    if (number := _DIVISION_NUMBER.search(rest)) is not None:
        filters["number"] = int(number.group(1))
        about.append(f"in division {number.group(1)}")
        rest = rest[: number.start()] + " " + rest[number.end() :]
    try:
        dated = find_date_range(rest)
    except DateError:
        dated = None
    if dated is not None:
        days, span = dated
        filters.update(date_from=days.start, date_to=days.end)
        about.append(f"{'on' if days.start == days.end else 'in'} {days.describe()}")
        rest = rest[: span[0]] + " " + rest[span[1] :]
    bill = core.bill_index().find_in_text(rest) if re.search(r"[a-z]{3}", rest, re.I) else None
    if bill is not None and bill.span is not None:
        filters["bill_titles"] = (str(bill.entry.key),)
        about.append(f"on {bill.entry.key}")
        rest = rest[: bill.span[0]] + " " + rest[bill.span[1] :]
    # "amendment 44", "clause 3": a numbered thing is one phrase of the question.
    phrases = [" ".join(m.group(0).split()) for m in _NUMBERED.finditer(rest)]
    rest = _NUMBERED.sub(" ", rest)
    words = phrases + [w for w in re.findall(r"[\w'-]+", _QUESTION_FILLER.sub(" ", rest)) if len(w) > 2]
    if words:
        filters["words"] = words
        about.append(f"about “{' '.join(words)}”")
    described = " ".join(about) or "on that"
    if not filters or set(filters) == {"house"}:
        return DivisionListReply(
            f"divisions {described}",
            problem=Problem.BAD_INPUT,
            message="Say which division: a Bill, a date, a division number or words of the question.",
        )
    rows = find_divisions(core.engine, limit=MAX_LISTED, **filters)
    if not rows:
        return DivisionListReply(
            f"divisions {described}", problem=Problem.NO_RESULTS, message=f"No loaded division {described}."
        )
    return rows, described
