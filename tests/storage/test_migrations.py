"""Schema migrations keep stored data: down to the previous revision and back up again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from storage.db import alembic_config, make_engine, migrate
from storage.importer import import_paths
from storage.query import parse_query
from storage.search import search
from storage.store import find_contribution, record_dict
from tests.conftest import DATA

SAMPLE_DIR = DATA / "samples"
SAMPLE_URI = "http://data.parliament.uk/pimsdata/hansard/CONTRIBUTION_622898"


@pytest.fixture(params=["sqlite", "postgresql"])
def own_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A store of its own (not the shared test database): these tests change its schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    server_url = request.getfixturevalue("postgres_server_url")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"{admin.url.database}_migrations"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_paragraphs_survive_a_downgrade_and_upgrade_of_0004(own_store: Engine) -> None:
    migrate(own_store)
    assert import_paths(own_store, [SAMPLE_DIR]).new == 1
    stored = find_contribution(own_store, SAMPLE_URI)
    assert stored is not None
    before = record_dict(stored)

    command.downgrade(alembic_config(own_store), "0003")
    columns = {column["name"] for column in inspect(own_store).get_columns("contribution")}
    assert "paragraphs" in columns
    with own_store.connect() as conn:
        paragraphs = conn.execute(text("SELECT paragraphs FROM contribution")).scalar_one()
    if isinstance(paragraphs, str):  # SQLite hands JSON back as text
        paragraphs = json.loads(paragraphs)
    assert paragraphs == before["paragraphs"]

    migrate(own_store)
    stored = find_contribution(own_store, SAMPLE_URI)
    assert stored is not None and record_dict(stored) == before
    assert [hit.contribution.uri for hit in search(own_store, parse_query("tabloid")).hits] == [SAMPLE_URI]


def test_upgrade_to_0004_stopped_half_way_runs_again(own_store: Engine) -> None:
    # SQLite commits each DDL statement on its own: an upgrade killed after some of
    # them must complete when run again, not fail on what is already done.
    command.upgrade(alembic_config(own_store), "0003")
    with own_store.begin() as conn:
        conn.execute(text("DROP INDEX ix_contribution_import_run_id"))
        if own_store.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER contribution_fts_insert"))
    migrate(own_store)
    columns = {column["name"] for column in inspect(own_store).get_columns("contribution")}
    indexes = {index["name"] for index in inspect(own_store).get_indexes("contribution")}
    assert "paragraphs" not in columns
    assert not indexes & {"ix_contribution_import_run_id", "ix_contribution_imported_at"}


def _fts_settings(engine: Engine) -> dict[str, int]:
    """FTS5's merge settings as stored (one never set is FTS5's default)."""
    with engine.connect() as conn:
        stored = {row[0]: row[1] for row in conn.execute(text("SELECT k, v FROM contribution_fts_config"))}
    return {name: int(stored.get(name, default)) for name, default in (("automerge", 4), ("hashsize", 1 << 20))}


def test_0005_drops_the_party_index_and_sets_full_text_merging_and_downgrade_restores_them(own_store: Engine) -> None:
    migrate(own_store)
    assert import_paths(own_store, [SAMPLE_DIR]).new == 1
    sqlite = own_store.dialect.name == "sqlite"

    def indexes() -> set[str]:
        return {str(index["name"]) for index in inspect(own_store).get_indexes("contribution")}

    assert "ix_contribution_party" not in indexes()
    if sqlite:
        assert _fts_settings(own_store) == {"automerge": 0, "hashsize": 8 << 20}

    command.downgrade(alembic_config(own_store), "0004")
    assert "ix_contribution_party" in indexes()
    if sqlite:
        assert _fts_settings(own_store) == {"automerge": 4, "hashsize": 1 << 20}

    migrate(own_store)
    assert "ix_contribution_party" not in indexes()
    if sqlite:
        assert _fts_settings(own_store) == {"automerge": 0, "hashsize": 8 << 20}
    assert [hit.contribution.uri for hit in search(own_store, parse_query("tabloid")).hits] == [SAMPLE_URI]


def test_0009_adds_feed_positions_and_the_lock_holders_process_and_downgrade_removes_them(own_store: Engine) -> None:
    migrate(own_store)
    assert import_paths(own_store, [SAMPLE_DIR]).new == 1
    assert "feed_position" in inspect(own_store).get_table_names()
    assert {"host", "pid"} <= {column["name"] for column in inspect(own_store).get_columns("import_lock")}

    command.downgrade(alembic_config(own_store), "0005")
    assert "feed_position" not in inspect(own_store).get_table_names()
    assert not {"host", "pid"} & {column["name"] for column in inspect(own_store).get_columns("import_lock")}
    with own_store.connect() as conn:  # the lock's single row survives
        assert conn.execute(text("SELECT count(*) FROM import_lock")).scalar_one() == 1

    migrate(own_store)
    with own_store.begin() as conn:
        conn.execute(text("UPDATE import_lock SET host = 'here', pid = 12 WHERE id = 1"))
        conn.execute(
            text(
                "INSERT INTO feed_position (location, line, published, file_name, updated_at) "
                "VALUES ('/srv/debates/changedates.txt', 3, 1256804436, 'debates2009-10-28a.xml', CURRENT_TIMESTAMP)"
            )
        )
    assert [hit.contribution.uri for hit in search(own_store, parse_query("tabloid")).hits] == [SAMPLE_URI]


def test_0008_adds_personal_alerts_and_downgrade_keeps_the_subscriptions(own_store: Engine) -> None:
    migrate(own_store)
    columns = {column["name"] for column in inspect(own_store).get_columns("subscription")}
    assert {"user_id", "pause_told"} <= columns
    with own_store.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO subscription (guild_id, channel_id, created_by, frequency, time_of_day, timezone, "
                "filters_key, watermark_id, paused, consecutive_failures, created_at) VALUES "
                "(1, 2, 3, 'daily', '08:00', 'Europe/London', 'k', 0, false, 0, CURRENT_TIMESTAMP)"
            )
        )
    with own_store.connect() as conn:
        assert conn.execute(text("SELECT user_id, pause_told FROM subscription")).one() == (None, False)

    command.downgrade(alembic_config(own_store), "0005")
    assert not {"user_id", "pause_told"} & {c["name"] for c in inspect(own_store).get_columns("subscription")}
    with own_store.connect() as conn:
        assert conn.execute(text("SELECT channel_id FROM subscription")).scalar_one() == 2
    migrate(own_store)
    with own_store.connect() as conn:
        assert conn.execute(text("SELECT channel_id, user_id FROM subscription")).one() == (2, None)


def test_0006_adds_the_twfy_version_tables_and_downgrade_keeps_the_contributions(own_store: Engine) -> None:
    stubs = DATA / "hansard_twfy_xml_2010_superseded" / "debates2010-02-08a.xml"
    latest = DATA / "hansard_twfy_xml_2010" / "debates" / "debates2010-02-08b.xml"
    migrate(own_store)
    assert import_paths(own_store, [stubs, latest]).new == 380
    old_address = "https://www.theyworkforyou.com/debates/?id=2010-02-08a.603.4"
    found = find_contribution(own_store, old_address)
    assert found is not None and found.uri.endswith("2010-02-08b.603.4")

    command.downgrade(alembic_config(own_store), "0005")
    assert not {"twfy_redirect", "twfy_day_version"} & set(inspect(own_store).get_table_names())
    with own_store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM contribution")).scalar_one() == 380

    migrate(own_store)
    assert {"twfy_redirect", "twfy_day_version"} <= set(inspect(own_store).get_table_names())
    # The redirects come back with the next import of the stub.
    assert find_contribution(own_store, old_address) is None
    assert import_paths(own_store, [stubs, latest]).unchanged == 380
    found = find_contribution(own_store, old_address)
    assert found is not None and found.uri.endswith("2010-02-08b.603.4")


def test_0010_adds_the_trend_index_on_sqlite_and_trends_use_it(own_store: Engine) -> None:
    from storage.insight import ID_PERIOD_INDEX, Granularity, period_counts
    from storage.search import SearchFilters

    migrate(own_store)
    assert import_paths(own_store, [SAMPLE_DIR]).new == 1
    sqlite = own_store.dialect.name == "sqlite"

    def indexes() -> set[str]:
        return {str(index["name"]) for index in inspect(own_store).get_indexes("contribution")}

    assert (ID_PERIOD_INDEX in indexes()) is sqlite
    counted = period_counts(own_store, parse_query("tabloid"), SearchFilters(party="Conservative"), Granularity.YEAR)
    assert [(row.period, row.count) for row in counted] == [("2010", 1)]
    command.downgrade(alembic_config(own_store), "0005")
    assert ID_PERIOD_INDEX not in indexes()
    migrate(own_store)
    assert (ID_PERIOD_INDEX in indexes()) is sqlite


def test_0012_indexes_the_announced_offices_and_their_lookup_uses_that_index(own_store: Engine) -> None:
    import datetime as dt

    from storage.people import office_holdings, speaker_office

    migrate(own_store)
    day = DATA / "hansard_twfy_xml_2010" / "debates"
    assert import_paths(own_store, [sorted(day.glob("*.xml"))[0]]).ok
    index = "ix_contribution_speaker_office"

    def has_index() -> bool:
        # Not through the inspector: SQLAlchemy does not reflect an index on an expression.
        catalogue = (
            "sqlite_master WHERE type = 'index' AND" if own_store.dialect.name == "sqlite" else "pg_indexes WHERE"
        )
        column = "name" if own_store.dialect.name == "sqlite" else "indexname"
        with own_store.connect() as conn:
            return bool(
                conn.execute(text(f"SELECT count(*) FROM {catalogue} {column} = :n"), {"n": index}).scalar_one()
            )

    assert has_index()
    held = office_holdings(own_store, None, dt.date(2010, 1, 1), dt.date(2010, 12, 31))
    assert any(h.office.startswith("The Minister") for h in held)
    with own_store.connect() as conn:
        office = speaker_office(own_store.dialect.name)
        announced = conn.execute(
            text(f"SELECT count(*) FROM contribution WHERE {office} IS NOT NULL AND member_id IS NOT NULL")
        ).scalar_one()
        assert sum(h.times for h in held) == announced > 0
        if own_store.dialect.name == "sqlite":
            # Through the partial index: only rows that carry an office are read, not every row of the dates.
            plan = " ".join(
                str(row[-1])
                for row in conn.execute(
                    text(
                        f"EXPLAIN QUERY PLAN SELECT member_id, {office}, count(*) FROM contribution "
                        f"WHERE sitting_date >= '2010-01-01' AND member_id IS NOT NULL AND {office} IS NOT NULL "
                        f"GROUP BY member_id, {office}"
                    )
                )
            )
            assert f"INDEX {index}" in plan, plan
    command.downgrade(alembic_config(own_store), "0011")
    assert not has_index()
    assert office_holdings(own_store, None, dt.date(2010, 1, 1), dt.date(2010, 12, 31)) == held
