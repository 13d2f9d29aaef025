"""Following a TheyWorkForYou mirror: TheyWorkForYou's own fixtures, served over HTTP on 127.0.0.1 or
from a local folder, imported in published order, once, and resumed after a failure."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage.db import make_engine, migrate
from storage.feed import (
    FeedError,
    Listing,
    Position,
    follow,
    is_mirror,
    load_position,
    mirrors_at,
    parse_changedates,
    pending,
)
from storage.importer import ImportSummary, import_paths
from tests.conftest import DATA
from tests.mirror_server import SCRAPED, MirrorServer, published, serve_mirror


def contents(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        return {(row[0], row[1]) for row in conn.execute(text("SELECT uri, text FROM contribution"))}


def reference(files: list[Path], tmp_path: Path) -> set[tuple[str, str]]:
    """What importing these files directly, in this order, stores."""
    engine = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    migrate(engine)
    assert import_paths(engine, files).ok
    try:
        return contents(engine)
    finally:
        engine.dispose()
        (tmp_path / "reference.db").unlink()


@pytest.fixture
def mirror_server(tmp_path: Path) -> Iterator[MirrorServer]:
    with serve_mirror(SCRAPED, tmp_path / "scrapedxml") as server:
        yield server


def run(engine: Engine, location: str, work: Path) -> ImportSummary:
    work.mkdir(exist_ok=True)
    mirrors = mirrors_at(location, work, timeout=10, max_bytes=64 << 20)
    return follow(engine, mirrors, work, requested_by="tests", label=f"twfy: {location}")


# --- changedates.txt --------------------------------------------------------------------------


def test_changedates_lines_are_read_in_order_and_malformed_ones_located() -> None:
    parsed = parse_changedates(
        "1256631461,debates2009-10-26a.xml\r\n"
        "\n"
        "1256717977;debates2009-10-27a.xml\n"
        "soon,debates2009-10-27b.xml\n"
        "1256804436,../../etc/passwd.xml\n"
        "1256804448,debates2009-10-28a.xml\n"
        "1256890716,debates2009-10-2"  # being appended as we read: left for next time
    )
    assert parsed.listings == [
        Listing(1, 1256631461, "debates2009-10-26a.xml"),
        Listing(6, 1256804448, "debates2009-10-28a.xml"),
    ]
    assert [line for line, _ in parsed.errors] == [3, 4, 5]
    assert "unixtime,filename" in parsed.errors[0][1] and "not a unix time" in parsed.errors[1][1]
    assert "not the name of an XML file" in parsed.errors[2][1]
    assert parsed.end_line == 6


def test_pending_takes_each_file_once_at_its_last_listing_and_survives_a_rewritten_file() -> None:
    parsed = parse_changedates((SCRAPED / "debates" / "changedates.txt").read_text())
    todo, start = pending(parsed, None)
    assert [listing.name for listing in todo] == published(SCRAPED / "debates") and start == 0
    again = parse_changedates(
        (SCRAPED / "debates" / "changedates.txt").read_text() + "1260270999,debates2009-10-27d.xml\n"
    )
    todo, start = pending(again, Position(4, 1256804448, "debates2009-10-27b.xml"))
    assert start == 4
    assert [listing.name for listing in todo] == [
        "debates2009-10-29a.xml",
        "debates2009-10-28b.xml",
        "debates2009-10-27c.xml",
        "debates2009-10-28c.xml",
        "debates2009-10-26b.xml",
        "debates2009-10-27d.xml",  # listed twice since: fetched once, at its last listing
    ]
    # The remembered line is not where it was (the file was rewritten): everything since its time.
    todo, _ = pending(again, Position(2, 1256804448, "debates2009-10-27b.xml"))
    assert todo[0].name == "debates2009-10-29a.xml" and len(todo) == 6


def test_what_is_followed_as_a_mirror(tmp_path: Path) -> None:
    assert is_mirror("https://example.org/scrapedxml/debates/")
    assert is_mirror("https://example.org/scrapedxml/debates")
    assert is_mirror("https://example.org/scrapedxml/debates/changedates.txt")
    assert not is_mirror("https://example.org/hansard-latest.tar.gz")
    assert not is_mirror("https://example.org/debates2009-10-26a.xml")
    assert is_mirror(str(SCRAPED)) and is_mirror(str(SCRAPED / "debates"))
    assert not is_mirror(str(DATA / "hansard_twfy_xml_2010")) and not is_mirror(str(DATA / "samples"))
    with pytest.raises(FeedError, match=r"no changedates\.txt"):
        mirrors_at(str(DATA / "samples"), tmp_path, timeout=1, max_bytes=1 << 20)


# --- over HTTP ----------------------------------------------------------------------------------


def test_an_http_mirror_is_imported_once_in_published_order(
    engine: Engine, mirror_server: MirrorServer, tmp_path: Path
) -> None:
    debates = mirror_server.root / "debates"
    location = f"{mirror_server.url}/debates/"
    summary = run(engine, location, tmp_path / "work")
    assert summary.ok, summary.errors
    assert mirror_server.xml_requests() == published(debates)
    assert contents(engine) == reference([debates / name for name in published(debates)], tmp_path)
    position = load_position(engine, f"{location}changedates.txt")
    assert position is not None and position.line == len(published(debates))

    mirror_server.requests.clear()
    again = run(engine, location, tmp_path / "work")
    assert mirror_server.xml_requests() == [] and again.files_done == 0 and again.ok
    assert mirror_server.requests == ["/debates/changedates.txt"]

    # A file re-published later: only it is fetched.
    with (debates / "changedates.txt").open("a") as listing:
        listing.write("1260270999,debates2009-10-28c.xml\n")
    mirror_server.requests.clear()
    assert run(engine, location, tmp_path / "work").files_done == 1
    assert mirror_server.xml_requests() == ["debates2009-10-28c.xml"]
    assert not any((tmp_path / "work").rglob("*.xml"))  # downloads go once imported


def test_a_server_failing_half_way_is_resumed_where_it_stopped(
    engine: Engine, mirror_server: MirrorServer, tmp_path: Path
) -> None:
    debates = mirror_server.root / "debates"
    order = published(debates)
    location = f"{mirror_server.url}/debates/"
    mirror_server.failing = {f"/debates/{order[4]}"}
    summary = run(engine, location, tmp_path / "work")
    assert summary.files_done == 4 and summary.failed == 1
    assert summary.errors == [
        f"{location}changedates.txt:5: {location}{order[4]}: HTTP 503 Service Unavailable",
    ]
    # Consistent: exactly what the first four files give, and the position after the fourth.
    assert contents(engine) == reference([debates / name for name in order[:4]], tmp_path)
    position = load_position(engine, f"{location}changedates.txt")
    assert position is not None and (position.line, position.file_name) == (4, order[3])

    mirror_server.failing.clear()
    mirror_server.requests.clear()
    resumed = run(engine, location, tmp_path / "work")
    assert resumed.ok, resumed.errors
    assert mirror_server.xml_requests() == order[4:]
    assert contents(engine) == reference([debates / name for name in order], tmp_path)


def test_a_mirror_top_folder_follows_each_series_folder(
    engine: Engine, mirror_server: MirrorServer, tmp_path: Path
) -> None:
    summary = run(engine, f"{mirror_server.url}/", tmp_path / "work")
    followed = {name for name in ("debates", "lordspages") if (mirror_server.root / name / "changedates.txt").exists()}
    assert followed == {"debates", "lordspages"}
    expected = [name for series in ("debates", "lordspages") for name in published(mirror_server.root / series)]
    assert mirror_server.xml_requests() == expected
    assert summary.files_done == len(expected)
    for series in followed:
        position = load_position(engine, f"{mirror_server.url}/{series}/changedates.txt")
        assert position is not None and position.line == len(published(mirror_server.root / series))
    mirror_server.requests.clear()
    run(engine, f"{mirror_server.url}/", tmp_path / "work")
    assert mirror_server.xml_requests() == []


def test_malformed_lines_and_a_missing_changedates_are_located_errors(
    engine: Engine, mirror_server: MirrorServer, tmp_path: Path
) -> None:
    debates = mirror_server.root / "debates"
    lines = (debates / "changedates.txt").read_text().splitlines()
    lines.insert(2, "1256717980 debates2009-10-27a.xml")
    (debates / "changedates.txt").write_text("\n".join(lines) + "\n")
    location = f"{mirror_server.url}/debates/"
    summary = run(engine, location, tmp_path / "work")
    # The real divisions also warn where a spoken result differs from the count: those are not the feed's.
    feed_errors = [error for error in summary.errors if "changedates.txt" in error]
    assert feed_errors == [
        f"{location}changedates.txt:3: expected 'unixtime,filename', got '1256717980 debates2009-10-27a.xml'"
    ]
    assert summary.files_done == len(published(SCRAPED / "debates"))
    # Reported once: the next run starts after it.
    assert run(engine, location, tmp_path / "work").errors == []
    with pytest.raises(FeedError, match=r"no changedates\.txt"):
        run(engine, f"{mirror_server.url}/lordswms/", tmp_path / "work")


def division_sources(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT DISTINCT source FROM division"))}


def test_an_http_mirror_file_is_named_by_its_url_in_errors_warnings_and_stored_divisions(
    engine: Engine, mirror_server: MirrorServer, tmp_path: Path
) -> None:
    # A file the mirror serves broken: its parse error must say where it came from, not the temporary download.
    debates = mirror_server.root / "debates"
    broken = debates / "debates2009-10-29a.xml"
    lines = broken.read_bytes().splitlines(keepends=True)
    lines[9] = b"<speech id='unclosed'\n"
    broken.write_bytes(b"".join(lines))
    location = f"{mirror_server.url}/debates/"
    work = tmp_path / "work"
    summary = run(engine, location, work)
    located = [error.rpartition(".xml:")[0] + ".xml" for error in summary.errors]
    assert f"{location}debates2009-10-29a.xml" in located, summary.errors
    # The real divisions' warnings (a spoken result differing from the count) name their URL too.
    assert len(summary.errors) > 1
    assert all(error.startswith(location) for error in summary.errors), summary.errors
    assert not any(str(work) in error for error in summary.errors)
    sources = division_sources(engine)
    assert sources and all(source.startswith(location) for source in sources), sources
    assert f"{location}debates2009-10-28c.xml" in sources
    with engine.connect() as conn:
        runs = [row[0] for row in conn.execute(text("SELECT errors FROM import_run"))]
    assert not any(str(work) in str(errors) for errors in runs)


# --- a local folder (an rsync mirror) ------------------------------------------------------------


def test_a_local_mirror_is_followed_and_a_file_not_there_yet_is_waited_for(engine: Engine, tmp_path: Path) -> None:
    debates = tmp_path / "debates"
    shutil.copytree(SCRAPED / "debates", debates)
    order = published(debates)
    held_back = tmp_path / order[6]
    (debates / order[6]).rename(held_back)  # listed, but rsync has not brought it yet
    summary = run(engine, str(debates), tmp_path / "work")
    assert summary.files_done == 6
    assert summary.errors == [
        f"{debates}/changedates.txt:7: {order[6]} is listed but not in {debates} (yet): it is tried again next time"
    ]
    held_back.rename(debates / order[6])
    resumed = run(engine, str(debates), tmp_path / "work")
    assert resumed.files_done == len(order) - 6 and resumed.ok
    assert contents(engine) == reference([debates / name for name in order], tmp_path)
    assert run(engine, str(debates), tmp_path / "work").files_done == 0
    assert all(path.exists() for path in debates.iterdir())  # a local mirror's files are left alone
    # Its files are named by their real paths.
    divided = {str(debates / name) for name in order if b"<division " in (debates / name).read_bytes()}
    assert division_sources(engine) and division_sources(engine) <= divided


def test_a_mirror_of_recent_sittings_only_is_followed_from_its_since_date(engine: Engine, tmp_path: Path) -> None:
    # As `rsync ... debates2009-10-28* debates2009-10-29*` leaves it: changedates.txt lists older files too.
    debates = tmp_path / "debates"
    shutil.copytree(SCRAPED / "debates", debates)
    for old in [*debates.glob("debates2009-10-26*"), *debates.glob("debates2009-10-27*")]:
        old.unlink()
    work = tmp_path / "work"
    work.mkdir()
    mirrors = mirrors_at(str(debates), work, timeout=10, max_bytes=64 << 20)
    summary = follow(engine, mirrors, work, since=dt.date(2009, 10, 28))
    recent = [name for name in published(debates) if name >= "debates2009-10-28"]
    assert summary.ok, summary.errors
    assert summary.files_done == len(recent) == 4
    assert contents(engine) == reference([debates / name for name in recent], tmp_path)
    assert follow(engine, mirrors, work, since=dt.date(2009, 10, 28)).files_done == 0


def test_series_folders_without_changedates_are_named_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mirrors = mirrors_at(str(SCRAPED), tmp_path, timeout=1, max_bytes=1 << 20)
    assert [Path(mirror.changedates).parent.name for mirror in mirrors] == ["debates", "lordspages"]
    unlisted = {record.getMessage().split(" holds ")[0] for record in caplog.records}
    assert unlisted == {
        str(SCRAPED / name) for name in ("divisionsonly", "lordsdivisionsonly", "lordswms", "lordswrans")
    }
