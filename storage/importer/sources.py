"""Where import input comes from: the one walk of files, directories, zip and tar archives.

Each input file becomes a `Job`: a plain file by its path (read by the worker that
parses it), an archive member or an unreadable file by its bytes or its error.
Directories are walked lazily, so memory stays flat with millions of files.
"""

from __future__ import annotations

import functools
import os
import stat
import tarfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

# A single input file larger than this is refused rather than read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
# Archive members are read this much at a time, so that a member larger than its
# header says is stopped at the limit, never inflated whole first.
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file as a parser sees it: its bytes, or why it could not be read."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    # Set when the file could not even be read (a broken archive member, say).
    error: str | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


class Job(NamedTuple):
    """One input file as sent to a parse worker.

    A plain file goes by ``path``, with the ``size`` it had when the walk saw it;
    the size also measures what the job costs in flight.
    """

    name: str
    path: str | None
    data: bytes | None
    error: str | None
    size: int


# Job(*values) without a Python call: a walk makes one per file, in the importer's process.
as_job = functools.partial(tuple.__new__, Job)


def _is_hidden(name: str) -> bool:
    return any(part.startswith(".") for part in name.split("/") if part not in ("", ".", ".."))


def is_archive(path: Path | str) -> bool:
    """Whether a file's name says it is an archive (a str path costs no Path)."""
    return str(path).lower().endswith((".zip", ".tar.gz", ".tgz", ".tar"))


def _job_of_bytes(name: str, data: bytes) -> Job:
    return Job(name, None, data, None, len(data))


def _job_of_error(name: str, error: str) -> Job:
    return Job(name, None, None, error, 0)


def _too_big(name: str) -> Job:
    return _job_of_error(name, f"file larger than {MAX_FILE_BYTES} bytes")


def _read_member(name: str, stream: IO[bytes]) -> Job:
    """An archive member's bytes, read in bounded chunks up to MAX_FILE_BYTES whatever its header declared."""
    parts: list[bytes] = []
    total = 0
    while chunk := stream.read(READ_CHUNK):
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            return _too_big(name)
        parts.append(chunk)
    return _job_of_bytes(name, b"".join(parts))


def _from_zip(path: str) -> Iterator[Job]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield _job_of_error(path, f"cannot open zip archive: {exc}")
        return
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or _is_hidden(info.filename):
                continue
            name = f"{path}!{info.filename}"
            if stat.S_ISLNK(info.external_attr >> 16):
                # Stored as a file holding the target's name: imported, it would only fail to parse.
                yield _job_of_error(name, "symbolic link: not imported (import its target instead)")
                continue
            if info.file_size > MAX_FILE_BYTES:
                yield _too_big(name)
                continue
            try:
                with archive.open(info) as stream:
                    yield _read_member(name, stream)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                yield _job_of_error(name, f"cannot read archive member: {exc}")


def _from_tar(path: str) -> Iterator[Job]:
    try:
        archive = tarfile.open(path, mode="r:*")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError) as exc:
        yield _job_of_error(path, f"cannot open tar archive: {exc}")
        return
    with archive:
        try:
            for member in archive:
                if member.isdir() or _is_hidden(member.name):
                    continue
                name = f"{path}!{member.name}"
                if member.size > MAX_FILE_BYTES:
                    yield _too_big(name)
                elif member.isfile():
                    yield _tar_member(archive, member, name)
                elif member.islnk():
                    yield _tar_hard_link(archive, member, name)
                elif member.issym():
                    yield _job_of_error(
                        name, f"symbolic link to {member.linkname!r}: not imported (import its target instead)"
                    )
                else:
                    yield _job_of_error(name, "not a regular file (a device or a pipe): not imported")
        except (tarfile.TarError, OSError, EOFError) as exc:
            yield _job_of_error(path, f"archive is damaged: {exc}")


def _tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> Job:
    extracted = archive.extractfile(member)
    if extracted is None:
        return _job_of_error(name, "cannot read archive member")
    with extracted:
        return _read_member(name, extracted)


def _tar_hard_link(archive: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> Job:
    """A hard link holds no data of its own: it is read as the earlier member it names (through any
    chain of links), never from the disk."""
    earlier = {m.name: m for m in archive.getmembers() if m.offset < member.offset}
    target = earlier.get(member.linkname)
    for _ in range(len(earlier)):  # bounded: a loop of links ends too
        if target is None or not target.islnk():
            break
        target = earlier.get(target.linkname)
    if target is None or not target.isfile():
        return _job_of_error(name, f"hard link to {member.linkname!r}, which is not a file earlier in the archive")
    if target.size > MAX_FILE_BYTES:
        return _too_big(name)
    return _tar_member(archive, target, name)


def _from_file(path: str) -> Iterator[Job]:
    """The jobs of one file: itself, or an archive's members."""
    lower = path.lower()
    if lower.endswith(".zip"):
        yield from _from_zip(path)
    elif is_archive(lower):
        yield from _from_tar(path)
    else:
        try:
            size = os.stat(path).st_size
        except OSError:  # gone since the walk listed it, say: the worker's read reports why
            size = 0
        yield _too_big(path) if size > MAX_FILE_BYTES else as_job((path, path, None, None, size))


# A TheyWorkForYou mirror's list of published files in each series folder: not a contribution.
MIRROR_INDEX = "changedates.txt"


def walk_files(directory: str) -> Iterator[str]:
    """The files below ``directory`` in the order of ``sorted(Path(directory).rglob("*"))``, lazily.

    Hidden names (".x") are skipped with everything below them, and so is a mirror's
    `MIRROR_INDEX`; symlinked directories are not followed; only one directory's
    names are held at a time.
    """
    names: list[str] = []
    subdirectories: set[str] = set()
    others: set[str] = set()  # neither a directory nor a plain file: symlinks, sockets...
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name == MIRROR_INDEX:
                    continue
                names.append(entry.name)
                try:
                    if entry.is_dir(follow_symlinks=False):
                        subdirectories.add(entry.name)
                    elif not entry.is_file(follow_symlinks=False):
                        others.add(entry.name)
                except OSError:
                    others.add(entry.name)
    except OSError:
        return
    names.sort()
    for name in names:
        path = os.path.join(directory, name)
        if name in subdirectories:
            yield from walk_files(path)
        elif name not in others or os.path.isfile(path):
            yield path


def iter_jobs(paths: Iterable[Path], shown_as: Mapping[Path, str] | None = None) -> Iterator[Job]:
    """Every input file below ``paths``, in a stable (sorted) order, as jobs.

    A path in ``shown_as`` (a download, say) is named by what it maps to (the URL it came from)
    wherever a job's name shows: its messages and what is stored; it is still read from the path.
    """
    for root in paths:
        jobs = _jobs_below(root)
        shown = None if shown_as is None else shown_as.get(root)
        if shown is None:
            yield from jobs
            continue
        real = str(root)
        for job in jobs:
            if job.name.startswith(real):
                job = job._replace(name=shown + job.name[len(real) :])
            yield job


def _jobs_below(root: Path) -> Iterator[Job]:
    if root.is_dir():
        for path in walk_files(str(root)):
            yield from _from_file(path)
    elif root.is_file():
        yield from _from_file(str(root))
    else:
        yield _job_of_error(str(root), "no such file or directory")


def read_file(path: str, size: int) -> bytes | None:
    """The bytes of a file, or None if it is larger than MAX_FILE_BYTES (it may have grown since the walk).

    Asking for one byte more than the size the walk saw finds the end in the same
    read: an open, a read and a close (``open().read()`` makes nine system calls).
    A file that has changed size since is read to its end.
    """
    expected = max(0, min(size, MAX_FILE_BYTES))
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(handle, expected + 1)
        if len(data) == expected:
            return data
        parts, total = [data], len(data)
        while total <= MAX_FILE_BYTES and (more := os.read(handle, 1 << 20)):
            parts.append(more)
            total += len(more)
        return None if total > MAX_FILE_BYTES else b"".join(parts)
    finally:
        os.close(handle)


def read_job(job: Job) -> SourceFile:
    """A job as a source file, its bytes read here (by the worker that parses it)."""
    if job.path is None:
        return SourceFile(job.name, data=job.data, error=job.error)
    try:
        data = read_file(job.path, job.size)
    except OSError:
        return SourceFile(job.name, path=Path(job.path))  # parse_source_file reports why
    if data is None:
        return _too_big_source(job.name)
    return SourceFile(job.name, data=data)


def _too_big_source(name: str) -> SourceFile:
    return SourceFile(name, error=f"file larger than {MAX_FILE_BYTES} bytes")
