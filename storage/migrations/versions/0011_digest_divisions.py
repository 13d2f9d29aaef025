"""digest divisions: a subscription's watermark on divisions, and each delivery's range of them

A digest also reports the divisions since its last delivery (on its Bill, or matching its
keywords), exactly once, as it does contributions: division ids in
(division_watermark_from, division_watermark_to] belong to one delivery. Subscriptions
that exist already start from the newest division, as a new subscription does.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscription") as table:
        table.add_column(sa.Column("division_watermark_id", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("delivery") as table:
        table.add_column(sa.Column("division_watermark_from", sa.BigInteger(), nullable=False, server_default="0"))
        table.add_column(sa.Column("division_watermark_to", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("UPDATE subscription SET division_watermark_id = (SELECT COALESCE(MAX(id), 0) FROM division)")


def downgrade() -> None:
    with op.batch_alter_table("delivery") as table:
        table.drop_column("division_watermark_to")
        table.drop_column("division_watermark_from")
    with op.batch_alter_table("subscription") as table:
        table.drop_column("division_watermark_id")
