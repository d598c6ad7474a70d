"""registry: projects, tasks, workflows, launch plans, named entities, attributes

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "description_entities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("resource_type", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("long_description", sa.LargeBinary(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("source_code", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "resource_type", "project", "domain", "name", "version", name="uq_description_entities_identity"
        ),
    )
    op.create_table(
        "named_entity_metadata",
        sa.Column("resource_type", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("resource_type", "project", "domain", "name"),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("identifier", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("labels", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identifier"),
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("workflow", sa.String(length=255), nullable=False),
        sa.Column("launch_plan", sa.String(length=255), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "project", "domain", "workflow", "launch_plan", "resource_type", name="uq_resources_identity"
        ),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index("ix_resources_type_priority", ["resource_type", "priority"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("closure", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=255), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project", "domain", "name", "version", name="uq_tasks_identity"),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_by_name", ["project", "domain", "name", "created_at", "id"], unique=False)
        batch_op.create_index("ix_tasks_listing", ["project", "domain", "created_at", "id"], unique=False)

    op.create_table(
        "workflows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("typed_interface", sa.LargeBinary(), nullable=False),
        sa.Column("closure", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project", "domain", "name", "version", name="uq_workflows_identity"),
    )
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.create_index("ix_workflows_by_name", ["project", "domain", "name", "created_at", "id"], unique=False)
        batch_op.create_index("ix_workflows_listing", ["project", "domain", "created_at", "id"], unique=False)

    op.create_table(
        "launch_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column("workflow_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("spec", sa.LargeBinary(), nullable=False),
        sa.Column("closure", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("schedule_type", sa.String(length=16), nullable=False),
        sa.Column("launch_condition_type", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project", "domain", "name", "version", name="uq_launch_plans_identity"),
    )
    with op.batch_alter_table("launch_plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_launch_plans_by_name", ["project", "domain", "name", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_launch_plans_listing", ["project", "domain", "created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_launch_plans_workflow_id"), ["workflow_id"], unique=False)
        batch_op.create_index(
            "uq_launch_plans_active",
            ["project", "domain", "name"],
            unique=True,
            sqlite_where=sa.text("state = 1"),
            postgresql_where=sa.text("state = 1"),
        )


def downgrade() -> None:
    with op.batch_alter_table("launch_plans", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_launch_plans_active", sqlite_where=sa.text("state = 1"), postgresql_where=sa.text("state = 1")
        )
        batch_op.drop_index(batch_op.f("ix_launch_plans_workflow_id"))
        batch_op.drop_index("ix_launch_plans_listing")
        batch_op.drop_index("ix_launch_plans_by_name")

    op.drop_table("launch_plans")
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.drop_index("ix_workflows_listing")
        batch_op.drop_index("ix_workflows_by_name")

    op.drop_table("workflows")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_listing")
        batch_op.drop_index("ix_tasks_by_name")

    op.drop_table("tasks")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index("ix_resources_type_priority")

    op.drop_table("resources")
    op.drop_table("projects")
    op.drop_table("named_entity_metadata")
    op.drop_table("description_entities")
