"""listing indexes in id order

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("launch_plans", schema=None) as batch_op:
        batch_op.create_index("ix_launch_plans_by_id", ["project", "domain", "id"], unique=False)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_by_id", ["project", "domain", "id"], unique=False)

    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.create_index("ix_workflows_by_id", ["project", "domain", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.drop_index("ix_workflows_by_id")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_by_id")

    with op.batch_alter_table("launch_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_launch_plans_by_id")
