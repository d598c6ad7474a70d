"""engine queue rows carry what they run

Revision ID: 0007
Revises: 0006

The engine no longer reads the admin side's tables: each `engine_workflows` row holds the execution's identity,
its effective spec, the workflow it runs and its inputs. Rows of existing executions are filled from
`executions` with the effective spec as CreateExecution now stores it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from flyteidl.admin import execution_pb2, matchable_resource_pb2

from flyteplane.services.executions.config import effective_spec

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_NEW_COLUMNS = ("execution_project", "execution_domain", "execution_name", "spec", "workflow", "inputs_uri")


def upgrade() -> None:
    with op.batch_alter_table("engine_workflows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("execution_project", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("execution_domain", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("execution_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("spec", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("workflow", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("inputs_uri", sa.Text(), nullable=True))
    _fill_from_executions()
    with op.batch_alter_table("engine_workflows", schema=None) as batch_op:
        for name in _NEW_COLUMNS:
            batch_op.alter_column(name, nullable=False)
        batch_op.create_unique_constraint(
            "uq_engine_workflows_identity", ["execution_project", "execution_domain", "execution_name"]
        )


def _fill_from_executions() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT e.id, e.execution_project, e.execution_domain, e.execution_name, e.spec, e.closure,"
            " e.execution_config, e.inputs_uri FROM executions e JOIN engine_workflows w ON w.execution_id = e.id"
        )
    ).all()
    update = sa.text(
        "UPDATE engine_workflows SET execution_project = :project, execution_domain = :domain,"
        " execution_name = :name, spec = :spec, workflow = :workflow, inputs_uri = :inputs_uri"
        " WHERE execution_id = :id"
    )
    for row_id, project, domain, name, spec, closure, config, inputs_uri in rows:
        effective = effective_spec(
            execution_pb2.ExecutionSpec.FromString(spec),
            matchable_resource_pb2.WorkflowExecutionConfig.FromString(config or b""),
        )
        workflow = execution_pb2.ExecutionClosure.FromString(closure).workflow_id
        connection.execute(
            update,
            {
                "id": row_id,
                "project": project,
                "domain": domain,
                "name": name,
                "spec": effective.SerializeToString(),
                "workflow": workflow.SerializeToString(),
                "inputs_uri": inputs_uri or "",
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("engine_workflows", schema=None) as batch_op:
        batch_op.drop_constraint("uq_engine_workflows_identity", type_="unique")
        for name in reversed(_NEW_COLUMNS):
            batch_op.drop_column(name)
