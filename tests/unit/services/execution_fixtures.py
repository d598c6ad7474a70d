"""The execution side over a test database, wired as the server wires it, plus request and event builders.

Executions run the real flytekit-serialized `pipeline` (two `add` nodes) and `add` task of flytekit_specs; the
events are what the engine (propeller) would send for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import common_pb2, event_pb2, execution_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.event import event_pb2 as core_event_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select
from tests.unit.services.flytekit_specs import add, default_launch_plan, pipeline, serialize

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.config import Settings
from flyteplane.engine.queue import ExecutionQueue
from flyteplane.server.composition import build_services
from flyteplane.services import Services
from flyteplane.store.db import Database
from flyteplane.store.models import Execution, Project

P, D = "flytesnacks", "development"
PIPELINE = "tests.unit.services.flytekit_specs.pipeline"
ADD = "tests.unit.services.flytekit_specs.add"

WorkflowPhase = core_execution_pb2.WorkflowExecution
NodePhase = core_execution_pb2.NodeExecution
TaskPhase = core_execution_pb2.TaskExecution


@dataclass
class Woken:
    """Records the engine wakeups the services send."""

    executions: list[tuple[str, str, str]] = field(default_factory=list)

    def __call__(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> None:
        self.executions.append((execution.project, execution.domain, execution.name))


@dataclass
class Plane:
    services: Services
    db: Database
    blobs: BlobStore
    woken: Woken

    def __getattr__(self, name: str) -> Any:
        return getattr(self.services, name)


def build_plane(db: Database, settings: Settings, tmp_path: Path) -> Plane:
    blobs = BlobStore(str(tmp_path / "blobs"))
    services = build_services(settings, db, blobs, Signer(b"k" * 32), ExecutionQueue(db))
    woken = Woken()
    services.wakeups.connect(woken)
    return Plane(services=services, db=db, blobs=blobs, woken=woken)


def store_fixture(request: pytest.FixtureRequest) -> Database:
    """SQLite or PostgreSQL, for modules whose `store` fixture is parametrized over both."""
    database: Database = request.getfixturevalue("db" if request.param == "sqlite" else "postgres_db")
    with database.transaction() as session:
        session.add(Project(identifier="archived", name="archived", state=1))
    return database


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


# -- registration -----------------------------------------------------------------------------------------


def register_pipeline(plane: Plane, version: str = "v1") -> identifier_pb2.Identifier:
    """Registers the pipeline's task, workflow and default launch plan; returns the launch plan's id."""
    payload = serialize(pipeline, version)
    for spec in payload["tasks"]:
        plane.tasks.create_task(task_pb2.TaskCreateRequest(id=spec.template.id, spec=spec))
    workflow = payload["workflows"][0]
    plane.workflows.create_workflow(workflow_pb2.WorkflowCreateRequest(id=workflow.template.id, spec=workflow))
    plan = default_launch_plan(version)
    request = launch_plan_pb2.LaunchPlanCreateRequest(id=plan.id, spec=plan.spec)
    plane.launch_plans.create_launch_plan(request)
    return request.id  # type: ignore[no-any-return]


def register_launch_plan(
    plane: Plane, name: str, spec: launch_plan_pb2.LaunchPlanSpec, version: str = "v1"
) -> identifier_pb2.Identifier:
    """Another launch plan of the (registered) pipeline workflow; without default inputs of its own it takes
    the pipeline's defaults (a=1, b=2) for every input it does not fix."""
    plan_id = identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN, project=P, domain=D, name=name, version=version
    )
    full = launch_plan_pb2.LaunchPlanSpec()
    full.CopyFrom(spec)
    full.workflow_id.CopyFrom(workflow_id(version))
    if not spec.HasField("default_inputs"):
        for key, parameter in default_launch_plan(version).spec.default_inputs.parameters.items():
            if key not in spec.fixed_inputs.literals:
                full.default_inputs.parameters[key].CopyFrom(parameter)
    plane.launch_plans.create_launch_plan(launch_plan_pb2.LaunchPlanCreateRequest(id=plan_id, spec=full))
    return plan_id


def register_add(plane: Plane, version: str = "v1") -> identifier_pb2.Identifier:
    (spec,) = serialize(add, version)["tasks"]
    plane.tasks.create_task(task_pb2.TaskCreateRequest(id=spec.template.id, spec=spec))
    return spec.template.id  # type: ignore[no-any-return]


def workflow_id(version: str = "v1") -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=identifier_pb2.WORKFLOW, project=P, domain=D, name=PIPELINE, version=version
    )


def task_id(version: str = "v1") -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, project=P, domain=D, name=ADD, version=version)


# -- literals and requests ----------------------------------------------------------------------------------


def integer(value: int) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def string(value: str) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=value)))


def literal_map(**values: literals_pb2.Literal) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(literals=values)


def create_request(
    launched: identifier_pb2.Identifier, name: str = "", project: str = P, **inputs: literals_pb2.Literal
) -> execution_pb2.ExecutionCreateRequest:
    return execution_pb2.ExecutionCreateRequest(
        project=project,
        domain=D,
        name=name,
        spec=execution_pb2.ExecutionSpec(
            launch_plan=launched, metadata=execution_pb2.ExecutionMetadata(principal="placeholder")
        ),
        inputs=literal_map(**inputs),
    )


def execution_id(name: str) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(project=P, domain=D, name=name)


def launch(plane: Plane, launched: identifier_pb2.Identifier, name: str = "", **inputs: literals_pb2.Literal) -> Any:
    return plane.executions.create_execution(create_request(launched, name, **inputs)).id


def execution_row(plane: Plane, name: str) -> Execution:
    with plane.db.read() as session:
        row = session.scalar(select(Execution).where(Execution.execution_name == name))
    assert row is not None
    return row


def list_request(limit: int = 100, filters: str = "", **kwargs: Any) -> common_pb2.ResourceListRequest:
    return common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project=P, domain=D), limit=limit, filters=filters, **kwargs
    )


# -- events -------------------------------------------------------------------------------------------------


def at(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int((1_700_000_000 + seconds) * 1_000_000_000))
    return stamp


def workflow_event(
    execution: identifier_pb2.WorkflowExecutionIdentifier, phase: int, seconds: float = 0, **fields: Any
) -> event_pb2.WorkflowExecutionEventRequest:
    event = core_event_pb2.WorkflowExecutionEvent(
        execution_id=execution, phase=phase, occurred_at=at(seconds), producer_id="flyteplane", **fields
    )
    return event_pb2.WorkflowExecutionEventRequest(event=event)


def node_id(execution: identifier_pb2.WorkflowExecutionIdentifier, node: str) -> identifier_pb2.NodeExecutionIdentifier:
    return identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id=node)


def node_event(
    execution: identifier_pb2.WorkflowExecutionIdentifier,
    node: str,
    phase: int,
    seconds: float = 0,
    *,
    parent: str = "",
    **fields: Any,
) -> event_pb2.NodeExecutionEventRequest:
    event = core_event_pb2.NodeExecutionEvent(
        id=node_id(execution, node),
        phase=phase,
        occurred_at=at(seconds),
        producer_id="flyteplane",
        spec_node_id=fields.pop("spec_node_id", node),
        **fields,
    )
    if parent:
        event.parent_node_metadata.node_id = parent
    return event_pb2.NodeExecutionEventRequest(event=event)


def task_event(
    execution: identifier_pb2.WorkflowExecutionIdentifier,
    node: str,
    phase: int,
    seconds: float = 0,
    *,
    attempt: int = 0,
    task: identifier_pb2.Identifier | None = None,
    **fields: Any,
) -> event_pb2.TaskExecutionEventRequest:
    event = core_event_pb2.TaskExecutionEvent(
        task_id=task or task_id(),
        parent_node_execution_id=node_id(execution, node),
        retry_attempt=attempt,
        phase=phase,
        occurred_at=at(seconds),
        producer_id="flyteplane",
        **fields,
    )
    return event_pb2.TaskExecutionEventRequest(event=event)


def task_execution_id(
    execution: identifier_pb2.WorkflowExecutionIdentifier, node: str, attempt: int = 0
) -> identifier_pb2.TaskExecutionIdentifier:
    return identifier_pb2.TaskExecutionIdentifier(
        task_id=task_id(), node_execution_id=node_id(execution, node), retry_attempt=attempt
    )


def write_literal_map(plane: Plane, key: str, values: literals_pb2.LiteralMap) -> str:
    plane.blobs.put_bytes(key, values.SerializeToString())
    return plane.blobs.native_url(key)
