"""The importer on real data, on SQLite and PostgreSQL: idempotence, updates, bad input, crashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from bot.cli import main as cli
from storage.db import SQLITE_CACHE_KB, make_engine, migrate
from storage.importer import import_paths, parse_source_file, rows, sources, workers
from storage.importer.sources import Job
from storage.importer.writer import Writer
from storage.models import ImportRun
from storage.parser import parse_contribution
from storage.query import parse_query
from storage.search import search
from storage.twfy import parse_twfy_file
from tests.conftest import DATA, SHARED_DATA

SAMPLE = DATA / "samples" / "CONTRIBUTION_622898.txt"
TWFY = DATA / "hansard_twfy_xml_2010"


def twfy_speech_count() -> int:
    return sum(len(list(parse_twfy_file(path.read_bytes(), path.name))) for path in sorted(TWFY.rglob("*.xml")))


def table_snapshot(engine: Engine) -> dict[str, Any]:
    """Everything that should not change when the same data is imported again."""
    with engine.connect() as conn:
        return {
            "contributions": conn.execute(
                text("SELECT uri, content_hash, member_id, debate_id FROM contribution ORDER BY uri")
            ).all(),
            "members": conn.execute(text("SELECT member_key, party FROM member ORDER BY member_key")).all(),
            "debates": conn.execute(text("SELECT debate_key FROM debate ORDER BY debate_key")).all(),
        }


def fts_consistent(engine: Engine) -> bool:
    """The full-text index holds exactly the stored rows."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO contribution_fts(contribution_fts) VALUES ('integrity-check')"))
            return True
        missing = conn.execute(text("SELECT count(*) FROM contribution WHERE search_vector IS NULL")).scalar_one()
        return bool(missing == 0)


def sqlite_connections_as_usual(engine: Engine) -> bool:
    """SQLite after an import: every stored reference points at a row, connections have
    the usual settings again, and the write-ahead log has been copied into the database and emptied.

    The importer's own connection writes without foreign key checks, with a bigger
    cache and with rarer checkpoints.
    """
    with engine.connect() as conn:
        dangling = conn.execute(text("PRAGMA foreign_key_check")).all()
        settings = [conn.execute(text(f"PRAGMA {name}")).scalar_one() for name in ("foreign_keys", "cache_size")]
        autocheckpoint = conn.execute(text("PRAGMA wal_autocheckpoint")).scalar_one()
    # At most the import-run record written after the checkpoint (the bundled data leave ~10 MB without it).
    log = Path(f"{engine.url.database}-wal")
    log_emptied = not engine.url.database or not log.exists() or log.stat().st_size < 256 * 1024
    return not dangling and settings == [1, -SQLITE_CACHE_KB] and autocheckpoint == 1000 and log_emptied


def hits_for(engine: Engine, words: str) -> list[str]:
    return [hit.contribution.uri for hit in search(engine, parse_query(words), limit=50).hits]


def test_bundled_data_imports_and_reimport_changes_nothing(engine: Engine) -> None:
    expected = twfy_speech_count() + 1
    first = import_paths(engine, [SAMPLE.parent, TWFY])
    assert first.ok, first.errors
    assert (first.new, first.updated, first.unchanged) == (expected, 0, 0)
    if (SHARED_DATA / "hansard_commons_2010_speeches.jsonl").exists():
        with open(SHARED_DATA / "hansard_commons_2010_speeches.jsonl", encoding="utf-8") as lines:
            assert expected == sum(1 for _ in lines) + 1
    before = table_snapshot(engine)

    second = import_paths(engine, [SAMPLE.parent, TWFY])
    assert (second.new, second.updated, second.unchanged, second.failed) == (0, 0, expected, 0)
    assert table_snapshot(engine) == before
    assert fts_consistent(engine)
    if engine.dialect.name == "sqlite":
        assert sqlite_connections_as_usual(engine)


def test_changed_file_updates_row_and_search_index(engine: Engine, tmp_path: Path) -> None:
    copy = tmp_path / "CONTRIBUTION_622898.txt"
    shutil.copy(SAMPLE, copy)
    assert import_paths(engine, [copy]).new == 1
    assert hits_for(engine, "tabloid") == ["http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"]

    copy.write_text(copy.read_text(encoding="utf-8").replace("tabloid", "broadsheet"), encoding="utf-8")
    summary = import_paths(engine, [copy])
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 0)
    assert hits_for(engine, "tabloid") == []
    assert hits_for(engine, "broadsheet") == ["http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"]
    assert fts_consistent(engine)


def test_bad_files_are_reported_with_line_and_the_rest_goes_on(engine: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "input"
    tmp_path.mkdir()
    shutil.copy(SAMPLE, tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    broken_xml = (TWFY / "debates" / "debates2010-02-05a.xml").read_bytes()[:20000]
    (tmp_path / "truncated.xml").write_bytes(broken_xml)
    (tmp_path / "binary.txt").write_bytes(b"\x00\xff\xfe garbage \x81")

    summary = import_paths(engine, [tmp_path])
    assert summary.new == 1
    assert summary.failed == 3
    assert not summary.ok
    names = sorted(error.split(":")[0] for error in summary.errors)
    assert names == sorted(str(tmp_path / n) for n in ("binary.txt", "empty.txt", "truncated.xml"))
    for error in summary.errors:
        _, line, reason = error.split(":", 2)
        assert line.isdigit() and int(line) >= 1 and reason.strip()


def test_file_that_now_fails_keeps_its_stored_version(engine: Engine, tmp_path: Path) -> None:
    copy = tmp_path / "CONTRIBUTION_622898.txt"
    shutil.copy(SAMPLE, copy)
    import_paths(engine, [copy])
    before = table_snapshot(engine)
    # Cut the file before its URI: no longer a valid contribution.
    content = copy.read_text(encoding="utf-8")
    copy.write_text(content[: content.index("URI")], encoding="utf-8")

    summary = import_paths(engine, [copy])
    assert summary.failed == 1 and summary.errors[0].startswith(f"{copy}:")
    assert table_snapshot(engine) == before
    assert hits_for(engine, "tabloid") == ["http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"]


def test_import_killed_mid_batch_leaves_consistent_store_and_rerun_completes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = twfy_speech_count()
    calls = {"n": 0}
    original = Writer._link_subjects

    def crash_on_third_batch(self: Writer, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            # After this batch's rows were inserted, inside its transaction.
            raise KeyboardInterrupt("killed")
        original(self, *args)

    monkeypatch.setattr(Writer, "_link_subjects", crash_on_third_batch)
    committed: list[int] = []
    with pytest.raises(KeyboardInterrupt):
        import_paths(engine, [TWFY], batch_size=500, progress=lambda s: committed.append(s.new))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM contribution")).scalar_one()
        status = conn.execute(text("SELECT status FROM import_run ORDER BY id DESC")).scalar_one()
    # Two whole batches (a batch holds whole files, so at least 500 rows each), nothing of the third.
    assert len(committed) == 2
    assert 1000 <= stored == committed[-1] < expected
    assert status == "interrupted"
    assert fts_consistent(engine)

    monkeypatch.setattr(Writer, "_link_subjects", original)
    summary = import_paths(engine, [TWFY], batch_size=500)
    assert (summary.new, summary.unchanged) == (expected - stored, stored)
    assert fts_consistent(engine)


def stored_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM contribution ORDER BY id")).scalars())


def test_parallel_import_stores_every_row_once_with_ids_in_import_order(engine: Engine) -> None:
    # On PostgreSQL several connections write at once; the rows, the index and the
    # order of ids (which the digests rely on) must be as a one-connection import gives.
    summary = import_paths(engine, [TWFY], batch_size=300, parallel=True)
    assert summary.ok and summary.new == twfy_speech_count()
    ids = stored_ids(engine)
    assert len(ids) == summary.new and ids[-1] - ids[0] == len(ids) - 1
    with engine.connect() as conn:
        sources_by_id = list(conn.execute(text("SELECT source FROM contribution ORDER BY id")).scalars())
    assert sources_by_id == sorted(sources_by_id)  # files are read in sorted order
    assert fts_consistent(engine)
    snapshot = table_snapshot(engine)

    again = import_paths(engine, [TWFY], batch_size=300, parallel=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, summary.new)
    assert table_snapshot(engine) == snapshot


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here (os.nice)")
def test_parse_workers_start_at_a_lower_priority_than_the_importer() -> None:
    # The writer is the import's bottleneck: its parse workers must yield the CPU to it.
    # Run in a process of its own, as a worker is, so the test runner keeps its priority.
    probe = (
        "import os; from storage.importer.workers import start_worker; "
        "before = os.nice(0); start_worker(); print(before, os.nice(0))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    before, after = map(int, done.stdout.split())
    assert after == min(before + workers.WORKER_NICENESS, 19)


# How much bigger the file was when walked than it is now: below 0, it has grown since.
@pytest.mark.parametrize("shrunk_since_walk", [-2591, -1000, -1, 0, 1, 5000])
def test_a_file_is_read_whole_whatever_its_size_was_when_the_walk_saw_it(
    tmp_path: Path, shrunk_since_walk: int
) -> None:
    # A worker reads the size the walk saw, and one byte more to find the end: a file
    # that has grown or shrunk since must still be read to its end, and nothing more.
    data = SAMPLE.read_bytes()
    assert len(data) == 2591
    path = tmp_path / "page.txt"
    path.write_bytes(data)
    size_when_walked = len(data) + shrunk_since_walk
    source = sources.read_job(Job(str(path), str(path), None, None, size_when_walked))
    assert source.error is None and source.data == data


@pytest.mark.parametrize("size_when_walked", [900, 2591])
def test_a_file_grown_past_the_size_limit_since_the_walk_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size_when_walked: int
) -> None:
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "page.txt"
    path.write_bytes(SAMPLE.read_bytes())
    source = sources.read_job(Job(str(path), str(path), None, None, size_when_walked))
    assert source.data is None and source.error == "file larger than 1000 bytes"
    assert parse_source_file(source).error == f"{path}:0: file larger than 1000 bytes"


def test_a_walked_file_goes_to_its_worker_with_its_size(tmp_path: Path) -> None:
    # The size is what a worker reads in one go, and what bounds the input in flight.
    (tmp_path / "a.txt").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_bytes(b"x" * 10)
    jobs = list(sources.iter_jobs([tmp_path]))
    assert [(job.name, job.size) for job in jobs] == [
        (str(tmp_path / "a.txt"), 2591),
        (str(tmp_path / "sub" / "b.txt"), 10),
    ]


def test_a_file_gone_between_the_walk_and_its_reading_is_reported_and_the_rest_goes_on(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(SAMPLE, inputs / "page.txt")
    gone = inputs / "gone.txt"
    walk = sources.walk_files
    monkeypatch.setattr(sources, "walk_files", lambda directory: iter([str(gone), *walk(directory)]))
    summary = import_paths(sqlite_engine, [inputs])
    assert (summary.new, summary.failed) == (1, 1)
    assert summary.errors == [f"{gone}:0: cannot read file: No such file or directory"]


def test_parallel_imports_start_their_workers_with_the_lower_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    started_with: list[Any] = []

    class RecordingPool(workers.ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started_with.append(kwargs.get("initializer"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", RecordingPool)
    outcomes = list(workers.parse_all(sources.iter_jobs([SAMPLE]), True, "sqlite"))
    assert [outcome.error for outcome in outcomes] == [None]
    assert started_with == [workers.start_worker]


def test_parallel_import_failing_mid_way_commits_a_prefix_and_rerun_completes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = twfy_speech_count()
    calls = itertools.count(1)
    original = Writer._link_subjects

    def fail_on_third_batch(self: Writer, *args: Any) -> None:
        if next(calls) == 3:
            time.sleep(1)  # long enough for a later batch to be written and ready to commit
            raise RuntimeError("disk full")
        original(self, *args)

    monkeypatch.setattr(Writer, "_link_subjects", fail_on_third_batch)
    with pytest.raises(RuntimeError, match="disk full"):
        import_paths(engine, [TWFY], batch_size=300, parallel=True)
    ids = stored_ids(engine)
    # Whole batches only, and no batch committed after one that failed: no gap in the ids.
    assert 0 < len(ids) < expected
    assert ids[-1] - ids[0] == len(ids) - 1
    assert fts_consistent(engine)
    with engine.connect() as conn:
        recorded = conn.execute(text("SELECT new, status FROM import_run ORDER BY id DESC")).first()
    assert tuple(recorded or ()) == (len(ids), "interrupted")

    monkeypatch.setattr(Writer, "_link_subjects", original)
    summary = import_paths(engine, [TWFY], batch_size=300, parallel=True)
    assert (summary.new, summary.unchanged) == (expected - len(ids), len(ids))
    assert len(stored_ids(engine)) == expected
    assert fts_consistent(engine)


def test_parallel_import_reports_the_failure_of_a_later_batch_not_the_batches_it_stopped(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batch 4 fails while batch 3, planned before it, is still being written: batch 3
    # must not commit after it (no gap in the ids) and the error raised is batch 4's.
    order_of_plan: dict[int, int] = {}
    planned = itertools.count(1)
    original_plan, original_write = Writer.plan, Writer.write

    def numbered_plan(self: Writer, *args: Any) -> Any:
        plan = original_plan(self, *args)
        order_of_plan[id(plan)] = next(planned)
        return plan

    def write(self: Writer, conn: Any, plan: Any) -> None:
        order = order_of_plan.get(id(plan))
        if order == 3:
            time.sleep(1)
        elif order == 4:
            raise RuntimeError("disk full")
        original_write(self, conn, plan)

    monkeypatch.setattr(Writer, "plan", numbered_plan)
    monkeypatch.setattr(Writer, "write", write)
    with pytest.raises(RuntimeError, match="disk full"):
        import_paths(engine, [TWFY], batch_size=300, parallel=True)
    ids = stored_ids(engine)
    assert ids and ids[-1] - ids[0] == len(ids) - 1
    assert fts_consistent(engine)


def test_import_into_an_in_memory_sqlite_database() -> None:
    # Its one connection is the database: the importer must not close it.
    engine = make_engine("sqlite://")
    migrate(engine)
    assert import_paths(engine, [SAMPLE]).new == 1
    assert hits_for(engine, "tabloid") == ["http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"]
    assert import_paths(engine, [SAMPLE]).unchanged == 1
    assert sqlite_connections_as_usual(engine)


def test_archives_import_like_directories(engine: Engine, tmp_path: Path) -> None:
    xml = TWFY / "westminhall" / "westminster2010-02-10a.xml"
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as archive:
        archive.write(SAMPLE, "nested/CONTRIBUTION_622898.txt")
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as archive:
        archive.add(xml, "wh/westminster.xml")
    summary = import_paths(engine, [tmp_path / "bundle.zip", tmp_path / "bundle.tar.gz"])
    assert summary.ok, summary.errors
    assert summary.new == 1 + len(list(parse_twfy_file(xml.read_bytes(), xml.name)))
    with engine.connect() as conn:
        sources = {row[0] for row in conn.execute(text("SELECT DISTINCT source FROM contribution"))}
    assert f"{tmp_path / 'bundle.zip'}!nested/CONTRIBUTION_622898.txt" in sources


def test_damaged_archive_is_reported(sqlite_engine: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "input"
    tmp_path.mkdir()
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("a.txt")
        data = SAMPLE.read_bytes()
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    (tmp_path / "cut.tar.gz").write_bytes(buffer.getvalue()[:200])
    summary = import_paths(sqlite_engine, [tmp_path])
    assert summary.failed == 2
    assert all(":0: " in error for error in summary.errors)


def test_import_runs_are_recorded(sqlite_engine: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "input"
    tmp_path.mkdir()
    (tmp_path / "bad.txt").write_text("nothing here\n", encoding="utf-8")
    shutil.copy(SAMPLE, tmp_path / "good.txt")
    summary = import_paths(sqlite_engine, [tmp_path], requested_by="tester")
    from sqlmodel import Session, select

    with Session(sqlite_engine) as session:
        run = session.exec(select(ImportRun).where(ImportRun.id == summary.run_id)).one()
    assert (run.new, run.failed, run.files_done, run.requested_by) == (1, 1, 2, "tester")
    assert run.status == "completed_with_errors"
    assert run.errors == summary.errors
    assert run.finished_at is not None and run.finished_at >= run.started_at


def test_cli_import_and_show_json_match_the_parsed_record(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    result = runner.invoke(cli, ["--database-url", url, "import", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output

    shown = runner.invoke(cli, ["--database-url", url, "show", "622898", "--json"])
    assert shown.exit_code == 0, shown.output
    stored = json.loads(shown.output)
    parsed = parse_contribution(SAMPLE.read_text(encoding="utf-8"), SAMPLE.name)
    assert stored["uri"] == parsed.uri
    assert stored["member"] == parsed.member == "Tim Loughton"
    assert stored["party"] == "Conservative"
    assert stored["sitting_date"] == "2010-02-23"
    assert stored["index_timestamp"] == "2024-12-30T18:03:24+00:00"
    assert stored["paragraphs"] == list(parsed.paragraphs)
    assert stored["references"][0]["volume"] == 506
    assert stored["references"][0]["end_column"] == 186


def test_cli_import_exits_non_zero_on_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Proceeding contribution from\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--database-url", f"sqlite:///{tmp_path / 'x.db'}", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:" in result.output


def test_long_free_text_fields_are_stored_on_both_back_ends(engine: Engine, tmp_path: Path) -> None:
    # Headings have no reliable length limit in the sources (a TWFY written-answer heading runs
    # past 500 characters); such a file must import, not fail its batch on PostgreSQL.
    source = TWFY / "westminhall" / "westminster2010-02-10a.xml"
    data = source.read_bytes()
    cut = data.index(b"</minor-heading>")
    long_heading = b" Local Transport Plans" * 40
    (tmp_path / "long.xml").write_bytes(data[:cut] + long_heading + data[cut:])
    summary = import_paths(engine, [tmp_path / "long.xml"])
    assert summary.ok, summary.errors
    with engine.connect() as conn:
        longest = conn.execute(text("SELECT max(length(title)) FROM contribution")).scalar_one()
    assert longest > 800


def test_content_hash_is_the_sha256_of_the_length_prefixed_values() -> None:
    # Stored hashes outlive the code that made them: a different definition would make
    # the next re-import of an unchanged store report and rewrite every row as updated.
    values = ("a", None, 12, dt.date(2010, 2, 23), dt.datetime(2010, 2, 23, 16, 2, 7, tzinfo=dt.UTC), "Yarl’s Wood")
    written = "1:a-2:1210:2010-02-2325:2010-02-23 16:02:07+00:0011:Yarl’s Wood"
    assert rows.content_hash(values) == hashlib.sha256(written.encode("utf-8")).hexdigest()


def test_content_hash_sees_every_stored_field_and_nothing_else() -> None:
    # The hash decides between "updated" and "unchanged": a change to any stored
    # field must change it, and where the file came from, or which database, must not.
    record = parse_contribution(SAMPLE.read_text(encoding="utf-8"), SAMPLE.name)
    packed = rows.pack(record, "a.txt", "sqlite")
    assert len(packed) == len(rows.PackedRow._fields) and packed.uri == record.uri
    digest = packed.content_hash
    assert rows.pack(record, "elsewhere/b.txt", "postgresql").content_hash == digest
    changes: dict[str, Any] = {
        "uri": record.uri + "x",
        "contribution_id": (record.contribution_id or 0) + 1,
        "title": record.title + "x",
        "member": "Someone Else",
        "party": "Independent",
        "houses": ("House of Lords",),
        "sitting_date": dt.date(2001, 1, 1),
        "debate_types": ("Westminster Hall",),
        "debate_title": "Other debate",
        "contribution_type": "Question",
        "references": record.references[:-1],
        "session": "1999-00",
        "chamber": "Grand Committee",
        "subjects": ("Housing",),
        "index_timestamp": dt.datetime(2001, 1, 1, tzinfo=dt.UTC),
        "paragraphs": (*record.paragraphs[:-1], record.paragraphs[-1] + " More."),
        "extra": {"note": "x"},
    }
    stored_fields = {f.name for f in dataclasses.fields(record)} - {"member_ref"}
    assert set(changes) == stored_fields
    for name, value in changes.items():
        assert getattr(record, name) != value, name
        changed = dataclasses.replace(record, **{name: value})
        assert rows.pack(changed, "a.txt", "sqlite").content_hash != digest, name
