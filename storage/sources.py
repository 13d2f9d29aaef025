"""Where import input comes from: files, directories, zip and tar.gz archives.

Each input file becomes a `SourceFile` (its display name and its bytes, or the
path to read them from). Parsing happens elsewhere; this module only walks.
"""

from __future__ import annotations

import stat
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# A single input file larger than this is refused rather than read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
# Archive members are read this much at a time, so that a member larger than its
# header says is stopped at the limit, never inflated whole first.
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file. ``data`` is None for a plain file, which is read where it is parsed."""

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


def _is_hidden(path: Path) -> bool:
    return any(part.startswith(".") for part in path.parts if part not in (".", ".."))


def is_archive(path: Path | str) -> bool:
    """Whether a file's name says it is an archive (a str path costs no Path)."""
    return str(path).lower().endswith((".zip", ".tar.gz", ".tgz", ".tar"))


def _read_member(name: str, stream: IO[bytes]) -> SourceFile:
    """An archive member's bytes, read in bounded chunks up to MAX_FILE_BYTES whatever its header declared."""
    parts: list[bytes] = []
    total = 0
    while chunk := stream.read(READ_CHUNK):
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            return SourceFile(name=name, error=f"file larger than {MAX_FILE_BYTES} bytes")
        parts.append(chunk)
    return SourceFile(name=name, data=b"".join(parts))


def _from_zip(path: Path) -> Iterator[SourceFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield SourceFile(name=str(path), error=f"cannot open zip archive: {exc}")
        return
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or _is_hidden(Path(info.filename)):
                continue
            name = f"{path}!{info.filename}"
            if stat.S_ISLNK(info.external_attr >> 16):
                # Stored as a file holding the target's name: imported, it would only fail to parse.
                yield SourceFile(name=name, error="symbolic link: not imported (import its target instead)")
                continue
            if info.file_size > MAX_FILE_BYTES:
                yield SourceFile(name=name, error=f"file larger than {MAX_FILE_BYTES} bytes")
                continue
            try:
                with archive.open(info) as stream:
                    yield _read_member(name, stream)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                yield SourceFile(name=name, error=f"cannot read archive member: {exc}")


def _from_tar(path: Path) -> Iterator[SourceFile]:
    try:
        archive = tarfile.open(path, mode="r:*")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError) as exc:
        yield SourceFile(name=str(path), error=f"cannot open tar archive: {exc}")
        return
    with archive:
        try:
            for member in archive:
                if member.isdir() or _is_hidden(Path(member.name)):
                    continue
                name = f"{path}!{member.name}"
                if member.size > MAX_FILE_BYTES:
                    yield SourceFile(name=name, error=f"file larger than {MAX_FILE_BYTES} bytes")
                elif member.isfile():
                    yield _tar_member(archive, member, name)
                elif member.islnk():
                    yield _tar_hard_link(archive, member, name)
                elif member.issym():
                    yield SourceFile(
                        name=name,
                        error=f"symbolic link to {member.linkname!r}: not imported (import its target instead)",
                    )
                else:
                    yield SourceFile(name=name, error="not a regular file (a device or a pipe): not imported")
        except (tarfile.TarError, OSError, EOFError) as exc:
            yield SourceFile(name=str(path), error=f"archive is damaged: {exc}")


def _tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> SourceFile:
    extracted = archive.extractfile(member)
    if extracted is None:
        return SourceFile(name=name, error="cannot read archive member")
    with extracted:
        return _read_member(name, extracted)


def _tar_hard_link(archive: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> SourceFile:
    """A hard link holds no data of its own: it is read as the earlier member it names (through any
    chain of links), never from the disk."""
    earlier = {m.name: m for m in archive.getmembers() if m.offset < member.offset}
    target = earlier.get(member.linkname)
    for _ in range(len(earlier)):  # bounded: a loop of links ends too
        if target is None or not target.islnk():
            break
        target = earlier.get(target.linkname)
    if target is None or not target.isfile():
        return SourceFile(
            name=name, error=f"hard link to {member.linkname!r}, which is not a file earlier in the archive"
        )
    if target.size > MAX_FILE_BYTES:
        return SourceFile(name=name, error=f"file larger than {MAX_FILE_BYTES} bytes")
    return _tar_member(archive, target, name)


def iter_source_files(paths: Iterable[Path]) -> Iterator[SourceFile]:
    """Every input file below ``paths``, in a stable (sorted) order."""
    for root in paths:
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                if _is_hidden(path.relative_to(root)):
                    continue
                yield from _from_path(path)
        elif root.is_file():
            yield from _from_path(root)
        else:
            yield SourceFile(name=str(root), error="no such file or directory")


def _from_path(path: Path) -> Iterator[SourceFile]:
    name = path.name.lower()
    if name.endswith(".zip"):
        yield from _from_zip(path)
    elif name.endswith((".tar.gz", ".tgz", ".tar")):
        yield from _from_tar(path)
    elif path.stat().st_size > MAX_FILE_BYTES:
        yield SourceFile(name=str(path), error=f"file larger than {MAX_FILE_BYTES} bytes")
    else:
        yield SourceFile(name=str(path), path=path)
