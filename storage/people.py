"""Who held an office, as the store records it: the office a speaker is announced with.

TheyWorkForYou marks a Member's first speech in each item with the office they
answered in (``extra["speaker_office"]``: "The Prime Minister", "The Secretary of
State for the Home Department"). That is the most faithful record of who held an
office on a sitting day, so "the Home Secretary" on given dates is looked up
here, from the partial index of the rows that carry an office (migration 0012).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, String, func, literal_column, select

from storage.models import CONTRIBUTION_TABLE, DEBATE_TABLE

__all__ = ["OfficeHolding", "data_dates", "office_holdings", "sessions"]


@dataclass(frozen=True, slots=True)
class OfficeHolding:
    """A Member who spoke in an office between two dates, and how often the office was named."""

    member_id: int
    office: str
    times: int
    first: dt.date
    last: dt.date


def office_holdings(
    engine: Engine, office_title: str | None, date_from: dt.date, date_to: dt.date
) -> list[OfficeHolding]:
    """Members announced with an office starting ``office_title`` (any case) between the dates, most often first.

    "The Secretary of State for Justice" also finds "... for Justice and Lord Chancellor";
    "The Prime Minister" does not find "The Deputy Prime Minister". With no title, every office announced then.
    """
    c = CONTRIBUTION_TABLE.c
    office = speaker_office(engine.dialect.name)
    conditions = [c.sitting_date >= date_from, c.sitting_date <= date_to, c.member_id.is_not(None), office.is_not(None)]
    if office_title is not None:
        conditions.append(func.lower(office).startswith(office_title.lower(), autoescape=True))
    statement = (
        select(c.member_id, office, func.count(), func.min(c.sitting_date), func.max(c.sitting_date))
        .where(*conditions)
        .group_by(c.member_id, office)
        .order_by(func.count().desc())
    )
    with engine.connect() as conn:
        return [OfficeHolding(int(m), str(o), int(n), first, last) for m, o, n, first, last in conn.execute(statement)]


def speaker_office(dialect: str) -> ColumnElement[str]:
    """The office a contribution's speaker was announced with, written as the partial index of
    migration 0012 writes it (a bound JSON path would not match the index)."""
    if dialect == "postgresql":
        return literal_column("(contribution.extra ->> 'speaker_office')", String)
    return literal_column("json_extract(contribution.extra, '$.speaker_office')", String)


def data_dates(engine: Engine) -> tuple[dt.date, dt.date] | None:
    """The first and last sitting day in the store (from the sitting-date index)."""
    c = CONTRIBUTION_TABLE.c
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(c.sitting_date), func.max(c.sitting_date))).one()
    return (first, last) if first is not None and last is not None else None


def sessions(engine: Engine) -> list[str]:
    """The parliamentary sessions of the stored debates ("2009-10"), in order."""
    d = DEBATE_TABLE.c
    with engine.connect() as conn:
        return sorted(str(s) for (s,) in conn.execute(select(d.session).distinct()) if s)
