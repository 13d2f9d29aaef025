"""Migration 0007 (divisions) goes down to 0005 and up again, and the import fills it again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from storage.db import alembic_config, migrate
from storage.importer import import_paths
from storage.votes_store import find_divisions
from tests.conftest import DATA
from tests.storage.test_migrations import own_store

__all__ = ["own_store"]  # the fixture, shared with the other migration tests


def test_0007_down_and_up(own_store: Engine) -> None:
    migrate(own_store)
    day = DATA / "hansard_twfy_xml_2010" / "debates" / "debates2010-02-10a.xml"
    import_paths(own_store, [day])
    assert [d.number for d in find_divisions(own_store)] == [81, 80]

    command.downgrade(alembic_config(own_store), "0005")
    assert not {"division", "division_vote"} & set(inspect(own_store).get_table_names())

    migrate(own_store)
    assert find_divisions(own_store) == []
    import_paths(own_store, [day])
    assert [d.number for d in find_divisions(own_store)] == [81, 80]
