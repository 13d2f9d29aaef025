"""trend covering index (SQLite)

An index on contribution (id, sitting_date, house, party, member_id), SQLite only. Trends and
"who spoke most" group the full-text matches by period, House, party or Member: found by
id in this index, a match costs a look at a small index entry instead of its whole row
(a few kB of text). For a word in a third of 1M contributions, 0.68 -> 0.27 s for the
grouped count (bench/README.md). PostgreSQL reads the matches from the heap in any case
(the tsvector is there), so the index would only cost its imports.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_contribution_id_period"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON contribution (id, sitting_date, house, party, member_id)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
