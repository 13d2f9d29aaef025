"""Reading stored contributions back: by URI or id, as the parsed record's fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    CONTRIBUTION_TABLE,
    DEBATE_TABLE,
    IMPORT_RUN_TABLE,
    MEMBER_TABLE,
    TWFY_REDIRECT_TABLE,
    Contribution,
)
from storage.twfy import twfy_gid, twfy_uri, uris_for_id
from storage.twfy_versions import Redirect, follow

# Up to 18 digits: any larger number is no contribution id and would overflow a 64-bit column.
# The number may come as it ends the URI, CONTRIBUTION_622898.
_DIGITS = re.compile(r"(?:CONTRIBUTION_)?(\d{1,18})", re.IGNORECASE)


def find_contribution(engine: Engine, uri_or_id: str) -> Contribution | None:
    """A contribution by its URI, the number that ends its URI (``622898``, ``CONTRIBUTION_622898``),
    or its TheyWorkForYou id (``2010-02-10a.1022.0``, or any theyworkforyou.com address with it).

    The address of a TheyWorkForYou item that a later version of its day replaced
    finds the contribution as it stands now, through the stored redirects.
    """
    key = uri_or_id.strip()
    with Session(engine) as session:
        found = session.exec(select(Contribution).where(Contribution.uri == key)).first()
        number = _DIGITS.fullmatch(key)
        if found is None and number is not None:
            found = session.exec(
                select(Contribution).where(Contribution.contribution_id == int(number.group(1)))
            ).first()
        twfy_uris = uris_for_id(key) if found is None else []
        if twfy_uris:
            statement = select(Contribution).where(col(Contribution.uri).in_(twfy_uris)).order_by(col(Contribution.id))
            found = session.exec(statement).first()
        for uri in (twfy_uris or [key]) if found is None else []:
            gid = twfy_gid(uri)
            current = redirected_uri(engine, gid) if gid is not None else None
            if current is not None and current != uri:
                found = session.exec(select(Contribution).where(Contribution.uri == current)).first()
                break
        return found


def redirected_uri(engine: Engine, gid: str) -> str | None:
    """Where a TheyWorkForYou id leads now through the stored redirects; None if it was removed."""
    r = TWFY_REDIRECT_TABLE
    with engine.connect() as conn:

        def redirect_of(old_gid: str) -> Redirect | None:
            row = conn.execute(sa_select(r.c.old_gid, r.c.new_gid, r.c.matchtype).where(r.c.old_gid == old_gid)).first()
            return Redirect(*row) if row is not None else None

        final, removed = follow(gid, redirect_of)
    return None if removed else twfy_uri(final)


def record_dict(row: Contribution) -> dict[str, Any]:
    """The stored contribution with the field names of ``ParsedContribution``, JSON-ready."""
    return {
        "uri": row.uri,
        "contribution_id": row.contribution_id,
        "title": row.title,
        "member": row.member_name,
        "party": row.party,
        "houses": list(row.houses),
        "sitting_date": row.sitting_date.isoformat() if row.sitting_date else None,
        "debate_types": list(row.debate_types),
        "debate_title": row.debate_title,
        "contribution_type": row.contribution_type,
        "references": list(row.references),
        "session": row.session,
        "chamber": row.chamber,
        "subjects": list(row.subjects),
        "index_timestamp": row.index_timestamp.isoformat() if row.index_timestamp else None,
        "paragraphs": list(row.paragraphs),
    }


@dataclass(frozen=True, slots=True)
class ImportRunRow:
    """One row of the import_run table: one run of the importer."""

    id: int
    source: str
    requested_by: str | None
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    files_done: int
    new: int
    updated: int
    unchanged: int
    failed: int
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoreStats:
    contributions: int
    members: int
    debates: int
    bills: int
    first_date: dt.date | None
    last_date: dt.date | None
    last_import: ImportRunRow | None


def store_stats(engine: Engine) -> StoreStats:
    c, d = CONTRIBUTION_TABLE.c, DEBATE_TABLE.c
    with engine.connect() as conn:
        contributions, first, last = conn.execute(
            sa_select(func.count(), func.min(c.sitting_date), func.max(c.sitting_date))
        ).one()
        members = conn.execute(sa_select(func.count()).select_from(MEMBER_TABLE)).scalar_one()
        debates = conn.execute(sa_select(func.count()).select_from(DEBATE_TABLE)).scalar_one()
        bills = conn.execute(sa_select(func.count()).select_from(DEBATE_TABLE).where(d.is_bill)).scalar_one()
    return StoreStats(
        contributions=int(contributions),
        members=int(members),
        debates=int(debates),
        bills=int(bills),
        first_date=first,
        last_date=last,
        last_import=latest_import_run(engine),
    )


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: int
    name: str
    house: str | None
    party: str | None
    contributions: int
    # The ParlParse person id, joining this name to the person's other names and seats.
    person_ref: str | None = None


@dataclass(frozen=True, slots=True)
class DebateRow:
    id: int
    title: str
    session: str | None
    is_bill: bool
    contributions: int


def member_rows(engine: Engine) -> list[MemberRow]:
    """Every Member with the number of their contributions (for the name index)."""
    c, m = CONTRIBUTION_TABLE.c, MEMBER_TABLE.c
    counts = sa_select(c.member_id, func.count().label("n")).group_by(c.member_id).subquery()
    statement = sa_select(m.id, m.name, m.house, m.party, func.coalesce(counts.c.n, 0), m.person_ref).outerjoin_from(
        MEMBER_TABLE, counts, counts.c.member_id == m.id
    )
    with engine.connect() as conn:
        return [MemberRow(int(i), n, h, p, int(k), ref) for i, n, h, p, k, ref in conn.execute(statement)]


# How many of the newest contributions `printed_names` reads: every sitting day has the chair's
# speeches, and reading all of a store's is a full scan (10 s at a million on SQLite).
PRINTED_NAMES_SCAN = 50_000


def printed_names(engine: Engine) -> dict[int, tuple[str, ...]]:
    """Each Member's names as Hansard printed them, where not the member row's own name, in
    the newest PRINTED_NAMES_SCAN contributions.

    A member row is named as the Member is ("John Bercow"); Hansard prints the chair's
    speeches under the office ("Mr. Speaker", "Madam Deputy Speaker").
    """
    c, m = CONTRIBUTION_TABLE.c, MEMBER_TABLE.c
    newest = sa_select(c.member_id, c.member_name).order_by(c.id.desc()).limit(PRINTED_NAMES_SCAN).subquery()
    statement = (
        sa_select(newest.c.member_id, newest.c.member_name)
        .join(MEMBER_TABLE, m.id == newest.c.member_id)
        .where(newest.c.member_name.is_not(None), newest.c.member_name != m.name)
        .distinct()
    )
    found: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for member_id, name in conn.execute(statement):
            found.setdefault(int(member_id), []).append(name)
    return {member_id: tuple(sorted(names)) for member_id, names in found.items()}


def debate_rows(engine: Engine, bills_only: bool = False) -> list[DebateRow]:
    c, d = CONTRIBUTION_TABLE.c, DEBATE_TABLE.c
    counts = sa_select(c.debate_id, func.count().label("n")).group_by(c.debate_id).subquery()
    statement = sa_select(d.id, d.title, d.session, d.is_bill, func.coalesce(counts.c.n, 0)).outerjoin_from(
        DEBATE_TABLE, counts, counts.c.debate_id == d.id
    )
    if bills_only:
        statement = statement.where(d.is_bill)
    with engine.connect() as conn:
        return [DebateRow(int(i), t, s, bool(b), int(k)) for i, t, s, b, k in conn.execute(statement)]


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    """Counts over a set of contributions (one Member's, or one Bill's)."""

    contributions: int
    first_date: dt.date | None
    last_date: dt.date | None
    top_debates: list[tuple[str, bool, int]]
    top_members: list[tuple[str, int]]
    sessions: list[str]
    houses: list[str]
    dates: list[dt.date]


def activity_summary(
    engine: Engine, member_ids: Sequence[int] = (), debate_ids: Sequence[int] = (), top: int = 5
) -> ActivitySummary:
    """Counts over one Member's or one Bill's contributions (or both together)."""
    c, d, m = CONTRIBUTION_TABLE.c, DEBATE_TABLE.c, MEMBER_TABLE.c
    where: list[Any] = []
    if member_ids:
        where.append(c.member_id.in_(member_ids))
    if debate_ids:
        where.append(c.debate_id.in_(debate_ids))
    n = func.count().label("n")
    with engine.connect() as conn:
        count, first, last = conn.execute(
            sa_select(func.count(), func.min(c.sitting_date), func.max(c.sitting_date)).where(*where)
        ).one()
        debates = conn.execute(
            sa_select(d.title, d.is_bill, n)
            .join_from(CONTRIBUTION_TABLE, DEBATE_TABLE, c.debate_id == d.id)
            .where(*where)
            .group_by(d.id, d.title, d.is_bill)
            .order_by(n.desc(), d.title)
            .limit(top * 4)
        ).all()
        members = conn.execute(
            sa_select(m.name, n)
            .join_from(CONTRIBUTION_TABLE, MEMBER_TABLE, c.member_id == m.id)
            .where(*where)
            .group_by(m.id, m.name)
            .order_by(n.desc(), m.name)
            .limit(top)
        ).all()
        sessions = conn.execute(sa_select(c.session).where(*where, c.session.is_not(None)).distinct()).scalars()
        houses = conn.execute(sa_select(c.house).where(*where, c.house.is_not(None)).distinct()).scalars()
        dates = conn.execute(
            sa_select(c.sitting_date).where(*where, c.sitting_date.is_not(None)).distinct().order_by(c.sitting_date)
        ).scalars()
        return ActivitySummary(
            contributions=int(count),
            first_date=first,
            last_date=last,
            top_debates=[(t, bool(b), int(k)) for t, b, k in debates],
            top_members=[(name, int(k)) for name, k in members],
            sessions=sorted(s for s in sessions if s),
            houses=sorted(h for h in houses if h),
            dates=list(dates),
        )


def latest_import_run(engine: Engine, source: str | None = None) -> ImportRunRow | None:
    """The newest import run (of ``source``, the label it was recorded with, if given)."""
    r = IMPORT_RUN_TABLE.c
    statement = sa_select(IMPORT_RUN_TABLE).order_by(r.id.desc()).limit(1)
    if source is not None:
        statement = statement.where(r.source == source)
    with engine.connect() as conn:
        row = conn.execute(statement).mappings().first()
    if row is None:
        return None
    return ImportRunRow(**{**row, "errors": tuple(row["errors"] or ())})


def latest_import_finished(engine: Engine) -> dt.datetime | None:
    """When the most recent import run (of any source) finished."""
    with engine.connect() as conn:
        return conn.execute(sa_select(func.max(IMPORT_RUN_TABLE.c.finished_at))).scalar()


def debate_ids_titled(engine: Engine, title: str) -> list[int]:
    """Every debate (of any session) with this title."""
    d = DEBATE_TABLE.c
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(sa_select(d.id).where(d.title == title)).scalars()]
