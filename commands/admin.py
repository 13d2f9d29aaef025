"""Operators' use cases, Discord-free: re-import a configured source, status, import errors.

Only sources named in configuration can be imported: a name comes in, never a
path or URL, so nobody can make the bot open a file or address of their choosing.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# Names imported "as" themselves are the plain records that admin replies carry, re-exported so that
# the shell need not import storage.
from storage.db import database_size_bytes
from storage.feed import follow, is_mirror, mirrors_at
from storage.fetch import FetchError, download
from storage.import_lock import ImportBusy, ImportLockLost, current_holder, holding
from storage.import_lock import LockHolder as LockHolder
from storage.importer import ImportSummary as ImportSummary
from storage.importer import finish_run, import_paths, start_run
from storage.store import ImportRunRow as ImportRunRow
from storage.store import StoreStats as StoreStats
from storage.store import latest_import_run, store_stats

from commands.core import HansardCore
from commands.inputs import user_input

log = logging.getLogger(__name__)

ERRORS_PAGE_SIZE = 15


@dataclass(frozen=True, slots=True)
class ImportSource:
    name: str
    location: str
    schedule: str | None = None
    # For a TheyWorkForYou mirror: only files of sittings from this date on.
    since: dt.date | None = None

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    @property
    def label(self) -> str:
        """How runs of this source are recorded."""
        return f"{self.name}: {self.location}"


@dataclass(slots=True)
class ReimportOutcome:
    source: ImportSource | None
    summary: ImportSummary | None = None
    refused: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SourceStatus:
    source: ImportSource
    last_run: ImportRunRow | None


@dataclass(slots=True)
class AdminStatus:
    stats: StoreStats
    backend: str
    size_bytes: int | None
    version: str
    running: LockHolder | None
    sources: list[SourceStatus] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ErrorsPage:
    run: ImportRunRow | None
    lines: list[str]
    page: int
    pages: int


def stop_if_lost(
    lost: threading.Event, progress: Callable[[ImportSummary], None] | None
) -> Callable[[ImportSummary], None]:
    """A progress callback that stops the import (between batches) once its lock was taken over."""

    def on_progress(summary: ImportSummary) -> None:
        if lost.is_set():
            raise ImportLockLost("the import lock was taken over by another process")
        if progress is not None:
            progress(summary)

    return on_progress


def is_admin(user_id: int, admin_ids: Sequence[int], owner_ids: Sequence[int]) -> bool:
    """Admins are the configured users and the application's owners, nobody else."""
    return user_id in admin_ids or user_id in owner_ids


def package_version() -> str:
    try:
        return version("hansard-bot")
    except PackageNotFoundError:
        return "unknown"


class AdminCore:
    def __init__(
        self,
        core: HansardCore,
        sources: Sequence[ImportSource],
        holder: str,
        *,
        fetch_timeout: float = 60.0,
        max_download_bytes: int = 512 * 1024 * 1024,
    ) -> None:
        self.core = core
        self.sources = {source.name: source for source in sources}
        self.holder = holder
        self.fetch_timeout = fetch_timeout
        self.max_download_bytes = max_download_bytes

    def source_names(self, prefix: str = "") -> list[str]:
        wanted = prefix.strip().lower()
        return [name for name in sorted(self.sources) if wanted in name.lower()][:25]

    def running(self) -> LockHolder | None:
        return current_holder(self.core.engine)

    @user_input
    def refusal(self, name: str) -> str | None:
        """Why an import of ``name`` cannot start now (unknown source, or one running), if it cannot."""
        if name not in self.sources:
            known = ", ".join(sorted(self.sources)) or "none"
            return f"No import source is named “{name[:60]}”. Configured: {known}."
        held = self.running()
        return str(ImportBusy(held)) if held is not None else None

    @user_input
    def reimport(
        self,
        name: str,
        requested_by: str,
        progress: Callable[[ImportSummary], None] | None = None,
    ) -> ReimportOutcome:
        """Import a configured source, one import at a time. Blocking: run it in a thread."""
        source = self.sources.get(name)
        if source is None:
            return ReimportOutcome(None, refused=self.refusal(name))
        engine = self.core.engine
        try:
            with holding(engine, self.holder, requested_by, source.label) as lost:
                log.info("import of %s started by %s", source.label, requested_by)
                with tempfile.TemporaryDirectory(prefix="hansard-import-") as folder:
                    summary = self._import_source(source, Path(folder), requested_by, stop_if_lost(lost, progress))
        except ImportBusy as busy:
            return ReimportOutcome(source, refused=str(busy))
        except FetchError as exc:
            # Recorded like any import, so /admin errors shows it too; nothing was stored.
            failed = ImportSummary(run_id=start_run(engine, source.label, requested_by), failed=1, errors=[str(exc)])
            finish_run(engine, failed, "failed")
            log.warning("import of %s by %s failed: %s", source.label, requested_by, exc)
            return ReimportOutcome(source, summary=failed, error=str(exc))
        self._imported(source.label, requested_by, summary)
        return ReimportOutcome(source, summary=summary)

    def import_files(
        self,
        paths: Sequence[Path],
        requested_by: str,
        progress: Callable[[ImportSummary], None] | None = None,
    ) -> ReimportOutcome:
        """Import files, directories or archives an operator named at the terminal, under the same
        one-at-a-time lock as ``reimport``. Blocking."""
        label = ", ".join(str(path) for path in paths)
        engine = self.core.engine
        try:
            with holding(engine, self.holder, requested_by, label) as lost:
                summary = import_paths(engine, paths, requested_by=requested_by, progress=stop_if_lost(lost, progress))
        except ImportBusy as busy:
            return ReimportOutcome(None, refused=str(busy))
        self._imported(label, requested_by, summary)
        return ReimportOutcome(None, summary=summary)

    def _imported(self, label: str, requested_by: str, summary: ImportSummary) -> None:
        self.core.names.refresh()
        log.info(
            "import of %s by %s: %s new, %s updated, %s unchanged, %s failed",
            label,
            requested_by,
            summary.new,
            summary.updated,
            summary.unchanged,
            summary.failed,
        )

    def _import_source(
        self, source: ImportSource, folder: Path, requested_by: str, progress: Callable[[ImportSummary], None]
    ) -> ImportSummary:
        """Import ``source``, downloading into ``folder`` what must be; FetchError if it cannot be had."""
        engine = self.core.engine
        if is_mirror(source.location):
            # A TheyWorkForYou mirror: only what its changedates.txt lists since the last run.
            mirrors = mirrors_at(source.location, folder, timeout=self.fetch_timeout, max_bytes=self.max_download_bytes)
            return follow(
                engine,
                mirrors,
                folder,
                requested_by=requested_by,
                label=source.label,
                progress=progress,
                since=source.since,
            )
        if not source.is_url:
            path = Path(source.location).expanduser()
            return import_paths(engine, [path], requested_by=requested_by, progress=progress, label=source.label)
        path = download(source.location, folder, timeout=self.fetch_timeout, max_bytes=self.max_download_bytes)
        # Messages and stored rows name the URL (and its archive's members below it), not the temporary file.
        return import_paths(
            engine,
            [path],
            requested_by=requested_by,
            progress=progress,
            label=source.label,
            shown_as={path: source.location},
        )

    def status(self) -> AdminStatus:
        engine = self.core.engine
        return AdminStatus(
            stats=store_stats(engine),
            backend=engine.dialect.name,
            size_bytes=database_size_bytes(engine),
            version=package_version(),
            running=current_holder(engine),
            sources=[SourceStatus(source, latest_import_run(engine, source.label)) for source in self.sources.values()],
        )

    def errors(self, page: int = 1, page_size: int = ERRORS_PAGE_SIZE) -> ErrorsPage:
        run = latest_import_run(self.core.engine)
        lines = list(run.errors) if run else []
        pages = max(1, -(-len(lines) // page_size))
        page = max(1, min(page, pages))
        return ErrorsPage(run, lines[(page - 1) * page_size : page * page_size], page, pages)


def describe_summary(summary: ImportSummary) -> str:
    return (
        f"{summary.files_done:,} files: {summary.new:,} new, {summary.updated:,} updated, "
        f"{summary.unchanged:,} unchanged, {summary.failed:,} failed"
    )
