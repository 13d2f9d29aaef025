"""lighter contribution rows for faster imports

- The paragraphs are no longer stored twice: the text column holds them joined
  by blank lines, and `Contribution.paragraphs` splits it.
- The indexes on import_run_id and imported_at go: no query uses them, and each
  index costs every imported row.
- SQLite: the importer adds new rows to the full-text index itself, one
  statement per batch, so the insert trigger goes (it indexed row by row). The
  update and delete triggers stay.

Revision ID: 0004
Revises: 0003
"""

import json
import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_INSERT_TRIGGER = """CREATE TRIGGER contribution_fts_insert AFTER INSERT ON contribution BEGIN
    INSERT INTO contribution_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END"""


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # DROP COLUMN came in 3.35.0 and could damage tables with an INTEGER PRIMARY KEY until 3.35.5.
    if sqlite and sqlite3.sqlite_version_info < (3, 35, 5):
        raise RuntimeError(
            f"SQLite {sqlite3.sqlite_version} is too old: hansard-bot needs 3.35.5 or newer "
            "(Python 3.11 from python.org has it; or set DATABASE_URL to PostgreSQL)"
        )
    # pysqlite commits each DDL statement on its own, so an upgrade stopped half-way must
    # be able to run again: every step checks whether it is still to do.
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS contribution_fts_insert")
    op.execute("DROP INDEX IF EXISTS ix_contribution_import_run_id")
    op.execute("DROP INDEX IF EXISTS ix_contribution_imported_at")
    if "paragraphs" in {column["name"] for column in sa.inspect(bind).get_columns("contribution")}:
        # Plain ALTER TABLE on SQLite too: a batch (copy-and-move) rebuild would lose the triggers.
        op.execute("ALTER TABLE contribution DROP COLUMN paragraphs")


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("ALTER TABLE contribution ADD COLUMN paragraphs JSON")
    contribution = sa.table("contribution", sa.column("id", sa.Integer), sa.column("text", sa.Text))
    update = sa.text("UPDATE contribution SET paragraphs = :paragraphs WHERE id = :id")
    last_id = 0
    while True:  # a page of rows at a time: the texts of a big store do not fit in memory
        rows = bind.execute(
            sa.select(contribution.c.id, contribution.c.text)
            .where(contribution.c.id > last_id)
            .order_by(contribution.c.id)
            .limit(10_000)
        ).all()
        if not rows:
            break
        bind.execute(update, [{"id": row_id, "paragraphs": json.dumps(text.split("\n\n"))} for row_id, text in rows])
        last_id = rows[-1][0]
    if bind.dialect.name == "postgresql":  # SQLite cannot add NOT NULL to an existing column
        op.execute("ALTER TABLE contribution ALTER COLUMN paragraphs SET NOT NULL")
    op.create_index("ix_contribution_imported_at", "contribution", ["imported_at"])
    op.create_index("ix_contribution_import_run_id", "contribution", ["import_run_id"])
    if bind.dialect.name == "sqlite":
        op.execute(SQLITE_INSERT_TRIGGER)
