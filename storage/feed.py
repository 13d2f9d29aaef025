"""Following a TheyWorkForYou (ParlParse) mirror, incrementally.

A series folder of the mirror (``debates/``, ``lordspages/``, ``wrans/``...) holds
its XML files and a ``changedates.txt``: one line ``unixtime,filename`` appended
each time a file is written, so a re-issued day appears as a new line, in the
order it was published. A mirror's top folder may hold the series folders instead.

The store remembers, for each changedates.txt, the last line imported. A run
reads the file, fetches the files listed after that line (each once, at its last
listing) in published order, imports them, and only then moves the position on:
a run stopped half-way (a download that fails, a killed process) leaves the
position at the last imported file, and the next run picks up there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, insert, select, update

from storage.fetch import FetchError, download
from storage.importer import ImportSummary, finish_run, import_paths
from storage.models import FEED_POSITION_TABLE, utcnow

logger = logging.getLogger(__name__)

CHANGEDATES = "changedates.txt"
# The series TheyWorkForYou publishes, looked for below a mirror URL without its own changedates.txt
# (an HTTP folder cannot be listed; a local one can, and any subfolder with a changedates.txt is followed).
SERIES = ("debates", "westminhall", "wms", "wrans", "lordspages", "lordswms", "lordswrans")
CHANGEDATES_MAX_BYTES = 64 * 1024 * 1024
# Files imported per import run: bounds the disk a long backlog takes, and how much is redone after a crash.
CHUNK_FILES = 200
# What a listed name may be: a plain XML file name in the series folder, nothing that leaves it.
LISTED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,250}\.xml")
UNIX_TIME = re.compile(r"[0-9]{1,12}")
# The sitting a file reports on, as TheyWorkForYou names files (debates2009-10-27b.xml).
SITTING_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar", ".xml", ".txt")


class FeedError(FetchError):
    """A mirror that cannot be followed at all (no changedates.txt anywhere); the message says why."""


@dataclass(frozen=True, slots=True)
class Listing:
    """One line of changedates.txt: a file as it was published."""

    line: int
    published: int
    name: str


@dataclass(slots=True)
class Changedates:
    listings: list[Listing] = field(default_factory=list)
    # (line, reason) for each line that is not ``unixtime,filename``.
    errors: list[tuple[int, str]] = field(default_factory=list)
    # The last line read: an unfinished last line (no newline yet, not valid) is left for the next run.
    end_line: int = 0


def parse_changedates(text: str) -> Changedates:
    """The listings of a changedates.txt, in published order, and its malformed lines."""
    parsed = Changedates()
    lines = text.splitlines(keepends=True)
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        finished = raw.endswith(("\n", "\r"))
        if not line:
            parsed.end_line = number
            continue
        reason = _malformed(line)
        if reason is not None and not finished:
            break  # being written as we read it: taken next time
        parsed.end_line = number
        if reason is not None:
            parsed.errors.append((number, reason))
            continue
        published, name = line.split(",")
        parsed.listings.append(Listing(number, int(published), name))
    return parsed


def _malformed(line: str) -> str | None:
    parts = line.split(",")
    if len(parts) != 2:
        return f"expected 'unixtime,filename', got {line[:80]!r}"
    published, name = (part.strip() for part in parts)
    if not UNIX_TIME.fullmatch(published):
        return f"{published[:30]!r} is not a unix time"
    if not LISTED_NAME.fullmatch(name):
        return f"{name[:80]!r} is not the name of an XML file in this folder"
    return None


@dataclass(frozen=True, slots=True)
class Position:
    """The last line of a changedates.txt imported, and the listing at or before it."""

    line: int
    published: int
    file_name: str


def load_position(engine: Engine, location: str) -> Position | None:
    p = FEED_POSITION_TABLE.c
    with engine.connect() as conn:
        row = conn.execute(select(p.line, p.published, p.file_name).where(p.location == location)).first()
    return None if row is None else Position(row.line, row.published, row.file_name)


def save_position(engine: Engine, location: str, position: Position) -> None:
    p = FEED_POSITION_TABLE.c
    values = dataclasses.asdict(position) | {"updated_at": utcnow()}
    # One import at a time (the import lock), so update-then-insert cannot race.
    with engine.begin() as conn:
        if conn.execute(update(FEED_POSITION_TABLE).where(p.location == location).values(**values)).rowcount == 0:
            conn.execute(insert(FEED_POSITION_TABLE).values(location=location, **values))


def _anchor(parsed: Changedates, line: int) -> Listing | None:
    """The last listing at or before ``line``: what the position remembers to recognise the file next time."""
    return next((listing for listing in reversed(parsed.listings) if listing.line <= line), None)


def position_after(parsed: Changedates, line: int) -> Position:
    anchor = _anchor(parsed, line)
    return Position(line, anchor.published, anchor.name) if anchor else Position(line, 0, "")


def pending(parsed: Changedates, position: Position | None) -> tuple[list[Listing], int]:
    """The listings to import after ``position``, each file once at its last listing, in published order;
    and the line they start after.

    If the file no longer has the remembered line where it was (rewritten, or cut),
    everything published since the remembered time is taken again: importing a file
    twice changes nothing, missing one would lose it.
    """
    start = 0
    if position is None:
        todo = parsed.listings
    elif parsed.end_line >= position.line and position_after(parsed, position.line) == position:
        start = position.line
        todo = [listing for listing in parsed.listings if listing.line > start]
    else:
        remembered = (position.published, position.file_name)
        todo = [
            listing
            for listing in parsed.listings
            if listing.published >= position.published and (listing.published, listing.name) != remembered
        ]
    latest = {listing.name: listing for listing in todo}
    return sorted(latest.values(), key=lambda listing: listing.line), start


def sitting_date(name: str) -> dt.date | None:
    """The date of the sitting a listed file reports on, from its name, if it says."""
    found = SITTING_DATE.search(name)
    if found is None:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def wanted(listing: Listing, since: dt.date | None) -> bool:
    """Whether a listing is for a sitting on or after ``since`` (a mirror may hold only recent years)."""
    if since is None:
        return True
    sitting = sitting_date(listing.name)
    return sitting is None or sitting >= since


# --- mirrors: where changedates.txt and the files come from ---------------------------------


class Mirror(Protocol):
    @property
    def changedates(self) -> str:
        """Where its changedates.txt is (a URL or a path): the key of its position, and how errors name it."""
        ...

    def read_changedates(self, folder: Path) -> str: ...

    def address(self, name: str) -> str:
        """Where a listed file is (its URL, or its path): how messages and stored rows name it."""
        ...

    def fetch(self, name: str, folder: Path) -> Path:
        """The listed file, as a local path (downloaded into ``folder`` if need be); FetchError if it cannot be had."""
        ...


@dataclass(frozen=True, slots=True)
class LocalMirror:
    """A series folder on this machine, kept up to date by rsync (say)."""

    root: Path

    @property
    def changedates(self) -> str:
        return str(self.root / CHANGEDATES)

    def read_changedates(self, folder: Path) -> str:
        path = self.root / CHANGEDATES
        try:
            with path.open("rb") as handle:
                data = handle.read(CHANGEDATES_MAX_BYTES + 1)
        except OSError as exc:
            raise FetchError(f"cannot read it: {exc.strerror}") from None
        if len(data) > CHANGEDATES_MAX_BYTES:
            raise FetchError(f"larger than {CHANGEDATES_MAX_BYTES} bytes")
        return data.decode("utf-8", errors="replace")

    def address(self, name: str) -> str:
        return str(self.root / name)

    def fetch(self, name: str, folder: Path) -> Path:
        path = self.root / name
        if not path.is_file():
            raise FetchError(f"{name} is listed but not in {self.root} (yet): it is tried again next time")
        return path


@dataclass(slots=True)
class HttpMirror:
    """A series folder served over HTTP(S): its files are downloaded with the usual time, size and type limits."""

    base_url: str  # ends with "/"
    timeout: float
    max_bytes: int
    # changedates.txt as read when looking for the mirror, so that following it does not fetch it again.
    _read: str | None = None

    @property
    def changedates(self) -> str:
        return self.base_url + CHANGEDATES

    def read_changedates(self, folder: Path) -> str:
        if self._read is not None:
            text, self._read = self._read, None
            return text
        limit = min(self.max_bytes, CHANGEDATES_MAX_BYTES)
        path = download(self.changedates, folder, timeout=self.timeout, max_bytes=limit)
        try:
            return path.read_bytes().decode("utf-8", errors="replace")
        finally:
            path.unlink(missing_ok=True)

    def exists(self, folder: Path) -> bool:
        """Whether it serves a changedates.txt (kept for the run): 404 says no; any other failure is the operator's."""
        try:
            self._read = self.read_changedates(folder)
        except FetchError as exc:
            if exc.status in (404, 410):
                return False
            raise FeedError(str(exc)) from None
        return True

    def address(self, name: str) -> str:
        return self.base_url + urllib.parse.quote(name)

    def fetch(self, name: str, folder: Path) -> Path:
        return download(self.address(name), folder, timeout=self.timeout, max_bytes=self.max_bytes)


def _is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def is_mirror(location: str) -> bool:
    """Whether a source location is followed as a TheyWorkForYou mirror rather than imported whole.

    A URL is a mirror when it names a folder (ends with "/", or its last part has
    no file suffix) or its changedates.txt; a local path when it is changedates.txt,
    or a folder holding one, or holding series folders that do.
    """
    if _is_url(location):
        last = urllib.parse.urlparse(location).path.rstrip("/").rpartition("/")[2].lower()
        return location.endswith("/") or last == CHANGEDATES or not last.endswith(SUFFIXES)
    path = Path(location).expanduser()
    if path.name == CHANGEDATES:
        return path.is_file()
    return path.is_dir() and bool(_local_series(path))


def _local_series(root: Path) -> list[Path]:
    if (root / CHANGEDATES).is_file():
        return [root]
    try:
        folders = sorted(child for child in root.iterdir() if child.is_dir() and not child.name.startswith("."))
    except OSError:
        return []
    return [folder for folder in folders if (folder / CHANGEDATES).is_file()]


def _xml_folders(root: Path) -> list[Path]:
    return [child for child in root.iterdir() if child.is_dir() and next(child.glob("*.xml"), None) is not None]


def mirrors_at(location: str, folder: Path, *, timeout: float, max_bytes: int) -> list[Mirror]:
    """The series folders to follow at ``location``; FeedError if there is no changedates.txt to follow."""
    if not _is_url(location):
        path = Path(location).expanduser()
        if path.name == CHANGEDATES:
            path = path.parent
        found = _local_series(path)
        if not found:
            raise FeedError(f"{path}: no {CHANGEDATES} there, nor in any folder inside it")
        if found != [path]:
            for unlisted in sorted(set(_xml_folders(path)) - set(found)):
                logger.warning("%s holds XML files but no %s: not followed", unlisted, CHANGEDATES)
        return [LocalMirror(series) for series in found]
    base = location.removesuffix(CHANGEDATES)
    base = base if base.endswith("/") else base + "/"
    top = HttpMirror(base, timeout, max_bytes)
    if top.exists(folder):
        return [top]
    series = [HttpMirror(f"{base}{name}/", timeout, max_bytes) for name in SERIES]
    found_series: list[Mirror] = [mirror for mirror in series if mirror.exists(folder)]
    if not found_series:
        raise FeedError(f"{base}: no {CHANGEDATES} there, nor in {', '.join(name + '/' for name in SERIES)}")
    return found_series


# --- following ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    mirror: Mirror
    parsed: Changedates
    todo: list[Listing]
    # Where its downloads go: a folder of their own, deleted once imported.
    downloads: Path
    stopped: bool = False


@dataclass(slots=True)
class _Fetched:
    plan: _Plan
    listing: Listing
    path: Path


def follow(
    engine: Engine,
    mirrors: Sequence[Mirror],
    folder: Path,
    *,
    requested_by: str | None = None,
    label: str | None = None,
    progress: Callable[[ImportSummary], None] | None = None,
    since: dt.date | None = None,
    chunk_files: int = CHUNK_FILES,
) -> ImportSummary:
    """Import what each mirror published since its remembered position; the positions move on after each import.

    Files of sittings before ``since`` are passed over (neither fetched nor imported).
    Problems are located errors in the summary (and in the import run's record):
    ``changedates.txt:LINE: reason`` for a malformed line, and for a file that could
    not be fetched, which stops that mirror there until the next run.
    """
    notes: list[str] = []
    plans: list[_Plan] = []
    for number, mirror in enumerate(mirrors):
        downloads = folder / str(number)
        downloads.mkdir(parents=True, exist_ok=True)
        try:
            text = mirror.read_changedates(downloads)
        except FetchError as exc:
            notes.append(f"{mirror.changedates}:0: {exc}")
            continue
        parsed = parse_changedates(text)
        todo, start = pending(parsed, load_position(engine, mirror.changedates))
        notes += [f"{mirror.changedates}:{line}: {reason}" for line, reason in parsed.errors if line > start]
        plans.append(_Plan(mirror, parsed, [listing for listing in todo if wanted(listing, since)], downloads))

    total = ImportSummary(run_id=0)
    chunk: list[_Fetched] = []

    def import_chunk(extra_errors: list[str]) -> None:
        nonlocal total
        summary = _import(engine, chunk, extra_errors, total, requested_by, label, progress)
        total = _added(total, summary)
        chunk.clear()

    for plan in plans:
        for listing in plan.todo:
            try:
                path = plan.mirror.fetch(listing.name, plan.downloads)
            except FetchError as exc:
                notes.append(f"{plan.mirror.changedates}:{listing.line}: {exc}")
                plan.stopped = True
                break
            chunk.append(_Fetched(plan, listing, path))
            if len(chunk) >= chunk_files:
                import_chunk([])
    import_chunk(notes)  # also when nothing was new: the run is recorded, with any errors
    for plan in plans:
        if not plan.stopped:  # every line read is done, malformed ones included
            save_position(engine, plan.mirror.changedates, position_after(plan.parsed, plan.parsed.end_line))
    return total


def _import(
    engine: Engine,
    chunk: list[_Fetched],
    extra_errors: list[str],
    before: ImportSummary,
    requested_by: str | None,
    label: str | None,
    progress: Callable[[ImportSummary], None] | None,
) -> ImportSummary:
    on_progress = None if progress is None else (lambda summary: progress(_added(before, summary)))
    summary = import_paths(
        engine,
        [item.path for item in chunk],
        requested_by=requested_by,
        label=label,
        progress=on_progress,
        # A download is named by the mirror's address of it, never by the temporary file it is deleted from.
        shown_as={item.path: item.plan.mirror.address(item.listing.name) for item in chunk},
    )
    if extra_errors:
        summary.failed += len(extra_errors)
        summary.errors += extra_errors
        finish_run(engine, summary, "completed_with_errors")
    last_of: dict[int, _Fetched] = {id(item.plan): item for item in chunk}
    for item in last_of.values():
        save_position(engine, item.plan.mirror.changedates, position_after(item.plan.parsed, item.listing.line))
    for item in chunk:
        if item.path.is_relative_to(item.plan.downloads):  # a download, not a file of a local mirror
            item.path.unlink(missing_ok=True)
    return summary


def _added(before: ImportSummary, summary: ImportSummary) -> ImportSummary:
    """Counts of several import runs as one; the run id is the latest."""
    return ImportSummary(
        run_id=summary.run_id,
        files_done=before.files_done + summary.files_done,
        new=before.new + summary.new,
        updated=before.updated + summary.updated,
        unchanged=before.unchanged + summary.unchanged,
        failed=before.failed + summary.failed,
        errors=before.errors + summary.errors,
    )
