"""cheaper bulk writes: full-text merge policy, no party index

- SQLite: FTS5 stops merging its index segments a little at every write
  (automerge 0). Segments are still merged 16 at a time whenever 16 pile up
  on one level (crisismerge, default 16), so a search reads about as many
  segments as before, but each indexed word is rewritten about half as often:
  about a fifth less importer CPU at 600,000 rows (bench/README.md).
- SQLite: FTS5 gathers up to 8 MB of new index entries in memory before it
  writes them out as a segment (hashsize; 1 MB by default): fewer, bigger
  segments to merge, about a sixth less CPU per indexed document.
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

# FTS5 settings: this revision's, and FTS5's own defaults, which downgrade puts back.
FTS_SETTINGS = {"automerge": 0, "hashsize": 8 << 20}
FTS_DEFAULTS = {"automerge": 4, "hashsize": 1 << 20}


def _set_fts(settings: dict[str, int]) -> None:
    for name, value in settings.items():
        # A special INSERT that FTS5 keeps in contribution_fts_config: it outlives the connection.
        op.execute(f"INSERT INTO contribution_fts(contribution_fts, rank) VALUES ('{name}', {int(value)})")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _set_fts(FTS_SETTINGS)
    op.execute("DROP INDEX IF EXISTS ix_contribution_party")


def downgrade() -> None:
    op.create_index("ix_contribution_party", "contribution", ["party"])
    if op.get_bind().dialect.name == "sqlite":
        _set_fts(FTS_DEFAULTS)
