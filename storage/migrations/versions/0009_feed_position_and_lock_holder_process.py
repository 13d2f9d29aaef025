"""feed positions, and the import lock holder's host and pid

- feed_position: how far each followed TheyWorkForYou mirror's changedates.txt
  has been imported, so the next run fetches only what was published since.
- import_lock.host and .pid: where the holder runs, so that a holder on this
  host whose process is gone can be taken over at once, not after the heartbeat
  goes stale.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_position",
        sa.Column("location", sa.String(length=1000), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("published", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("location"),
    )
    with op.batch_alter_table("import_lock") as batch:
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_lock") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
    op.drop_table("feed_position")
