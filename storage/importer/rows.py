"""The row that one parsed contribution becomes: column values as the database stores them.

A parse worker packs each record into a `PackedRow`: the contribution's columns
(named as in the contribution table), and what the writer needs to find or create
its member, debate and subjects. The writer adds the columns only it knows
(`WRITER_COLUMNS`, derived from the table definition).
"""

from __future__ import annotations

import functools
import hashlib
import json
import json.encoder
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy.dialects import sqlite

from storage.importer.parse import member_directory, parse_source_file
from storage.importer.sources import SourceFile
from storage.models import CONTRIBUTION_TABLE
from storage.records import ParsedContribution, Reference
from storage.twfy_versions import FileVersion

DEBATE_TITLE_CHARS = 500
MEMBER_NAME_CHARS = 255
MEMBER_PARTY_CHARS = 128
SOURCE_CHARS = 1000

# A debate is a Bill's when its title is a Bill's name ("Powers of Entry etc. Bill [HL]"),
# not when "Bill" is merely in it ("BILL PRESENTED").
_BILL_TITLE = re.compile(r"\S\s+Bill(?:\s*\[\s*(?:HL|Lords)\s*\])?$", re.IGNORECASE)


class PackedRow(NamedTuple):
    """One parsed contribution ready for the writer, flat: one object a row is cheapest to send and keep.

    First the contribution's columns that parsing decides, named as in the contribution
    table and stored as they are (JSON as text; on SQLite, dates as text); then what the
    writer needs to find or create its member, debate and subjects.
    """

    uri: str
    contribution_id: int | None
    title: str
    member_name: str | None
    party: str | None
    house: str | None
    houses: str
    sitting_date: Any
    debate_title: str | None
    debate_types: str
    contribution_type: str
    references: str
    session: str | None
    chamber: str | None
    subjects: str
    index_timestamp: Any
    text: str
    extra: str
    content_hash: str
    source: str
    # The member table's row: its key, and its name and party cut to their columns.
    member_key: str | None
    member_row_name: str | None
    member_row_party: str | None
    person_ref: str | None
    # The debate table's row: its key, and its title cut to the column.
    debate_key: str | None
    debate_row_title: str | None
    is_bill: bool
    subject_names: tuple[str, ...]

    @property
    def columns(self) -> tuple[Any, ...]:
        """The values of PARSED_COLUMNS."""
        return self[:_PARSED]

    def member_row(self) -> dict[str, Any]:
        return {
            "member_key": self.member_key,
            "name": self.member_row_name,
            "house": self.house,
            "party": self.member_row_party,
            "person_ref": self.person_ref,
        }

    def debate_row(self) -> dict[str, Any]:
        return {
            "debate_key": self.debate_key,
            "title": self.debate_row_title,
            "session": self.session,
            "is_bill": self.is_bill,
        }


class PackedOutcome(NamedTuple):
    """One parsed file: its rows, or the error that stopped it."""

    name: str
    error: str | None
    rows: list[PackedRow]
    version: FileVersion | None = None


# PackedRow(*values) and PackedOutcome(*values) without a Python call (one of each per seed-format file).
as_packed_row = functools.partial(tuple.__new__, PackedRow)
as_packed_outcome = functools.partial(tuple.__new__, PackedOutcome)


def _stored_columns() -> tuple[str, ...]:
    return tuple(column.name for column in CONTRIBUTION_TABLE.columns if not column.primary_key)


# The contribution table's columns that a packed row holds, in its order: the first of its fields.
PARSED_COLUMNS = tuple(name for name in PackedRow._fields if name in _stored_columns())
_PARSED = len(PARSED_COLUMNS)
# The columns the writer fills (ids it looks up, the run, the time): the table's other columns.
WRITER_COLUMNS = tuple(name for name in _stored_columns() if name not in PARSED_COLUMNS)
# Every stored column, in the order of the values the writer stores: the row's, then its own.
COLUMNS = (*PARSED_COLUMNS, *WRITER_COLUMNS)
_SITTING_DATE = PARSED_COLUMNS.index("sitting_date")
_INDEX_TIMESTAMP = PARSED_COLUMNS.index("index_timestamp")
if PackedRow._fields[:_PARSED] != PARSED_COLUMNS or WRITER_COLUMNS != (
    "member_id",
    "debate_id",
    "import_run_id",
    "imported_at",
):
    raise RuntimeError(f"PackedRow is out of step with the contribution table: writer would fill {WRITER_COLUMNS}")


def member_key(house: str | None, name: str) -> str:
    return f"{(house or '').lower()}|{name.lower()}"


def debate_key(title: str, session: str | None) -> str:
    return f"{title.lower()}|{(session or '').lower()}"


# The JSON columns hold what SQLAlchemy's JSON type writes: json.dumps(value). The
# small lists are written with json's own C string encoder: the same text, several
# times faster than a json.dumps call per value.
_json_string = json.encoder.encode_basestring_ascii


def _json_scalar(value: str | int | None) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _json_string(value)
    return str(int(value))


def _json_strings(values: Sequence[str]) -> str:
    return "[" + ", ".join(map(_json_string, values)) + "]"


def _json_references(references: Sequence[Reference]) -> str:
    items = [
        f'{{"volume": {_json_scalar(r.volume)}, "start_column": {_json_scalar(r.start_column)}, '
        f'"end_column": {_json_scalar(r.end_column)}, "suffix": {_json_scalar(r.suffix)}, '
        f'"raw": {_json_scalar(r.raw)}}}'
        for r in references
    ]
    return "[" + ", ".join(items) + "]"


def _sqlite_bind_processor(column: Any) -> Callable[[Any], Any]:
    """SQLAlchemy's own conversion of a column's values for SQLite, so stored values read back as usual."""
    processor = column.type._cached_bind_processor(sqlite.dialect())
    assert processor is not None
    return cast(Callable[[Any], Any], processor)


sqlite_date = _sqlite_bind_processor(CONTRIBUTION_TABLE.c.sitting_date)
sqlite_datetime = _sqlite_bind_processor(CONTRIBUTION_TABLE.c.index_timestamp)


def content_hash(values: tuple[Any, ...]) -> str:
    """The hash that tells a changed record from an unchanged one: of its stored content, in column order.

    Each value (a str, int, date, datetime or None) is written with its length in
    front, so no two different tuples give the same text.
    """
    # A loop that turns each value into text once: twice as fast as a comprehension.
    parts: list[str] = []
    append = parts.append
    for value in values:
        if value is None:
            append("-")
            continue
        if value.__class__ is not str:
            value = str(value)
        append(str(len(value)))
        append(":")
        append(value)
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _member_fields(record: ParsedContribution) -> tuple[str | None, str | None, str | None, str | None]:
    """(key, name, party, person) of the member table's row, all None without a member."""
    member = record.member
    if not member:
        return None, None, None, None
    person = None
    if record.member_ref:
        directory = member_directory()
        found = directory.by_member_ref(record.member_ref) if directory is not None else None
        if found is not None:
            person = found.person_ref
            # The Member's own name, not the one Hansard printed: "Mr. Deputy Speaker" is
            # Alan Haselhurst on one day and Michael Lord on the next, and a member row keyed
            # by the printed name would give all their speeches to whoever spoke first. (The
            # contribution keeps the printed name.)
            member = found.display_name
    # The member table's name is an indexed key: cut to its column (the contribution keeps it whole).
    name = member[:MEMBER_NAME_CHARS]
    party = record.party[:MEMBER_PARTY_CHARS] if record.party else None
    return member_key(record.house, name), name, party, person


def pack(record: ParsedContribution, source: str, dialect: str) -> PackedRow:
    """A record as a packed row: column values as the database stores them, then what the writer needs."""
    sitting_date = record.sitting_date
    index_timestamp = record.index_timestamp
    hashed: tuple[Any, ...] = (
        record.uri,
        record.contribution_id,
        record.title,
        record.member,
        record.party,
        record.house,
        _json_strings(record.houses),
        sitting_date,
        record.debate_title,
        _json_strings(record.debate_types),
        record.contribution_type,
        _json_references(record.references),
        record.session,
        record.chamber,
        _json_strings(record.subjects),
        index_timestamp,
        record.text,
        json.dumps(record.extra) if record.extra else "{}",
    )
    member_fields = _member_fields(record)
    # A record whose member row is not the printed name's hashes that row's name too, so that a
    # store imported when rows were keyed by the printed name is corrected by the next import.
    row_name = member_fields[1]
    digest = content_hash(hashed if row_name == record.member else (*hashed, row_name))
    if dialect == "sqlite":
        # SQLite has no date types: stored as SQLAlchemy would store them.
        stored = list(hashed)
        stored[_SITTING_DATE] = sqlite_date(sitting_date)
        stored[_INDEX_TIMESTAMP] = sqlite_datetime(index_timestamp)
        hashed = tuple(stored)
    # A debate's title is an indexed key: cut to the column's length (the contribution keeps it whole).
    title = (record.debate_title or record.title)[:DEBATE_TITLE_CHARS]
    row: PackedRow = as_packed_row(
        (
            *hashed,
            digest,
            source[:SOURCE_CHARS],
            *member_fields,
            debate_key(title, record.session) if title else None,
            title or None,
            bool(_BILL_TITLE.search(title)),
            record.subjects,
        )
    )
    return row


def parse_packed(source: SourceFile, dialect: str) -> PackedOutcome:
    """Parse one file and pack its records."""
    outcome = parse_source_file(source)
    if outcome.error is not None:
        return PackedOutcome(outcome.name, outcome.error, [])
    rows = [pack(record, outcome.name, dialect) for record in outcome.records]
    return PackedOutcome(outcome.name, None, rows, outcome.version)
