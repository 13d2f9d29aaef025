"""cheaper bulk writes: full-text merge policy, no party index

- SQLite: FTS5 stops merging its index segments a little at every write
  (automerge 0). Segments are still merged 16 at a time whenever 16 pile up
  on one level (crisismerge, default 16), so a search reads about as many
  segments as before, but each indexed word is rewritten about half as often:
  about a fifth less importer CPU at 600,000 rows (bench/README.md).
- The index on contribution.party goes on both back ends: the party filter
  compares lower(party), which that index cannot serve, and nothing else reads it.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# FTS5's own default, which downgrade puts back.
DEFAULT_AUTOMERGE = 4


def _set_automerge(value: int) -> None:
    # A special INSERT that FTS5 keeps in contribution_fts_config: it outlives the connection.
    op.execute(f"INSERT INTO contribution_fts(contribution_fts, rank) VALUES ('automerge', {int(value)})")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _set_automerge(0)
    op.execute("DROP INDEX IF EXISTS ix_contribution_party")


def downgrade() -> None:
    op.create_index("ix_contribution_party", "contribution", ["party"])
    if op.get_bind().dialect.name == "sqlite":
        _set_automerge(DEFAULT_AUTOMERGE)
