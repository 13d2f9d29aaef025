"""Archives as import input: links inside tar archives, and members that lie about their size."""

from __future__ import annotations

import io
import stat
import struct
import tarfile
import tracemalloc
import zipfile
from pathlib import Path

from sqlalchemy import Engine, text

from storage.importer import import_paths
from storage.importer.sources import MAX_FILE_BYTES, iter_jobs
from storage.twfy import parse_twfy_file
from tests.conftest import DATA

XML = DATA / "hansard_twfy_xml_2010" / "westminhall" / "westminster2010-02-10a.xml"


def tar_with_links(path: Path) -> None:
    """A file under a hidden folder (not imported under that name), a hard link to it and one to that link,
    a symlink to it, and a hard link to a member the archive does not hold."""
    data = XML.read_bytes()
    with tarfile.open(path, "w:gz") as archive:
        original = tarfile.TarInfo(".orig/westminster.xml")
        original.size = len(data)
        archive.addfile(original, io.BytesIO(data))
        for name, kind, target in (
            ("wh/westminster.xml", tarfile.LNKTYPE, ".orig/westminster.xml"),
            ("wh/again.xml", tarfile.LNKTYPE, "wh/westminster.xml"),  # a link to a link
            ("wh/latest.xml", tarfile.SYMTYPE, "westminster.xml"),
            ("wh/elsewhere.xml", tarfile.LNKTYPE, "/etc/passwd"),
        ):
            link = tarfile.TarInfo(name)
            link.type = kind
            link.linkname = target
            archive.addfile(link)


def test_tar_links_are_followed_within_the_archive_or_reported(tmp_path: Path) -> None:
    archive = tmp_path / "links.tar.gz"
    tar_with_links(archive)
    sources = {source.name.removeprefix(f"{archive}!"): source for source in iter_jobs([archive])}
    assert set(sources) == {"wh/westminster.xml", "wh/again.xml", "wh/latest.xml", "wh/elsewhere.xml"}
    assert sources["wh/westminster.xml"].data == sources["wh/again.xml"].data == XML.read_bytes()
    symlink_error = sources["wh/latest.xml"].error
    assert symlink_error is not None and "symbolic link to 'westminster.xml'" in symlink_error
    outside_error = sources["wh/elsewhere.xml"].error
    assert outside_error is not None and "hard link to '/etc/passwd'" in outside_error


def test_a_hard_linked_files_content_is_imported_and_links_are_located_failures(engine: Engine, tmp_path: Path) -> None:
    archive = tmp_path / "links.tar.gz"
    tar_with_links(archive)
    summary = import_paths(engine, [archive])
    assert summary.files_done == 4 and summary.failed == 2
    assert summary.new == len(list(parse_twfy_file(XML.read_bytes(), XML.name)))
    assert sorted(error.split(": ")[0] for error in summary.errors) == [
        f"{archive}!wh/elsewhere.xml:0",
        f"{archive}!wh/latest.xml:0",
    ]
    with engine.connect() as conn:
        stored_from = {row[0] for row in conn.execute(text("SELECT DISTINCT source FROM contribution"))}
    assert stored_from and stored_from <= {f"{archive}!wh/westminster.xml", f"{archive}!wh/again.xml"}


def zip_with_lying_header(path: Path, inflated_bytes: int, declared_bytes: int) -> None:
    """A zip whose one entry inflates to ``inflated_bytes`` while both its headers declare ``declared_bytes``."""
    zeros = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("bomb.txt", "w") as member,
    ):
        for _ in range(inflated_bytes >> 20):
            member.write(zeros)
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, declared_bytes)
    struct.pack_into("<I", data, central + 24, declared_bytes)
    path.write_bytes(bytes(data))


def test_a_zip_member_larger_than_its_header_says_is_stopped_in_bounded_memory(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    zip_with_lying_header(archive, inflated_bytes=MAX_FILE_BYTES + (16 << 20), declared_bytes=1000)
    assert zipfile.ZipFile(archive).getinfo("bomb.txt").file_size == 1000
    tracemalloc.start()
    try:
        sources = list(iter_jobs([archive]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [source.data for source in sources] == [None]
    assert sources[0].error is not None
    assert peak < 8 << 20, f"peak {peak / 1e6:.0f} MB while reading one member"


def test_a_zip_member_over_the_limit_is_refused_whatever_its_header_says(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    # Honest headers here, but more than the limit: stopped at the limit, in chunks.
    zip_with_lying_header(archive, inflated_bytes=MAX_FILE_BYTES + (1 << 20), declared_bytes=MAX_FILE_BYTES)
    tracemalloc.start()
    try:
        sources = list(iter_jobs([archive]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sources[0].error is not None and sources[0].data is None
    assert peak < MAX_FILE_BYTES + (8 << 20)


def test_a_zip_symlink_is_a_located_failure_not_a_file_holding_its_target(tmp_path: Path) -> None:
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(XML, "wh/westminster.xml")
        link = zipfile.ZipInfo("wh/latest.xml")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(link, "westminster.xml")
    sources = {source.name.removeprefix(f"{archive}!"): source for source in iter_jobs([archive])}
    assert sources["wh/westminster.xml"].data == XML.read_bytes()
    error = sources["wh/latest.xml"].error
    assert error is not None and error.startswith("symbolic link")
