"""Divisions in the store: importing parsed divisions, and the queries that answer about votes.

Import rule (the feed's rule for re-issued days): a division is keyed by house,
date and number. A stored division is replaced by one from a newer version of
its day, or from the day's own file where the stored one came from a
divisions-only extract of the same version; never by an older version, so any
order of arrival converges. Importing the same division twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from storage.divisions import ParsedDivision, ParsedVote, parse_divisions
from storage.models import (
    CONTRIBUTION_TABLE,
    DEBATE_TABLE,
    DIVISION_TABLE,
    DIVISION_VOTE_TABLE,
    MEMBER_TABLE,
    TWFY_DAY_VERSION_TABLE,
    utcnow,
)
from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS, ParseError
from storage.reference_data import MemberDirectory, MemberRecord
from storage.twfy import TWFY_BASE_URL, looks_like_twfy

D = DIVISION_TABLE.c
V = DIVISION_VOTE_TABLE.c

# The section of theyworkforyou.com for each publicwhip namespace that holds divisions.
_TWFY_PATHS = {"debate": "debates", "lords": "lords"}
_GID_RE = re.compile(r"^uk\.org\.publicwhip/([a-z]+)/(.+)$")
# Divisions-only extracts are named divisionsYYYY-MM-DDv.xml / lordsdivisionsYYYY-MM-DDv.xml.
_EXTRACT_NAME = re.compile(r"divisions\d{4}-\d{2}-\d{2}[a-z]*\.xml$", re.I)
# The day files and extracts that hold a House's divisions: (series, date, version letter).
_DIVISION_FILE = re.compile(r"(lordsdivisions|divisions|debates|daylord)(\d{4}-\d{2}-\d{2})([a-z]+)\.xml", re.I)
_SERIES_HOUSE = {"debates": HOUSE_OF_COMMONS, "divisions": HOUSE_OF_COMMONS}
# Parties without a whip: a vote "against the party" means nothing for them.
_UNWHIPPED = re.compile(
    r"independent|crossbench|bishops|^other$|law lord|non-affiliated|speaker|chairman of ways", re.IGNORECASE
)


def party_group(party: str | None) -> str | None:
    """The whipped party a Member votes with, or None (Labour (Co-op) Members take the Labour whip)."""
    if not party or _UNWHIPPED.search(party):
        return None
    return "Labour" if party.startswith("Labour (Co-op)") else party


def twfy_url(gid: str) -> str | None:
    """The division on theyworkforyou.com."""
    match = _GID_RE.match(gid)
    if match is None or match.group(1) not in _TWFY_PATHS:
        return None
    return f"{TWFY_BASE_URL}/{_TWFY_PATHS[match.group(1)]}/?id={match.group(2)}"


# --- importing --------------------------------------------------------------------------------


@dataclass(slots=True)
class DivisionImport:
    """What one division import did. ``warnings`` are "file:line: ..." texts."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # Met after a newer version of their day (or after the day's own file, for an extract): left alone.
    superseded: int = 0
    # Dropped because a newer version of their day no longer has them.
    removed: int = 0
    warnings: list[str] = field(default_factory=list)


class _Voters:
    """Member ids and person ids to persons and parties, from members_flat.csv."""

    def __init__(self, directory: MemberDirectory | None) -> None:
        self.directory = directory
        self.terms: dict[str, list[MemberRecord]] = {}
        for record in directory.all() if directory is not None else ():
            self.terms.setdefault(record.person_ref, []).append(record)

    def resolve(self, vote: ParsedVote, house: str, date: dt.date) -> tuple[str | None, str | None]:
        """(person_ref, party) of a listed voter."""
        if vote.member_ref is not None and self.directory is not None:
            record = self.directory.by_member_ref(vote.member_ref)
            if record is not None:
                return record.person_ref, record.party
        if vote.person_ref is not None:
            for term in self.terms.get(vote.person_ref, ()):
                if term.house == house and _within(date, term.from_date, term.to_date):
                    return vote.person_ref, term.party
            return vote.person_ref, None
        return None, None


def _within(date: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or start <= date) and (end is None or date <= end)


class InputFile(Protocol):
    """One input file as the importer's walk gives it (`storage.importer.sources.SourceFile`)."""

    @property
    def name(self) -> str: ...
    @property
    def error(self) -> str | None: ...
    def read(self) -> bytes: ...


def import_divisions(engine: Engine, files: Iterable[InputFile], members: MemberDirectory | None) -> DivisionImport:
    """Import the divisions of every ParlParse XML file of an import (the importer's second pass)."""
    outcome = DivisionImport()
    voters = _Voters(members)
    for source in files:
        if source.error is not None or not source.name.lower().endswith(".xml"):
            continue  # the contribution pass has reported it
        try:
            data = source.read()
        except OSError:
            continue  # the contribution pass has reported it
        if not looks_like_twfy(data[:8192]):
            continue
        try:
            parsed = parse_divisions(data, source.name)
        except ParseError:
            continue  # the contribution pass has reported it
        outcome.warnings.extend(parsed.warnings)
        if parsed.divisions:
            extract = bool(_EXTRACT_NAME.search(source.name))
            counts = store_divisions(engine, parsed.divisions, voters, from_extract=extract)
            outcome.new += counts["new"]
            outcome.updated += counts["updated"]
            outcome.unchanged += counts["unchanged"]
            outcome.superseded += counts["superseded"]
        outcome.removed += _drop_superseded(engine, source.name, data, parsed.divisions)
    return outcome


def _drop_superseded(engine: Engine, name: str, data: bytes, divisions: Sequence[ParsedDivision]) -> int:
    """Delete the divisions an older version of this file's day had and this newer version no longer has.

    A re-issued day can drop or renumber a division; without this its old row would stay for
    ever when the versions arrive oldest first, and not when they arrive newest first. A
    redirect stub (an older version, superseded) says nothing about the day and drops nothing.
    """
    found = _DIVISION_FILE.search(name.rsplit("/", 1)[-1])
    if found is None or (b"<speech" not in data and b"<division" not in data):
        return 0
    series, day_text, version = found.group(1).lower(), found.group(2), found.group(3).lower()
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        return 0
    house = _SERIES_HOUSE.get(series, HOUSE_OF_LORDS)
    kept = {division.number for division in divisions if division.house == house and division.date == day}
    with engine.begin() as conn:
        stale = [
            row.id
            for row in conn.execute(select(D.id, D.number, D.version).where(D.house == house, D.division_date == day))
            if row.number not in kept and _rank(row.version, False) < _rank(version, False)
        ]
        if stale:
            conn.execute(delete(DIVISION_VOTE_TABLE).where(V.division_id.in_(stale)))
            conn.execute(delete(DIVISION_TABLE).where(D.id.in_(stale)))
    return len(stale)


def store_divisions(
    engine: Engine, divisions: Iterable[ParsedDivision], voters: _Voters, *, from_extract: bool
) -> Counter[str]:
    """Upsert one file's divisions in one transaction; counts of new, updated, unchanged, superseded."""
    counts: Counter[str] = Counter()
    with engine.begin() as conn:
        for division in divisions:
            counts[_store_one(conn, division, voters, from_extract)] += 1
    return counts


def _vote_rows(division: ParsedDivision, voters: _Voters) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for vote in division.votes:
        person, party = voters.resolve(vote, division.house, division.date)
        voter_ref = vote.member_ref or vote.person_ref or f"name:{vote.name}"
        rows[(voter_ref[:300], vote.vote)] = {
            "voter_ref": voter_ref[:300],
            "vote": vote.vote,
            "person_ref": person,
            "name": vote.name[:300],
            "party": party[:128] if party else None,
            "teller": vote.teller,
            "proxy": vote.proxy[:300] if vote.proxy else None,
            "against_party": False,
        }
    # A party's majority in this division; a Member on the other side voted against it. A Member
    # listed in both lobbies (a deliberate abstention) is on neither side.
    both_lobbies = {ref for ref, n in Counter(ref for ref, _ in rows).items() if n > 1}
    sides: dict[str, Counter[str]] = {}
    for row in rows.values():
        group = party_group(row["party"])
        if group is not None and row["voter_ref"] not in both_lobbies:
            sides.setdefault(group, Counter())[row["vote"]] += 1
    for row in rows.values():
        group = party_group(row["party"])
        if group is None or row["voter_ref"] in both_lobbies:
            continue
        ranked = sides[group].most_common()
        majority = ranked[0][0] if len(ranked) == 1 or ranked[0][1] > ranked[1][1] else None
        row["against_party"] = majority is not None and row["vote"] != majority
    return sorted(rows.values(), key=lambda r: (r["vote"], r["voter_ref"]))


def _debate_of(conn: Connection, division: ParsedDivision) -> tuple[int | None, str | None, str | None]:
    """(debate id, debate title, Bill title): from the stored speech just before the division where there is one."""
    uri = twfy_url(division.preceding_gid) if division.preceding_gid else None
    if uri is not None:
        c, d = CONTRIBUTION_TABLE.c, DEBATE_TABLE.c
        found = conn.execute(
            select(d.id, d.title, d.is_bill)
            .join_from(CONTRIBUTION_TABLE, DEBATE_TABLE, c.debate_id == d.id)
            # the contribution's URI is TWFY's, with the day's version letter in the id
            .where(c.uri == uri)
        ).first()
        if found is not None:
            # The stored debate decides: a division under business that is no Bill's is on no Bill.
            return int(found.id), found.title, found.title if found.is_bill else None
    return None, division.debate_title, division.bill_title


def _store_one(conn: Connection, division: ParsedDivision, voters: _Voters, from_extract: bool) -> str:
    debate_id, debate_title, bill_title = _debate_of(conn, division)
    values: dict[str, Any] = {
        "house": division.house,
        "division_date": division.date,
        "number": division.number,
        "gid": division.gid[:200],
        "version": division.version[:8],
        "from_extract": from_extract,
        "colnum": (division.colnum or "")[:16] or None,
        "time": division.time,
        "hansard_url": division.hansard_url,
        "ayes": division.ayes,
        "noes": division.noes,
        "teller_ayes": division.teller_ayes,
        "teller_noes": division.teller_noes,
        "debate_id": debate_id,
        "debate_title": debate_title,
        "bill_title": bill_title,
        "heading": division.heading,
        "question": division.question,
        "motion": division.motion,
        "source": division.source[:1000],
    }
    votes = _vote_rows(division, voters)
    digest = hashlib.sha256(
        json.dumps([values, votes], default=str, sort_keys=True).encode("utf-8", "surrogatepass")
    ).hexdigest()
    stored = conn.execute(
        select(D.id, D.version, D.from_extract, D.content_hash).where(
            D.house == division.house, D.division_date == division.date, D.number == division.number
        )
    ).first()
    values["content_hash"] = digest
    values["imported_at"] = utcnow()
    if stored is None and _day_moved_on(conn, division):
        return "superseded"  # a division an older version had, which the newer one no longer has
    if stored is None:
        division_id = conn.execute(insert(DIVISION_TABLE).values(values)).inserted_primary_key
        assert division_id is not None
        _insert_votes(conn, int(division_id[0]), votes)
        return "new"
    if _rank(stored.version, stored.from_extract) > _rank(division.version, from_extract):
        return "superseded"
    if _day_moved_on(conn, division):
        return "superseded"
    if stored.content_hash == digest:
        return "unchanged"
    conn.execute(update(DIVISION_TABLE).where(D.id == stored.id).values(values))
    conn.execute(delete(DIVISION_VOTE_TABLE).where(V.division_id == stored.id))
    _insert_votes(conn, int(stored.id), votes)
    return "updated"


# The series whose day versions (storage.importer's twfy_day_version) say how far a House's day has moved on.
_DAY_SERIES = {HOUSE_OF_COMMONS: "debates", HOUSE_OF_LORDS: "lordspages"}


def _day_moved_on(conn: Connection, division: ParsedDivision) -> bool:
    """Whether a newer version of the division's day is already stored (its day file, or a division of it)."""
    incoming = _rank(division.version, False)
    versions = [
        row.version
        for row in conn.execute(
            select(D.version).where(D.house == division.house, D.division_date == division.date).distinct()
        )
    ]
    series = _DAY_SERIES.get(division.house)
    if series is not None:
        t = TWFY_DAY_VERSION_TABLE.c
        versions += conn.execute(select(t.version).where(t.series == series, t.day == division.date)).scalars().all()
    return any(_rank(version, False) > incoming for version in versions)


def _rank(version: str, from_extract: bool) -> tuple[int, str, bool]:
    """Newer versions first ("b" after "a", "aa" after "z"); the day's own file before its extract."""
    return (len(version), version, not from_extract)


def _insert_votes(conn: Connection, division_id: int, votes: list[dict[str, Any]]) -> None:
    if votes:
        conn.execute(insert(DIVISION_VOTE_TABLE), [{"division_id": division_id, **row} for row in votes])


# --- queries ----------------------------------------------------------------------------------


class DivisionRow(NamedTuple):
    """A stored division (the fields of the `division` table that answers use)."""

    id: int
    house: str
    date: dt.date
    number: int
    gid: str
    colnum: str | None
    time: str | None
    hansard_url: str | None
    ayes: int
    noes: int
    teller_ayes: int | None
    teller_noes: int | None
    debate_id: int | None
    debate_title: str | None
    bill_title: str | None
    heading: str | None
    question: str | None
    motion: str | None

    @property
    def passed(self) -> bool:
        return self.ayes > self.noes


class VoteRow(NamedTuple):
    division_id: int
    voter_ref: str
    person_ref: str | None
    name: str
    party: str | None
    vote: str
    teller: bool
    proxy: str | None
    against_party: bool


_DIVISION_COLUMNS = (
    D.id,
    D.house,
    D.division_date,
    D.number,
    D.gid,
    D.colnum,
    D.time,
    D.hansard_url,
    D.ayes,
    D.noes,
    D.teller_ayes,
    D.teller_noes,
    D.debate_id,
    D.debate_title,
    D.bill_title,
    D.heading,
    D.question,
    D.motion,
)
_VOTE_COLUMNS = (V.division_id, V.voter_ref, V.person_ref, V.name, V.party, V.vote, V.teller, V.proxy, V.against_party)
_NEWEST_FIRST = (D.division_date.desc(), D.number.desc())


def _division(row: Any) -> DivisionRow:
    return DivisionRow._make(row[: len(_DIVISION_COLUMNS)])


def _vote(row: Any) -> VoteRow:
    return VoteRow._make(row)


def find_divisions(
    engine: Engine,
    *,
    house: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    number: int | None = None,
    bill_titles: Sequence[str] = (),
    words: Sequence[str] = (),
    person_ref: str | None = None,
    limit: int | None = None,
    after_id: int | None = None,
    up_to_id: int | None = None,
) -> list[DivisionRow]:
    """Divisions matching every filter given, newest first.

    ``words`` must each occur in the question, motion, debate or heading;
    ``person_ref`` keeps the divisions in which that person voted; ``after_id`` and
    ``up_to_id`` bound the row ids (a digest's range, see ``storage.digests``).
    """
    statement = select(*_DIVISION_COLUMNS).order_by(*_NEWEST_FIRST)
    if after_id is not None:
        statement = statement.where(D.id > after_id)
    if up_to_id is not None:
        statement = statement.where(D.id <= up_to_id)
    if house is not None:
        statement = statement.where(D.house == house)
    if date_from is not None:
        statement = statement.where(D.division_date >= date_from)
    if date_to is not None:
        statement = statement.where(D.division_date <= date_to)
    if number is not None:
        statement = statement.where(D.number == number)
    if bill_titles:
        statement = statement.where(D.bill_title.in_(list(bill_titles)))
    for word in words:
        pattern = f"%{_escape_like(word.lower())}%"
        searched = (D.question, D.motion, D.debate_title, D.heading)
        statement = statement.where(or_(*(func.lower(column).like(pattern, escape="\\") for column in searched)))
    if person_ref is not None:
        statement = statement.where(D.id.in_(select(V.division_id).where(V.person_ref == person_ref)))
    if limit is not None:
        statement = statement.limit(limit)
    with engine.connect() as conn:
        return [_division(row) for row in conn.execute(statement)]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def division_votes(engine: Engine, division_id: int) -> list[VoteRow]:
    """Every name in one division's lists, by side then name."""
    statement = select(*_VOTE_COLUMNS).where(V.division_id == division_id).order_by(V.vote, V.name)
    with engine.connect() as conn:
        return [_vote(row) for row in conn.execute(statement)]


class PersonVote(NamedTuple):
    """One person's vote in one division: all that a Member's votes need, read from one index."""

    division_id: int
    vote: str
    teller: bool
    proxy: str | None
    against_party: bool


def votes_of_person(engine: Engine, person_ref: str) -> list[PersonVote]:
    """Every recorded vote of one person (answered from ix_division_vote_person alone: it covers these columns)."""
    statement = select(V.division_id, V.vote, V.teller, V.proxy, V.against_party).where(V.person_ref == person_ref)
    with engine.connect() as conn:
        return list(map(PersonVote._make, conn.execute(statement)))


def _during(terms: Sequence[tuple[str, dt.date | None, dt.date | None]]) -> Any:
    return or_(
        *(
            and_(D.house == house, D.division_date >= (start or dt.date.min), D.division_date <= (end or dt.date.max))
            for house, start, end in terms
        )
    )


def divisions_during(engine: Engine, terms: Sequence[tuple[str, dt.date | None, dt.date | None]]) -> list[DivisionRow]:
    """The divisions held in each (house, from, to) term, newest first: those a Member could vote in."""
    if not terms:
        return []
    statement = select(*_DIVISION_COLUMNS).where(_during(terms)).order_by(*_NEWEST_FIRST)
    with engine.connect() as conn:
        return [_division(row) for row in conn.execute(statement)]


class VotingCounts(NamedTuple):
    held: int  # divisions held during the terms
    voted: int  # of those, the ones the person voted in
    against_party: int  # divisions in which the person voted against their party's majority


def voting_counts(
    engine: Engine, person_ref: str, terms: Sequence[tuple[str, dt.date | None, dt.date | None]]
) -> VotingCounts:
    """A Member's voting summary, counted by the database from its indexes."""
    if not terms:
        return VotingCounts(0, 0, 0)
    during = _during(terms)
    held = select(func.count()).select_from(DIVISION_TABLE).where(during).scalar_subquery()
    voted = (
        select(func.count(func.distinct(V.division_id)))
        .join_from(DIVISION_VOTE_TABLE, DIVISION_TABLE, V.division_id == D.id)
        .where(V.person_ref == person_ref, during)
        .scalar_subquery()
    )
    against = (
        select(func.count(func.distinct(V.division_id)))
        .where(V.person_ref == person_ref, V.against_party)
        .scalar_subquery()
    )
    with engine.connect() as conn:
        row = conn.execute(select(held, voted, against)).one()
    return VotingCounts(int(row[0]), int(row[1]), int(row[2]))


def division_bill_titles(engine: Engine) -> list[str]:
    """The Bills that have divisions, for the name index."""
    with engine.connect() as conn:
        return [title for (title,) in conn.execute(select(D.bill_title).where(D.bill_title.is_not(None)).distinct())]


def person_of_member(engine: Engine, member_id: int) -> str | None:
    """The ParlParse person id of a stored Member (the `member` table's row)."""
    with engine.connect() as conn:
        return conn.execute(select(MEMBER_TABLE.c.person_ref).where(MEMBER_TABLE.c.id == member_id)).scalar()
