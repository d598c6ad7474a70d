"""engine heartbeats: an execution belongs to its engine for as long as that engine is alive

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engines",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Leases held by the engines that ran before this revision were per round: none outlives the upgrade.
    op.execute("UPDATE engine_workflows SET lease_owner = ''")
    with op.batch_alter_table("engine_workflows", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")


def downgrade() -> None:
    with op.batch_alter_table("engine_workflows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_expires_at", sa.DateTime(), nullable=True))
    op.drop_table("engines")
