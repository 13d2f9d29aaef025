"""The name catalogue: Members, Bills and the corpus's words, in memory, rebuilt after an import.

It turns what people type into entries (a confident match, candidates to pick from,
or nothing), offers autocomplete, and knows the words of the corpus for "did you
mean". Everything is built from the store in `refresh` and swapped in as one
snapshot, so a search in another thread sees the old catalogue or the new, whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from storage.models import CONTRIBUTION_TABLE
from storage.reference_data import bundled_data_dir, load_bill_informal_names, load_member_aliases
from storage.store import MemberRow, debate_rows, latest_import_run, member_rows

from commands.names import MatchResult, NameEntry, NameIndex, NameMatch, member_aliases_for
from commands.replies import Candidate, Problem
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


class NameCatalogue:
    def __init__(self, engine: Engine, data_dir: Path | None = None) -> None:
        self.engine = engine
        self.data_dir = data_dir or bundled_data_dir()
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

    def member_row(self, member_id: int) -> MemberRow | None:
        return self._now.member_rows.get(member_id)

    def bill_debate_ids(self, title: str) -> tuple[int, ...]:
        return self._now.bill_debates.get(title, ())

    # --- building ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild everything from the store (after an import)."""
        latest_run = latest_import_run(self.engine)
        rows = {row.id: row for row in member_rows(self.engine)}
        member_entries = [
            NameEntry(
                key=row.id,
                name=row.name,
                detail=", ".join(part for part in (row.party, row.house) if part),
                weight=float(row.contributions),
            )
            for row in rows.values()
        ]
        alias_file = self.data_dir / "member_aliases.csv"
        if alias_file.is_file():
            # Office titles, nicknames and misspelt surnames (the store has no seat dates for the rest).
            member_entries = member_aliases_for(member_entries, load_member_aliases(alias_file))
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
        )

    def refresh_if_imported(self) -> bool:
        """Refresh if an import (by any process sharing the store) ran since the last refresh."""
        latest_run = latest_import_run(self.engine)
        if (latest_run.id if latest_run else None) == self._now.after_run:
            return False
        self.refresh()
        return True

    def _bills(self) -> tuple[list[NameEntry], dict[str, tuple[int, ...]]]:
        informal: dict[str, list[str]] = {}
        informal_file = self.data_dir / "bill_informal_names.csv"
        if informal_file.is_file():
            for spoken, official in load_bill_informal_names(informal_file).items():
                informal.setdefault(official.lower(), []).append(spoken)
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
                aliases=tuple(informal.get(title.lower(), ())),
                weight=float(weight[title]),
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

    def _resolve(self, index: NameIndex, by_key: dict[str, NameEntry], text: str, kind: str) -> Resolved:
        text = text.strip()
        if text.startswith(CHOICE_PREFIX):
            entry = by_key.get(text[len(CHOICE_PREFIX) :])
            if entry is not None:
                return Resolved(Candidate(entry.key, entry.name, entry.detail))
        result: MatchResult = index.match(text)
        if result.best is not None:
            return Resolved(candidate(result.best))
        shown = truncate(text, 80)
        if result.candidates:
            return Resolved(
                problem=Problem.AMBIGUOUS_MEMBER if kind == "member" else Problem.AMBIGUOUS_BILL,
                message=f"More than one {kind} matches “{shown}”: pick one.",
                candidates=tuple(candidate(m) for m in result.candidates),
            )
        return Resolved(
            problem=Problem.UNKNOWN_MEMBER if kind == "member" else Problem.UNKNOWN_BILL,
            message=f"No {kind} in the loaded Hansard matches “{shown}”.",
        )

    def resolve_member(self, text: str) -> Resolved:
        now = self._now
        return self._resolve(now.members, now.member_by_key, text, "member")

    def resolve_bill(self, text: str) -> Resolved:
        now = self._now
        return self._resolve(now.bills, now.bill_by_key, text, "bill")

    def autocomplete_members(self, text: str, limit: int = 25) -> list[Candidate]:
        return [candidate(m) for m in self.members.autocomplete(text, limit)]

    def autocomplete_bills(self, text: str, limit: int = 25) -> list[Candidate]:
        return [candidate(m) for m in self.bills.autocomplete(text, limit)]
