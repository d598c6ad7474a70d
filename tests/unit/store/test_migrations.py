"""Migrations: they build exactly the tables the models declare, on SQLite and PostgreSQL, and carry existing
rows forward."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flyteidl.admin import common_pb2, execution_pb2, matchable_resource_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from sqlalchemy import text
from tests.postgres import temporary_database

from flyteplane.store.db import Database, migrate
from flyteplane.store.models import Base, EngineWorkflow, Execution, Workflow


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield database
        database.close()
        return
    with temporary_database() as url:
        database = Database("postgresql+psycopg://" + url.split("://", 1)[1])
        yield database
        database.close()


def test_the_migrated_schema_is_the_one_the_models_declare(empty_database: Database) -> None:
    migrate(empty_database.engine)
    with empty_database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_queue_rows_of_existing_executions_learn_what_they_run(empty_database: Database) -> None:
    """0007: each engine row gets its execution's identity, the effective spec (the resolved configuration
    written in), the workflow it runs and its inputs."""
    migrate(empty_database.engine, "0006")
    workflow = identifier_pb2.Identifier(
        resource_type=identifier_pb2.WORKFLOW, project="p", domain="d", name="wf", version="v1"
    )
    spec = execution_pb2.ExecutionSpec(max_parallelism=0)
    config = matchable_resource_pb2.WorkflowExecutionConfig(
        max_parallelism=7, envs=common_pb2.Envs(values=[literals_pb2.KeyValuePair(key="A", value="1")])
    )
    now = datetime(2026, 1, 1)
    with empty_database.transaction() as session:  # Workflow and Execution are as they were at 0006
        workflow_row = Workflow(
            project="p", domain="d", name="wf", version="v1", typed_interface=b"", closure=b"", digest="x"
        )
        session.add(workflow_row)
        session.flush()
        session.add(
            Execution(
                id=1,
                execution_project="p",
                execution_domain="d",
                execution_name="e1",
                workflow_id=workflow_row.id,
                phase="RUNNING",
                spec=spec.SerializeToString(),
                closure=execution_pb2.ExecutionClosure(workflow_id=workflow).SerializeToString(),
                execution_created_at=now,
                execution_updated_at=now,
                inputs_uri="blob://in",
                execution_config=config.SerializeToString(),
            )
        )
    with empty_database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO engine_workflows (execution_id, state, revision, done, abort_requested,"
                " next_evaluation_at, lease_owner, created_at, updated_at)"
                " VALUES (1, :state, 3, false, false, :now, '', :now, :now)"
            ).bindparams(state=b'{"phase":"RUNNING"}', now=now)
        )
    migrate(empty_database.engine)
    with empty_database.read() as session:
        row = session.get(EngineWorkflow, 1)
        assert row is not None
        assert (row.execution_project, row.execution_domain, row.execution_name) == ("p", "d", "e1")
        effective = execution_pb2.ExecutionSpec.FromString(row.spec)
        assert effective.max_parallelism == 7
        assert [(env.key, env.value) for env in effective.envs.values] == [("A", "1")]
        assert identifier_pb2.Identifier.FromString(row.workflow) == workflow
        assert row.inputs_uri == "blob://in"
        assert (row.state, row.revision) == (b'{"phase":"RUNNING"}', 3), "the engine's own state is untouched"
