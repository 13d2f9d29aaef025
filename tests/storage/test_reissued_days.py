"""TheyWorkForYou re-issues days: whatever order versions arrive in, the store holds the latest, once.

Replays TheyWorkForYou's own fixtures (four days in ten versions) in the order their
changedates.txt says they were published, as a mirror folder would have them at each
step, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from storage.db import make_engine, migrate
from storage.digests import newest_contribution_id
from storage.importer import import_paths
from storage.store import find_contribution
from storage.twfy import twfy_uri
from tests.conftest import DATA
from tests.storage.test_importer import fts_consistent, hits_for
from tests.storage.twfy_history import full_versions, published_order, version_of

UML_DEBATES = DATA / "twfy_uml_2009" / "scrapedxml" / "debates"
FEB_2010 = DATA / "hansard_twfy_xml_2010"
FEB_2010_STUBS = DATA / "hansard_twfy_xml_2010_superseded"


def contributions(engine: Engine) -> list[tuple[Any, ...]]:
    """What the store holds, whatever folder it came from: every stored field but the source and ids."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.uri, c.content_hash, c.title, c.text, m.name, d.title FROM contribution c "
                "LEFT JOIN member m ON m.id = c.member_id LEFT JOIN debate d ON d.id = c.debate_id ORDER BY c.uri"
            )
        )
        return [tuple(row) for row in rows]


def ids_by_uri(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {uri: row_id for uri, row_id in conn.execute(text("SELECT uri, id FROM contribution"))}


def redirects(folder: Path) -> list[tuple[str, str, str]]:
    import xml.etree.ElementTree as ET

    found = []
    for path in sorted(folder.glob("*.xml")):
        root = ET.parse(path).getroot()
        found.extend(
            (r.get("oldgid", ""), r.get("newgid", ""), r.get("matchtype", "")) for r in root.iter("gidredirect")
        )
    return found


def test_replaying_the_published_chronology_converges_to_the_latest_versions(engine: Engine, tmp_path: Path) -> None:
    versions = full_versions(UML_DEBATES)
    mirror = tmp_path / "debates"
    mirror.mkdir()
    in_mirror: dict[str, str] = {}  # day -> the full version's file name
    first_ids: dict[str, int] = {}  # uri -> the row id it got when first stored
    for step in published_order(UML_DEBATES):
        before = ids_by_uri(engine)
        previous = in_mirror.get(step.day)
        if previous is not None:
            shutil.copy(UML_DEBATES / previous, mirror / previous)  # the older version, now its real stub
        (mirror / step.name).write_bytes(versions[step.name])
        in_mirror[step.day] = step.name

        summary = import_paths(engine, [mirror])
        assert summary.ok, summary.errors
        # Each day holds exactly its newest version's contributions: nothing twice.
        stored = ids_by_uri(engine)
        expected = {uri for name in in_mirror.values() for uri in uris_in(versions[name])}
        assert set(stored) == expected, step.name
        # A re-issued contribution stays in its row: an id never moves to a later one.
        for uri, row_id in stored.items():
            first_ids.setdefault(uri, row_id)
        assert all(stored[uri] == row_id for uri, row_id in before.items() if uri in stored)
        if previous is not None:
            kept = [uri for uri in stored if uri not in before and stored[uri] in before.values()]
            assert kept, f"{step.name}: no contribution of {previous} was carried over in place"

    assert fts_consistent(engine)
    fresh_folder = tmp_path / "latest"
    fresh_folder.mkdir()
    for name in in_mirror.values():
        shutil.copy(UML_DEBATES / name, fresh_folder / name)
    fresh_store = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh_store)
    fresh = import_paths(fresh_store, [fresh_folder])
    assert fresh.ok and fresh.new == 1787
    assert contributions(engine) == contributions(fresh_store)
    fresh_store.dispose()
    # The search index follows: each speech is found once, with its latest address.
    hits = hits_for(engine, "parades commission")
    assert hits and len(hits) == len(set(hits)) and all(version_of_uri(uri) in "bcd" for uri in hits)

    # Every old address leads to the contribution as it stands now.
    current = ids_by_uri(engine)
    for old_gid, _new_gid, matchtype in redirects(UML_DEBATES):
        old_uri = twfy_uri(old_gid)
        assert old_uri is not None
        found = find_contribution(engine, old_uri)
        if matchtype == "removed" or old_uri not in first_ids:
            continue  # removed, or a heading (not a contribution)
        assert found is not None and found.uri in current, old_uri
        assert found.id == first_ids[old_uri], old_uri  # the same row, re-issued


def uris_in(data: bytes) -> set[str]:
    from storage.twfy import parse_twfy_file

    return {record.uri for record in parse_twfy_file(data, "x")}


def version_of_uri(uri: str) -> str:
    return uri.split("?id=", 1)[1][10]


def test_older_versions_arriving_late_never_overwrite_newer_ones(engine: Engine, tmp_path: Path) -> None:
    versions = full_versions(UML_DEBATES)
    latest = tmp_path / "latest"
    latest.mkdir()
    (latest / "debates2009-10-27d.xml").write_bytes(versions["debates2009-10-27d.xml"])
    assert import_paths(engine, [latest]).new == 345
    before = contributions(engine)

    late = tmp_path / "late"
    late.mkdir()
    for name in ("debates2009-10-27a.xml", "debates2009-10-27b.xml", "debates2009-10-27c.xml"):
        (late / name).write_bytes(versions[name])  # full files, as they were when published
    summary = import_paths(engine, [late])
    assert summary.ok and summary.new == summary.updated == summary.removed == 0
    assert summary.superseded > 0
    assert contributions(engine) == before

    # Their stubs arrive too: nothing changes but the old addresses now resolve.
    for name in ("debates2009-10-27a.xml", "debates2009-10-27b.xml", "debates2009-10-27c.xml"):
        shutil.copy(UML_DEBATES / name, late / name)
    summary = import_paths(engine, [late])
    assert summary.ok and (summary.new, summary.updated, summary.removed) == (0, 0, 0)
    assert contributions(engine) == before
    found = find_contribution(engine, "https://www.theyworkforyou.com/debates/?id=2009-10-27a.225.1")
    assert found is not None and found.uri == "https://www.theyworkforyou.com/debates/?id=2009-10-27d.225.1"


def test_a_newer_version_without_its_stub_replaces_the_older_in_place(engine: Engine, tmp_path: Path) -> None:
    # A mirror may deliver 8 Feb 2010's b version before (or without) rewriting a as a stub.
    versions = full_versions(feb_2010_day_with_its_stub(tmp_path))
    folder = tmp_path / "step"
    folder.mkdir()
    (folder / "debates2010-02-08a.xml").write_bytes(versions["debates2010-02-08a.xml"])
    first = import_paths(engine, [folder])
    assert first.ok and first.new == 380
    ids_before = sorted(ids_by_uri(engine).values())

    (folder / "debates2010-02-08b.xml").write_bytes(versions["debates2010-02-08b.xml"])
    second = import_paths(engine, [folder])
    assert second.ok, second.errors
    stored = ids_by_uri(engine)
    assert len(stored) == 380 and all("2010-02-08b." in uri for uri in stored)
    assert sorted(stored.values()) == ids_before  # the same rows, not new ones
    assert fts_consistent(engine)


def feb_2010_day_with_its_stub(tmp_path: Path) -> Path:
    """The bundled 8 Feb 2010 debates with their superseded a version's stub, in one folder."""
    folder = tmp_path / "feb2010"
    folder.mkdir(exist_ok=True)
    shutil.copy(FEB_2010 / "debates" / "debates2010-02-08b.xml", folder)
    shutil.copy(FEB_2010_STUBS / "debates2010-02-08a.xml", folder)
    return folder


def test_stubs_alone_import_nothing_and_fail_nothing(engine: Engine) -> None:
    summary = import_paths(engine, [FEB_2010_STUBS])
    assert summary.ok, summary.errors
    assert (summary.files_done, summary.new, summary.failed) == (5, 0, 0)
    assert ids_by_uri(engine) == {}


def test_the_feb_2010_stubs_with_their_latest_files_resolve_old_addresses(engine: Engine) -> None:
    summary = import_paths(engine, [FEB_2010, FEB_2010_STUBS])
    assert summary.ok, summary.errors
    latest_only = ids_by_uri(engine)
    for old_gid, new_gid, matchtype in redirects(FEB_2010_STUBS):
        new_uri = twfy_uri(new_gid)
        if matchtype == "removed" or new_uri not in latest_only:
            continue
        found = find_contribution(engine, twfy_uri(old_gid) or "")
        assert found is not None and found.uri == new_uri


@pytest.mark.parametrize("name", ["debates2009-10-27a.xml", "debates2009-10-28b.xml"])
def test_rebuilt_versions_hold_what_their_stubs_name(name: str) -> None:
    # The replay is only as good as the history it rebuilds: every non-removed item of a stub is in it.
    versions = full_versions(UML_DEBATES)
    rebuilt = versions[name].decode("utf-8")
    stub_items = [r for r in redirects_of(UML_DEBATES / name) if r[2] != "removed"]
    assert stub_items and all(f'id="{old}"' in rebuilt for old, _, _ in stub_items)
    assert version_of(name).letter in {"a", "b"}


def redirects_of(path: Path) -> list[tuple[str, str, str]]:
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    return [(r.get("oldgid", ""), r.get("newgid", ""), r.get("matchtype", "")) for r in root.iter("gidredirect")]


def test_a_mirror_folder_imports_without_failures_and_its_changedates_is_no_contribution(engine: Engine) -> None:
    series = DATA / "twfy_uml_2009" / "scrapedxml"
    summary = import_paths(engine, [series / "lordspages", series / "debates"])
    assert summary.ok, summary.errors
    assert (series / "lordspages" / "changedates.txt").is_file()
    assert summary.files_done == len(list((series / "lordspages").glob("*.xml"))) + len(list(UML_DEBATES.glob("*.xml")))


def test_a_re_issued_day_brings_nothing_new_to_digests(engine: Engine, tmp_path: Path) -> None:
    # Digests deliver contributions with ids above a subscription's watermark: a re-issue
    # updates rows in place, so the watermark taken before it covers the day still.
    folder = feb_2010_day_with_its_stub(tmp_path)
    versions = full_versions(folder)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "debates2010-02-08a.xml").write_bytes(versions["debates2010-02-08a.xml"])
    import_paths(engine, [mirror])
    watermark = newest_contribution_id(engine)
    shutil.copy(folder / "debates2010-02-08a.xml", mirror)  # now the stub
    (mirror / "debates2010-02-08b.xml").write_bytes(versions["debates2010-02-08b.xml"])
    summary = import_paths(engine, [mirror])
    assert summary.ok and summary.updated > 0 and summary.new == 0
    assert newest_contribution_id(engine) == watermark


def test_a_removed_item_is_deleted_with_its_index_entry_and_its_address_finds_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    versions = full_versions(UML_DEBATES)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "debates2009-10-27a.xml").write_bytes(versions["debates2009-10-27a.xml"])
    assert import_paths(engine, [mirror]).ok
    before = ids_by_uri(engine)
    # The real stub, with one of its contributions marked as gone from the next version.
    stub = (UML_DEBATES / "debates2009-10-27a.xml").read_bytes()
    gone = "uk.org.publicwhip/debate/2009-10-27a.225.1"
    gone_uri = twfy_uri(gone)
    assert gone_uri in before
    marked = stub.replace(
        f'oldgid="{gone}" newgid="uk.org.publicwhip/debate/2009-10-27b.225.1" matchtype="changes"'.encode(),
        f'oldgid="{gone}" newgid="" matchtype="removed"'.encode(),
    )
    assert marked != stub
    (mirror / "debates2009-10-27a.xml").write_bytes(marked)
    summary = import_paths(engine, [mirror])
    assert summary.ok and summary.removed == 1
    assert set(ids_by_uri(engine)) == set(before) - {gone_uri}
    assert find_contribution(engine, gone_uri or "") is None
    assert fts_consistent(engine)
