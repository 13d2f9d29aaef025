"""Parsing one input file, in either format (detected by content). Pure: runs in parse workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.importer.sources import SourceFile
from storage.parser import parse_contribution
from storage.records import ParsedContribution, ParseError, storable_text
from storage.reference_data import BillTitles, MemberDirectory, bundled_data_dir
from storage.twfy import looks_like_twfy, read_twfy_file
from storage.twfy_versions import FileVersion

SNIFF_BYTES = 4096


@dataclass(slots=True)
class FileOutcome:
    """What parsing one input file gave: its records, or the error that stopped it."""

    name: str
    records: list[ParsedContribution] = field(default_factory=list)
    error: str | None = None
    version: FileVersion | None = None  # TheyWorkForYou files: which version of which day


_members: MemberDirectory | None = None


def member_directory() -> MemberDirectory | None:
    """The bundled member list, loaded once per process, for TWFY speakers' parties."""
    global _members
    if _members is None:
        path = bundled_data_dir() / "members_flat.csv"
        if path.is_file():
            _members = MemberDirectory.from_csv(path)
    return _members


_bill_titles: BillTitles | None = None


def official_bill_titles() -> BillTitles | None:
    """The bundled official Bill titles, loaded once per process, for Bills named in headings."""
    global _bill_titles
    if _bill_titles is None:
        _bill_titles = BillTitles.from_data_dir(bundled_data_dir())
    return _bill_titles


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_source_file(source: SourceFile) -> FileOutcome:
    """Parse one file in either format, detected by content."""
    # Imported text is cleaned where it comes in (XML cannot carry what the databases refuse;
    # a text page and a file name can).
    name = storable_text(source.name)
    if source.error is not None:
        return FileOutcome(name, error=f"{name}:0: {source.error}")
    try:
        data = source.read()
    except OSError as exc:
        return FileOutcome(name, error=f"{name}:0: cannot read file: {exc.strerror}")
    try:
        if looks_like_twfy(data[:SNIFF_BYTES]):
            twfy = read_twfy_file(data, name, member_directory(), official_bill_titles())
            version = FileVersion(twfy.day, twfy.version, twfy.latest, tuple(twfy.redirects))
            return FileOutcome(name, records=twfy.records, version=version)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(name, _line_of_offset(data, exc.start), "expected UTF-8 text") from None
        # Anything that is not TWFY XML is read as a contribution page; the parser
        # says where and why when it is neither.
        return FileOutcome(name, records=[parse_contribution(storable_text(text), name)])
    except ParseError as exc:
        return FileOutcome(name, error=str(exc))
