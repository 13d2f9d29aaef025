"""divisions and their votes

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "division",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house", sa.String(length=64), nullable=False),
        sa.Column("division_date", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("gid", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=8), nullable=False),
        sa.Column("from_extract", sa.Boolean(), nullable=False),
        sa.Column("colnum", sa.String(length=16), nullable=True),
        sa.Column("time", sa.String(length=8), nullable=True),
        sa.Column("hansard_url", sa.Text(), nullable=True),
        sa.Column("ayes", sa.Integer(), nullable=False),
        sa.Column("noes", sa.Integer(), nullable=False),
        sa.Column("teller_ayes", sa.Integer(), nullable=True),
        sa.Column("teller_noes", sa.Integer(), nullable=True),
        sa.Column("debate_id", sa.Integer(), nullable=True),
        sa.Column("debate_title", sa.Text(), nullable=True),
        sa.Column("bill_title", sa.Text(), nullable=True),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("motion", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["debate_id"], ["debate.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("house", "division_date", "number", name="uq_division_house_date_number"),
    )
    op.create_index("ix_division_date", "division", ["division_date"])
    op.create_table(
        "division_vote",
        sa.Column("division_id", sa.Integer(), nullable=False),
        sa.Column("voter_ref", sa.String(length=300), nullable=False),
        sa.Column("vote", sa.String(length=16), nullable=False),
        sa.Column("person_ref", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("party", sa.String(length=128), nullable=True),
        sa.Column("teller", sa.Boolean(), nullable=False),
        sa.Column("proxy", sa.String(length=300), nullable=True),
        sa.Column("against_party", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["division_id"], ["division.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("division_id", "voter_ref", "vote"),
    )
    op.create_index(
        "ix_division_vote_person",
        "division_vote",
        ["person_ref", "division_id", "vote", "teller", "against_party", "proxy"],
    )


def downgrade() -> None:
    op.drop_index("ix_division_vote_person", table_name="division_vote")
    op.drop_table("division_vote")
    op.drop_index("ix_division_date", table_name="division")
    op.drop_table("division")
