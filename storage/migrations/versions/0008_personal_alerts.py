"""personal alerts: a subscription may belong to one user and be delivered to their DMs

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscription") as table:
        # Set for a personal alert: the user whose DMs it goes to (channel_id is that DM channel).
        table.add_column(sa.Column("user_id", sa.BigInteger(), nullable=True))
        # Whether the user has been told why their alert was paused.
        table.add_column(sa.Column("pause_told", sa.Boolean(), nullable=False, server_default=sa.false()))
        table.create_index("ix_subscription_user_id", ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("subscription") as table:
        table.drop_index("ix_subscription_user_id")
        table.drop_column("pause_told")
        table.drop_column("user_id")
