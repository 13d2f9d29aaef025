"""TheyWorkForYou re-issued days: the version each day holds, and redirects of superseded ids

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "twfy_day_version",
        sa.Column("series", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("series", "day"),
        if_not_exists=True,
    )
    op.create_table(
        "twfy_redirect",
        sa.Column("old_gid", sa.String(length=200), nullable=False),
        sa.Column("new_gid", sa.String(length=200), nullable=False),
        sa.Column("matchtype", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("old_gid"),
        if_not_exists=True,
    )
    op.create_index("ix_twfy_redirect_new_gid", "twfy_redirect", ["new_gid"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_twfy_redirect_new_gid", table_name="twfy_redirect", if_exists=True)
    op.drop_table("twfy_redirect", if_exists=True)
    op.drop_table("twfy_day_version", if_exists=True)
