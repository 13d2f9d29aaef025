"""The name catalogue: Members, Bills and the corpus's words, in memory, rebuilt after an import.

It turns what people type into entries (a confident match, candidates to pick from,
or nothing), offers autocomplete, and knows the words of the corpus for "did you
mean". Everything is built from the store in `refresh` and swapped in as one
snapshot, so a search in another thread sees the old catalogue or the new, whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from storage.models import CONTRIBUTION_TABLE
from storage.people import sessions as stored_sessions
from storage.reference_data import MemberDirectory, bundled_data_dir, load_member_aliases
from storage.store import MemberRow, debate_rows, latest_import_run, member_rows, printed_names

from commands.bill_titles import informal_names_by_title, session_years
from commands.names import MatchResult, NameEntry, NameIndex, NameMatch, member_aliases_for, normalise_member_name
from commands.people import People, find_office, find_seat
from commands.replies import Candidate, MembershipItem, Problem
from commands.spelling import Vocabulary, count_words
from commands.text import truncate

# Words from this many of the newest contributions make the "did you mean" vocabulary.
VOCABULARY_ROWS = 20_000
# An autocomplete choice sends "#<key>" so that a picked entry is never re-guessed.
CHOICE_PREFIX = "#"


@dataclass(frozen=True, slots=True)
class Resolved:
    """A member or bill option after matching: the entry, or what to tell the user instead."""

    candidate: Candidate | None = None
    problem: Problem | None = None
    message: str | None = None
    candidates: tuple[Candidate, ...] = ()


def candidate(match: NameMatch) -> Candidate:
    return Candidate(key=match.entry.key, name=match.entry.name, detail=match.entry.detail)


def ambiguous(kind: str, text: str, candidates: Sequence[Candidate]) -> Resolved:
    """What ``text`` matches when it names several members (or bills), or only comes near one:
    the reply asks which."""
    shown = truncate(" ".join(text.split()), 80)
    return Resolved(
        problem=Problem.AMBIGUOUS_MEMBER if kind == "member" else Problem.AMBIGUOUS_BILL,
        message=(
            f"More than one {kind} matches “{shown}”: pick one."
            if len(candidates) > 1
            else f"No {kind} in the loaded Hansard is called “{shown}”; the nearest is below."
        ),
        candidates=tuple(candidates),
    )


@dataclass(frozen=True)
class _Snapshot:
    members: NameIndex = field(default_factory=lambda: NameIndex.for_members([]))
    bills: NameIndex = field(default_factory=lambda: NameIndex.for_bills([]))
    member_by_key: dict[str, NameEntry] = field(default_factory=dict)
    member_rows: dict[int, MemberRow] = field(default_factory=dict)
    bill_by_key: dict[str, NameEntry] = field(default_factory=dict)
    bill_debates: dict[str, tuple[int, ...]] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    after_run: int | None = None
    # Offices, seats and parties by date, for "the Prime Minister" and "lib dem".
    people: People | None = None
    # Whole display names that only one entry has: "Mr. Speaker" is the Speaker, though close to his deputies.
    member_by_exact_name: dict[str, NameEntry] = field(default_factory=dict)
    sessions: tuple[str, ...] = ()


class NameCatalogue:
    def __init__(self, engine: Engine, data_dir: Path | None = None) -> None:
        self.engine = engine
        self.data_dir = data_dir or bundled_data_dir()
        members_file = self.data_dir / "members_flat.csv"
        # The people data: who sat in which House and seat, under which names.
        self._directory = MemberDirectory.from_csv(members_file) if members_file.is_file() else None
        self._now = _Snapshot()
        self.refresh()

    @property
    def members(self) -> NameIndex:
        return self._now.members

    @property
    def bills(self) -> NameIndex:
        return self._now.bills

    @property
    def vocabulary(self) -> Vocabulary:
        return self._now.vocabulary

    @property
    def people(self) -> People:
        return self._now.people or People(self.engine, [])

    @property
    def sessions(self) -> tuple[str, ...]:
        return self._now.sessions

    def member_row(self, member_id: int) -> MemberRow | None:
        return self._now.member_rows.get(member_id)

    def member_entry(self, member_id: int) -> NameEntry | None:
        return self._now.member_by_key.get(str(member_id))

    def same_person(self, member_id: int) -> tuple[int, ...]:
        """The member rows of one person: a peer who had been an MP speaks under two."""
        rows = self._now.member_rows
        row = rows.get(member_id)
        if row is None or row.person_ref is None:
            return (member_id,)
        return tuple(sorted(r.id for r in rows.values() if r.person_ref == row.person_ref))

    def memberships(self, member_id: int) -> list[MembershipItem]:
        """Both memberships of a person who sat in both Houses (none for everyone else)."""
        row, directory = self._now.member_rows.get(member_id), self._directory
        if row is None or row.person_ref is None or directory is None:
            return []
        found = directory.memberships(row.person_ref)
        if len(found) < 2:
            return []
        return [
            MembershipItem(m.house, m.name, m.from_date, m.to_date if m.to_date and m.to_date.year < 9999 else None)
            for m in found
        ]

    def session_named(self, text: str) -> str | None:
        """A session as typed ("2009-10", "2009/10", "2009-2010") among those in the data."""
        digits = re.findall(r"\d+", text)
        if len(digits) == 2 and len(digits[0]) == 4:
            typed = f"{digits[0]}-{digits[1][-2:]}"
            return typed if typed in self._now.sessions else None
        return None

    def autocomplete_parties(self, text: str, limit: int = 25) -> list[str]:
        return self.people.parties.matching(text, limit)

    def bill_debate_ids(self, title: str) -> tuple[int, ...]:
        return self._now.bill_debates.get(title, ())

    # --- building ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild everything from the store (after an import)."""
        latest_run = latest_import_run(self.engine)
        # A member row none of whose speeches is left names nobody (a store imported when rows
        # were keyed by the printed name keeps "Mr. Deputy Speaker" after a re-import moves them).
        stored = [row for row in member_rows(self.engine) if row.contributions]
        rows = {row.id: row for row in stored}
        directory = self._directory
        printed = printed_names(self.engine)
        member_entries = [
            NameEntry(
                key=row.id,
                name=row.name,
                detail=", ".join(part for part in (row.party, row.house) if part),
                # The names this person had in the other House ("Peter Mandelson" for Lord Mandelson).
                # and the names Hansard printed them under ("Mr. Speaker" for John Bercow).
                aliases=tuple(
                    m.name
                    for m in (directory.memberships(row.person_ref) if directory and row.person_ref else ())
                    if m.name != row.name
                )
                + printed.get(row.id, ()),
                weight=float(row.contributions),
            )
            for row in rows.values()
        ]
        alias_file = self.data_dir / "member_aliases.csv"
        aliases = load_member_aliases(alias_file) if alias_file.is_file() else []
        # Office titles, nicknames and misspelt surnames (the store has no seat dates for the rest).
        member_entries = member_aliases_for(member_entries, aliases)
        people = People(self.engine, stored, directory.all() if directory else [], aliases)
        member_entries = people.with_other_names(member_entries)
        bill_entries, bill_debates = self._bills()
        self._now = _Snapshot(
            members=NameIndex.for_members(member_entries),
            bills=NameIndex.for_bills(bill_entries),
            member_by_key={str(entry.key): entry for entry in member_entries},
            member_rows=rows,
            bill_by_key={str(entry.key): entry for entry in bill_entries},
            bill_debates=bill_debates,
            vocabulary=Vocabulary(self._corpus_words(), names=[row.name for row in rows.values()]),
            after_run=latest_run.id if latest_run else None,
            people=people,
            member_by_exact_name=_unique_names(member_entries),
            sessions=tuple(stored_sessions(self.engine)),
        )

    def refresh_if_imported(self) -> bool:
        """Refresh if an import (by any process sharing the store) ran since the last refresh."""
        latest_run = latest_import_run(self.engine)
        if (latest_run.id if latest_run else None) == self._now.after_run:
            return False
        self.refresh()
        return True

    def _bills(self) -> tuple[list[NameEntry], dict[str, tuple[int, ...]]]:
        informal = informal_names_by_title(self.data_dir)
        debates: dict[str, list[int]] = {}
        sessions: dict[str, set[str]] = {}
        weight: Counter[str] = Counter()
        for row in debate_rows(self.engine, bills_only=True):
            debates.setdefault(row.title, []).append(row.id)
            if row.session:
                sessions.setdefault(row.title, set()).add(row.session)
            weight[row.title] += row.contributions
        entries = [
            NameEntry(
                key=title,
                name=title,
                detail=", ".join(sorted(sessions.get(title, ()))),
                aliases=informal.get(title.lower(), ()),
                weight=float(weight[title]),
                years=session_years(sessions.get(title, ())),
            )
            for title in debates
        ]
        return entries, {title: tuple(ids) for title, ids in debates.items()}

    def _corpus_words(self) -> Counter[str]:
        c = CONTRIBUTION_TABLE.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.title, c.text).order_by(c.id.desc()).limit(VOCABULARY_ROWS))
            return count_words(f"{title} {body}" for title, body in rows)

    # --- resolving what people type -------------------------------------------------------------

    def _resolve(
        self, index: NameIndex, by_key: dict[str, NameEntry], text: str, kind: str, exact: dict[str, NameEntry]
    ) -> Resolved:
        text = text.strip()
        if text.startswith(CHOICE_PREFIX):
            entry = by_key.get(text[len(CHOICE_PREFIX) :])
            if entry is not None:
                return Resolved(Candidate(entry.key, entry.name, entry.detail))
        whole = exact.get(normalise_member_name(text)) if exact else None
        if whole is not None:
            return Resolved(Candidate(whole.key, whole.name, whole.detail))
        result: MatchResult = index.match(text)
        if result.best is not None:
            return Resolved(candidate(result.best))
        if result.candidates:
            return ambiguous(kind, text, [candidate(m) for m in result.candidates])
        return Resolved(
            problem=Problem.UNKNOWN_MEMBER if kind == "member" else Problem.UNKNOWN_BILL,
            message=f"No {kind} in the loaded Hansard matches “{truncate(text, 80)}”.",
        )

    def resolve_member(self, text: str) -> Resolved:
        now = self._now
        said = " ".join(text.split())
        office = find_office(said)
        if office is not None and office[1] == (0, len(said)) and now.people is not None:
            # "the Prime Minister" as a whole option: whoever held it as the data ends.
            holder = now.people.office_holder(office[0], None, None)
            if holder is not None and holder.others:
                holders = [e for e in map(self.member_entry, holder.others) if e is not None]
                return ambiguous("member", said, [Candidate(e.key, e.name, e.detail) for e in holders])
            entry = self.member_entry(holder.member_id) if holder and holder.member_id is not None else None
            if entry is not None:
                return Resolved(Candidate(entry.key, entry.name, entry.detail))
        seat = find_seat(said)
        if seat is not None and seat[1] == (0, len(said)) and now.people is not None:
            # "the member for Bedford" as a whole option: whoever held the seat as the data ends.
            held = now.people.seat_holder(seat[0], None, None)
            entry = self.member_entry(held.member_id) if held and held.member_id is not None else None
            if entry is not None:
                return Resolved(Candidate(entry.key, entry.name, entry.detail))
        return self._resolve(now.members, now.member_by_key, text, "member", now.member_by_exact_name)

    def resolve_bill(self, text: str) -> Resolved:
        now = self._now
        return self._resolve(now.bills, now.bill_by_key, text, "bill", {})

    def autocomplete_members(self, text: str, limit: int = 25) -> list[Candidate]:
        return [candidate(m) for m in self.members.autocomplete(text, limit)]

    def autocomplete_bills(self, text: str, limit: int = 25) -> list[Candidate]:
        return [candidate(m) for m in self.bills.autocomplete(text, limit)]


def _unique_names(entries: Sequence[NameEntry]) -> dict[str, NameEntry]:
    """Entries by their whole display name, where no other entry has that name."""
    by_name: dict[str, list[NameEntry]] = {}
    for entry in entries:
        by_name.setdefault(normalise_member_name(entry.name), []).append(entry)
    return {name: found[0] for name, found in by_name.items() if len(found) == 1 and name}
