"""Context: the speeches before and after a contribution in its sitting's order, and the
whole debate it belongs to, in pages.

The order is the printed order of the sitting (storage.insight.sitting_order: the column and
position that a TheyWorkForYou id carries, as in the XML), within one day, House, chamber
and series (the Commons chamber, Westminster Hall and written answers are separate runs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from storage.insight import SittingEntry, contributions_by_row_id, sitting_entries
from storage.models import Contribution
from storage.store import find_contribution

from commands.citations import formal_reference
from commands.core import HansardCore
from commands.replies import Problem

DEFAULT_AROUND = 2
MAX_AROUND = 20
DEBATE_PAGE_SIZE = 5


@dataclass(frozen=True, slots=True)
class ContextItem:
    row_id: int
    uri: str
    member: str | None
    party: str | None
    date: dt.date | None
    title: str
    reference: str | None
    text: str
    position: int  # 1-based place in the sitting's order

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "member": self.member,
            "party": self.party,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "reference": self.reference,
            "position": self.position,
            "text": self.text,
        }


@dataclass(slots=True)
class ContextReply:
    anchor: ContextItem | None
    before: list[ContextItem] = field(default_factory=list)  # nearest last
    after: list[ContextItem] = field(default_factory=list)  # nearest first
    sitting_size: int = 0
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "contribution": self.anchor.to_json() if self.anchor else None,
            "before": [i.to_json() for i in self.before],
            "after": [i.to_json() for i in self.after],
            "sitting_size": self.sitting_size,
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
        }


@dataclass(slots=True)
class DebatePage:
    """One page of the speeches of a debate on one sitting day, in order."""

    anchor: ContextItem | None
    debate_title: str | None = None
    items: list[ContextItem] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    total: int = 0
    problem: Problem | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "debate_title": self.debate_title,
            "page": self.page,
            "pages": self.pages,
            "total": self.total,
            "items": [i.to_json() for i in self.items],
            "problem": self.problem.value if self.problem else None,
            "message": self.message,
        }


def _item(row: Contribution, position: int) -> ContextItem:
    assert row.id is not None
    return ContextItem(
        row_id=row.id,
        uri=row.uri,
        member=row.speaker,
        party=row.party,
        date=row.sitting_date,
        title=row.title,
        reference=formal_reference(row.house, row.sitting_date, row.references),
        text=row.text,
        position=position,
    )


def _anchor(core: HansardCore, key: str | int) -> Contribution | None:
    if isinstance(key, int):
        return contributions_by_row_id(core.engine, [key]).get(key)
    return find_contribution(core.engine, key[:500])


def _sitting(core: HansardCore, row: Contribution) -> list[SittingEntry]:
    if row.sitting_date is None:
        return []
    return sitting_entries(core.engine, row.sitting_date, row.house, row.chamber, row.uri)


def _items(core: HansardCore, entries: list[tuple[int, SittingEntry]]) -> list[ContextItem]:
    rows = contributions_by_row_id(core.engine, [entry.id for _, entry in entries])
    return [_item(rows[entry.id], index + 1) for index, entry in entries if entry.id in rows]


def _not_found(key: str | int) -> str:
    return f"No contribution with URI or id “{str(key)[:80]}” is loaded."


def around(
    core: HansardCore, key: str | int, before: int = DEFAULT_AROUND, after: int = DEFAULT_AROUND
) -> ContextReply:
    """The ``before`` speeches before the contribution (URI, number or row id) and ``after`` after it."""
    before, after = max(0, min(before, MAX_AROUND)), max(0, min(after, MAX_AROUND))
    row = _anchor(core, key)
    if row is None or row.id is None:
        return ContextReply(anchor=None, problem=Problem.NOT_FOUND, message=_not_found(key))
    entries = _sitting(core, row)
    index = next((i for i, entry in enumerate(entries) if entry.id == row.id), None)
    if index is None:  # undated: it is its own sitting
        return ContextReply(anchor=_item(row, 1), sitting_size=1)
    earlier = [(i, entries[i]) for i in range(max(0, index - before), index)]
    later = [(i, entries[i]) for i in range(index + 1, min(len(entries), index + 1 + after))]
    return ContextReply(
        anchor=_item(row, index + 1),
        before=_items(core, earlier),
        after=_items(core, later),
        sitting_size=len(entries),
    )


def whole_debate(core: HansardCore, key: str | int, page: int = 1, page_size: int = DEBATE_PAGE_SIZE) -> DebatePage:
    """The speeches of the contribution's debate on its sitting day, in order, a page at a time."""
    row = _anchor(core, key)
    if row is None or row.id is None:
        return DebatePage(anchor=None, problem=Problem.NOT_FOUND, message=_not_found(key))
    entries = list(enumerate(_sitting(core, row))) or [(0, SittingEntry(row.id, row.uri, row.debate_id, (0, 0, 0)))]
    debate = [(i, entry) for i, entry in entries if entry.debate_id == row.debate_id]
    pages = max(1, -(-len(debate) // page_size))
    page = max(1, min(page, pages))
    shown = debate[(page - 1) * page_size : page * page_size]
    return DebatePage(
        anchor=_item(row, next((i + 1 for i, e in entries if e.id == row.id), 1)),
        debate_title=row.debate_title or row.title,
        items=_items(core, shown),
        page=page,
        pages=pages,
        total=len(debate),
    )
