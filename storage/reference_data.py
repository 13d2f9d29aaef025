"""Reference data shipped with the bot: Members, member aliases and bill titles.

Plain CSV readers with no database code. The files live in the repository's
``data/`` folder (see `bundled_data_dir`); their origins are described in the
data sources notes. Bad rows raise `ParseError` with the file and line, because
a silently skipped Member would later show up as a speech with no party.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.records import ParseError

__all__ = [
    "BillRecord",
    "BillTitles",
    "MemberAlias",
    "MemberDirectory",
    "MemberRecord",
    "bill_title_key",
    "bundled_data_dir",
    "load_bill_informal_names",
    "load_bills",
    "load_member_aliases",
]

DATA_DIR_ENV = "HANSARD_DATA_DIR"
# parlparse writes 9999-12-31 for "still in office" (as of the snapshot).
_OPEN_END = "9999-12-31"


def bundled_data_dir() -> Path:
    """The folder holding the bundled CSV and XML data.

    ``$HANSARD_DATA_DIR`` wins when set, so a deployment can point at a newer
    copy; otherwise the ``data/`` folder next to this package (storage/../data).
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """One continuous term of one Member in one house with one party.

    ``member_ref`` is the parlparse id the TWFY XML uses as ``speakerid``
    (``uk.org.publicwhip/member/1944``, or ``.../lord/100098`` for peers);
    ``person_ref`` joins the terms of one person, across houses too.
    """

    member_ref: str
    person_ref: str
    house: str
    display_name: str
    title: str | None
    first_name: str | None
    last_name: str | None
    lord_name: str | None
    lord_of_name: str | None
    party: str | None
    constituency: str | None
    from_date: dt.date | None
    to_date: dt.date | None


@dataclass(frozen=True, slots=True)
class Membership:
    """One person's time in one House, under the name they last had there."""

    house: str
    name: str
    from_date: dt.date | None
    to_date: dt.date | None  # 9999-12-31 for a sitting member in the people data


class MemberDirectory:
    """Members looked up by parlparse member id."""

    def __init__(self, records: Iterable[MemberRecord]) -> None:
        self._records: list[MemberRecord] = list(records)
        self._person_index: dict[str, list[MemberRecord]] | None = None
        self._by_ref: dict[str, MemberRecord] = {}
        for record in self._records:
            # First wins; from_csv rejects duplicates, so this only matters for
            # hand-built directories.
            self._by_ref.setdefault(record.member_ref, record)

    @classmethod
    def from_csv(cls, path: Path) -> MemberDirectory:
        """Load ``members_flat.csv``."""
        records: list[MemberRecord] = []
        seen: set[str] = set()
        for line, row in _read_rows(path, _MEMBER_COLUMNS):
            ref = _required(row, "member_id", path, line)
            if ref in seen:
                raise ParseError(str(path), line, f"duplicate member_id {ref!r}")
            seen.add(ref)
            records.append(
                MemberRecord(
                    member_ref=ref,
                    person_ref=_required(row, "person_id", path, line),
                    house=_required(row, "house", path, line),
                    display_name=_required(row, "display_name", path, line),
                    title=_optional(row["title"]),
                    first_name=_optional(row["first_name"]),
                    last_name=_optional(row["last_name"]),
                    lord_name=_optional(row["lord_name"]),
                    lord_of_name=_optional(row["lord_of_name"]),
                    party=_optional(row["party_name"]),
                    constituency=_optional(row["constituency"]),
                    from_date=_parse_date(row["from_date"], path, line),
                    to_date=_parse_date(row["to_date"], path, line),
                )
            )
        return cls(records)

    def by_member_ref(self, ref: str) -> MemberRecord | None:
        return self._by_ref.get(ref)

    def memberships(self, person_ref: str) -> list[Membership]:
        """One person's memberships, one per House, in the order they began (an MP who became a peer: two)."""
        by_house: dict[str, list[MemberRecord]] = {}
        for record in self._by_person().get(person_ref, []):
            by_house.setdefault(record.house, []).append(record)
        found = []
        for house, records in by_house.items():
            starts = [r.from_date for r in records if r.from_date is not None]
            latest = max(records, key=lambda r: r.from_date or dt.date.min)
            # It ends when the latest term does (None: still serving when the list was made). An
            # earlier term's end is not the membership's: Michael Lord sat from 1997 to 2010, and
            # his terms read 1997-2005 and 2005-open.
            found.append(Membership(house, latest.display_name, min(starts, default=None), latest.to_date))
        return sorted(found, key=lambda m: m.from_date or dt.date.min)

    def _by_person(self) -> dict[str, list[MemberRecord]]:
        if self._person_index is None:
            index: dict[str, list[MemberRecord]] = {}
            for record in self._records:
                index.setdefault(record.person_ref, []).append(record)
            self._person_index = index
        return self._person_index

    def all(self) -> list[MemberRecord]:
        """Every record, in file order (a copy: callers may sort it)."""
        return list(self._records)

    def party_on(self, member_ref: str) -> str | None:
        """The party of a member id, or None if unknown.

        A parlparse member id is one term with one party (a defection starts a
        new id), so the id alone fixes the party; no date is needed.
        """
        record = self._by_ref.get(member_ref)
        return record.party if record is not None else None

    def __len__(self) -> int:
        return len(self._records)


@dataclass(frozen=True, slots=True)
class MemberAlias:
    """Another name for a Member, e.g. "The Minister without Portfolio" for Ian McCartney.

    ``match_type`` says what ``match_value`` is: "fullname", "lastname" or
    "constituency" (used to tell two Members with one surname apart).
    """

    match_type: str
    match_value: str
    alternate: str
    from_date: dt.date | None
    to_date: dt.date | None


def load_member_aliases(path: Path) -> list[MemberAlias]:
    """Load ``member_aliases.csv``; empty dates mean no limit."""
    aliases: list[MemberAlias] = []
    for line, row in _read_rows(path, ("match_type", "match_value", "alternate", "from", "to")):
        aliases.append(
            MemberAlias(
                match_type=_required(row, "match_type", path, line),
                match_value=_required(row, "match_value", path, line),
                alternate=_required(row, "alternate", path, line),
                from_date=_parse_date(row["from"], path, line),
                to_date=_parse_date(row["to"], path, line),
            )
        )
    return aliases


@dataclass(frozen=True, slots=True)
class BillRecord:
    """An official Bill or Act title; ``session`` (e.g. "2009-10") when known."""

    title: str
    session: str | None


def load_bills(path: Path) -> list[BillRecord]:
    """Load ``bills_uk_seen_2005-2022.csv`` (not a complete list of bills)."""
    return [
        BillRecord(title=_required(row, "title", path, line), session=_optional(row["session"]))
        for line, row in _read_rows(path, ("title", "session"))
    ]


class BillTitles:
    """Official Bill titles, looked up whatever the case, spacing or punctuation of a heading.

    Hansard headings spell a Bill their own way ("Crime and security Bill",
    "Damages (Asbestos-Related Conditions) (No. 2) Bill"); profiles should show the
    official title wherever the bills list has it.
    """

    def __init__(self, titles: Iterable[str], informal: dict[str, str] | None = None) -> None:
        self._by_key: dict[str, str] = {}
        for title in titles:
            self._by_key.setdefault(bill_title_key(title), title)
        for spoken, official in (informal or {}).items():
            self._by_key.setdefault(bill_title_key(spoken), official)

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> BillTitles | None:
        """The bundled bills list (and informal names), or None if the data has no bills list."""
        bills = data_dir / "bills_uk_seen_2005-2022.csv"
        if not bills.is_file():
            return None
        informal = data_dir / "bill_informal_names.csv"
        return cls(
            (record.title for record in load_bills(bills)),
            load_bill_informal_names(informal) if informal.is_file() else None,
        )

    def official(self, title: str) -> str:
        """The official title of a Bill named ``title``, or ``title`` itself when not listed."""
        return self._by_key.get(bill_title_key(title), title)


def bill_title_key(title: str) -> str:
    """Letters and digits only, lower-cased: "(No. 2)" and "(No.2)" are one Bill."""
    return "".join(ch for ch in title.casefold() if ch.isalnum())


def load_bill_informal_names(path: Path) -> dict[str, str]:
    """Map names bills were called in debate to their official titles.

    Rows with no official title (the bill was never identified) are skipped:
    they name no bill we could link to.
    """
    names: dict[str, str] = {}
    for line, row in _read_rows(path, ("informal_name", "official_title")):
        official = _optional(row["official_title"])
        if official is not None:
            names[_required(row, "informal_name", path, line)] = official
    return names


_MEMBER_COLUMNS = (
    "member_id",
    "person_id",
    "house",
    "display_name",
    "title",
    "first_name",
    "last_name",
    "lord_name",
    "lord_of_name",
    "party_name",
    "constituency",
    "from_date",
    "to_date",
)


def _read_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as dicts with the 1-based line they start on; checks the header first."""
    # utf-8-sig: tolerate a BOM if the file has been round-tripped through a spreadsheet.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [name for name in required if name not in header]
        if missing:
            raise ParseError(str(path), 1, f"missing columns: {', '.join(missing)}")
        line = 2  # the line the next row starts on (the header is line 1)
        for row in reader:
            if None in row:  # DictReader's key for cells beyond the header
                raise ParseError(str(path), line, "more cells than header columns")
            # A missing trailing cell comes back as None; treat it as empty.
            yield line, {key: value or "" for key, value in row.items()}
            line = reader.line_num + 1


def _optional(value: str) -> str | None:
    value = value.strip()
    return value or None


def _required(row: dict[str, str], column: str, path: Path, line: int) -> str:
    value = row[column].strip()
    if not value:
        raise ParseError(str(path), line, f"empty {column}")
    return value


def _parse_date(value: str, path: Path, line: int) -> dt.date | None:
    """ISO date; "" and 9999-12-31 (still serving) mean open-ended.

    Peers' introduction dates are sometimes only a year ("1996"); those become
    1 January of that year, the earliest day they can mean.
    """
    value = value.strip()
    if not value or value == _OPEN_END:
        return None
    try:
        if len(value) == 4 and value.isdigit():
            return dt.date(int(value), 1, 1)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ParseError(str(path), line, f"bad date {value!r}") from None
