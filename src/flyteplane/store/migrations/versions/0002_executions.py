"""executions, node and task executions, signals, engine state

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "node_executions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("execution_project", sa.String(length=255), nullable=False),
        sa.Column("execution_domain", sa.String(length=255), nullable=False),
        sa.Column("execution_name", sa.String(length=255), nullable=False),
        sa.Column("node_id", sa.String(length=255), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("input_uri", sa.Text(), nullable=False),
        sa.Column("closure", sa.LargeBinary(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("node_execution_created_at", sa.DateTime(), nullable=False),
        sa.Column("node_execution_updated_at", sa.DateTime(), nullable=False),
        sa.Column("duration", sa.BigInteger(), nullable=False),
        sa.Column("node_execution_metadata", sa.LargeBinary(), nullable=False),
        sa.Column("parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("parent_task_execution_id", sa.BigInteger(), nullable=True),
        sa.Column("error_kind", sa.String(length=32), nullable=False),
        sa.Column("error_code", sa.String(length=255), nullable=False),
        sa.Column("cache_status", sa.String(length=32), nullable=False),
        sa.Column("dynamic_workflow_remote_closure_reference", sa.Text(), nullable=False),
        sa.Column("internal_data", sa.LargeBinary(), nullable=False),
        sa.Column("is_parent", sa.Boolean(), nullable=False),
        sa.Column("is_dynamic", sa.Boolean(), nullable=False),
        sa.Column("is_array", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["node_executions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "execution_project", "execution_domain", "execution_name", "node_id", name="uq_node_executions_identity"
        ),
    )
    with op.batch_alter_table("node_executions", schema=None) as batch_op:
        batch_op.create_index("ix_node_executions_parent", ["parent_id"], unique=False)
        batch_op.create_index("ix_node_executions_parent_task", ["parent_task_execution_id"], unique=False)

    op.create_table(
        "signals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("execution_project", sa.String(length=255), nullable=False),
        sa.Column("execution_domain", sa.String(length=255), nullable=False),
        sa.Column("execution_name", sa.String(length=255), nullable=False),
        sa.Column("signal_id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "execution_project", "execution_domain", "execution_name", "signal_id", name="uq_signals_identity"
        ),
    )
    op.create_table(
        "task_executions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("execution_project", sa.String(length=255), nullable=False),
        sa.Column("execution_domain", sa.String(length=255), nullable=False),
        sa.Column("execution_name", sa.String(length=255), nullable=False),
        sa.Column("node_id", sa.String(length=255), nullable=False),
        sa.Column("retry_attempt", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("phase_version", sa.Integer(), nullable=False),
        sa.Column("input_uri", sa.Text(), nullable=False),
        sa.Column("closure", sa.LargeBinary(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("task_execution_created_at", sa.DateTime(), nullable=False),
        sa.Column("task_execution_updated_at", sa.DateTime(), nullable=False),
        sa.Column("duration", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "execution_project",
            "execution_domain",
            "execution_name",
            "node_id",
            "project",
            "domain",
            "name",
            "version",
            "retry_attempt",
            name="uq_task_executions_identity",
        ),
    )
    op.create_table(
        "executions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("execution_project", sa.String(length=255), nullable=False),
        sa.Column("execution_domain", sa.String(length=255), nullable=False),
        sa.Column("execution_name", sa.String(length=255), nullable=False),
        sa.Column("launch_plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("workflow_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("spec", sa.LargeBinary(), nullable=False),
        sa.Column("closure", sa.LargeBinary(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("execution_created_at", sa.DateTime(), nullable=False),
        sa.Column("execution_updated_at", sa.DateTime(), nullable=False),
        sa.Column("duration", sa.BigInteger(), nullable=False),
        sa.Column("abort_cause", sa.Text(), nullable=False),
        sa.Column("mode", sa.Integer(), nullable=False),
        sa.Column("source_execution_id", sa.BigInteger(), nullable=True),
        sa.Column("parent_node_execution_id", sa.BigInteger(), nullable=True),
        sa.Column("cluster", sa.String(length=255), nullable=False),
        sa.Column("inputs_uri", sa.Text(), nullable=False),
        sa.Column("user_inputs_uri", sa.Text(), nullable=False),
        sa.Column("error_kind", sa.String(length=32), nullable=False),
        sa.Column("error_code", sa.String(length=255), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("launch_entity", sa.String(length=32), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["launch_plan_id"],
            ["launch_plans.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("execution_project", "execution_domain", "execution_name", name="uq_executions_identity"),
    )
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.create_index("ix_executions_launch_plan", ["launch_plan_id", "phase"], unique=False)
        batch_op.create_index(
            "ix_executions_listing", ["execution_project", "execution_domain", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_executions_parent", ["parent_node_execution_id"], unique=False)
        batch_op.create_index("ix_executions_phase", ["phase"], unique=False)

    op.create_table(
        "engine_workflows",
        sa.Column("execution_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("abort_requested", sa.Boolean(), nullable=False),
        sa.Column("next_evaluation_at", sa.DateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["execution_id"], ["executions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("execution_id"),
    )
    with op.batch_alter_table("engine_workflows", schema=None) as batch_op:
        batch_op.create_index("ix_engine_workflows_due", ["done", "next_evaluation_at"], unique=False)

    op.create_table(
        "execution_tags",
        sa.Column("execution_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["execution_id"], ["executions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("execution_id", "key"),
    )
    with op.batch_alter_table("execution_tags", schema=None) as batch_op:
        batch_op.create_index("ix_execution_tags_key_value", ["key", "value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("execution_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_execution_tags_key_value")

    op.drop_table("execution_tags")
    with op.batch_alter_table("engine_workflows", schema=None) as batch_op:
        batch_op.drop_index("ix_engine_workflows_due")

    op.drop_table("engine_workflows")
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.drop_index("ix_executions_phase")
        batch_op.drop_index("ix_executions_parent")
        batch_op.drop_index("ix_executions_listing")
        batch_op.drop_index("ix_executions_launch_plan")

    op.drop_table("executions")
    op.drop_table("task_executions")
    op.drop_table("signals")
    with op.batch_alter_table("node_executions", schema=None) as batch_op:
        batch_op.drop_index("ix_node_executions_parent_task")
        batch_op.drop_index("ix_node_executions_parent")

    op.drop_table("node_executions")
