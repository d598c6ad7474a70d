"""Creating an execution: validate, resolve what it runs and with which inputs and settings, then record it.

Everything that can fail on the user's request is decided before anything is written. Then the inputs go to the
blob store (`metadata/<project>/<domain>/<name>/inputs.pb` and `user_inputs.pb`), and one transaction writes the
execution, its tags and its entry in the engine's queue (what it runs, decided once); the engine is woken once that
is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flyteidl.admin import execution_pb2, launch_plan_pb2, matchable_resource_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, literals_pb2
from sqlalchemy.orm import Session

from flyteplane.config import Settings
from flyteplane.engine.ports import QueuedRun, RunnableCheck, RunQueue, Wakeup
from flyteplane.errors import AlreadyExists, InvalidArgument
from flyteplane.services.common import times
from flyteplane.services.common.validation import validate_spec_size
from flyteplane.services.executions.config import (
    check_cluster_assignment,
    effective_spec,
    notifications_for,
    resolve_execution_config,
)
from flyteplane.services.executions.data import ExecutionData
from flyteplane.services.executions.inputs import merge_inputs
from flyteplane.services.executions.lookups import execution_row, node_execution_row
from flyteplane.services.executions.phases import EXECUTION_CLUSTER
from flyteplane.services.executions.requests import generate_execution_name, validate_create_request
from flyteplane.services.executions.single_task import SingleTaskLaunch
from flyteplane.services.registry.attributes import AttributeService
from flyteplane.services.registry.launch_plans import LAUNCH_PLANS
from flyteplane.services.registry.workflows import WORKFLOWS
from flyteplane.store.db import Conflict, Database
from flyteplane.store.repositories import executions, versioned
from flyteplane.store.repositories.versioned import LaunchPlanRow, WorkflowRow

__all__ = ["ExecutionLauncher", "PreparedExecution", "no_wakeup"]

ExecutionMode = execution_pb2.ExecutionMetadata.ExecutionMode
_ACTIVE_PHASES = ("QUEUED", "RUNNING")
_MAX_TAG_LENGTH = 255


def no_wakeup(execution: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    """The default Wakeup: nobody to tell (the engine also polls the store)."""
    del execution


def anonymous() -> str:
    """The caller's identity while authentication is off (flyteadmin's empty principal)."""
    return ""


@dataclass
class PreparedExecution:
    """Everything a new execution's rows hold, decided and checked before anything is written."""

    id: identifier_pb2.WorkflowExecutionIdentifier
    spec: execution_pb2.ExecutionSpec
    closure: execution_pb2.ExecutionClosure
    inputs: literals_pb2.LiteralMap
    user_inputs: literals_pb2.LiteralMap
    execution_config: matchable_resource_pb2.WorkflowExecutionConfig
    workflow_id: int
    launch_plan_id: int | None
    task_id: int | None
    launch_entity: str
    created_at: datetime
    parent_node_execution_id: int | None = None
    source_execution_id: int | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Launchable:
    """What the request launches: the launch plan (real or generated) and the workflow it runs."""

    launch_plan: LaunchPlanRow
    workflow: WorkflowRow
    task_id: int | None

    @property
    def spec(self) -> launch_plan_pb2.LaunchPlanSpec:
        return launch_plan_pb2.LaunchPlanSpec.FromString(self.launch_plan.spec)

    @property
    def closure(self) -> launch_plan_pb2.LaunchPlanClosure:
        return launch_plan_pb2.LaunchPlanClosure.FromString(self.launch_plan.closure)


@dataclass(eq=False)
class ExecutionLauncher:
    db: Database
    settings: Settings
    data: ExecutionData
    attributes: AttributeService
    single_task: SingleTaskLaunch
    queue: RunQueue
    wakeup: Wakeup = no_wakeup
    principal: Callable[[], str] = anonymous
    runnable: RunnableCheck | None = None  # None: every task type is taken to be runnable

    def create(
        self, request: execution_pb2.ExecutionCreateRequest, source_execution_id: int | None = None
    ) -> identifier_pb2.WorkflowExecutionIdentifier:
        prepared = self.prepare(request)
        if source_execution_id is not None:
            prepared.source_execution_id = source_execution_id
        return self.launch(prepared)

    # -- deciding ---------------------------------------------------------------------------------------

    def prepare(self, original: execution_pb2.ExecutionCreateRequest) -> PreparedExecution:
        request = execution_pb2.ExecutionCreateRequest()
        request.CopyFrom(original)
        if not request.inputs.literals:  # clients before flyteidl 0.15 sent the inputs inside the spec
            request.inputs.CopyFrom(request.spec.inputs)
        with self.db.read() as session:
            validate_create_request(session, request, self.settings.domains)
        validate_spec_size("spec", request.spec, self.settings.max_spec_bytes)
        validate_spec_size("inputs", request.inputs, self.settings.max_spec_bytes)
        single_task = request.spec.launch_plan.resource_type == identifier_pb2.TASK
        launchable = self._single_task(request) if single_task else self._launch_plan(request)
        self._check_runnable(launchable)
        inputs = merge_inputs(request.inputs, launchable.spec.fixed_inputs, launchable.closure.expected_inputs)
        execution_id = identifier_pb2.WorkflowExecutionIdentifier(
            project=request.project, domain=request.domain, name=request.name or generate_execution_name()
        )
        # A generated launch plan has nothing to say about configuration; flyteadmin passes none for tasks.
        configuring_plan = None if single_task else launchable.spec
        principal = self.principal()
        spec = execution_pb2.ExecutionSpec()
        spec.CopyFrom(request.spec)
        spec.ClearField("inputs")
        spec.metadata.principal = principal
        now = times.now()
        with self.db.read() as session:
            parent_node_id, source_id = _inherit_from_parent(session, spec)
            config = resolve_execution_config(session, self.attributes, request, configuring_plan, principal)
            check_cluster_assignment(session, self.attributes, request)
            if configuring_plan is not None:
                spec.max_parallelism = config.max_parallelism
                _check_concurrency(session, launchable.launch_plan, configuring_plan)
        spec.metadata.system_metadata.CopyFrom(
            execution_pb2.SystemMetadata(
                execution_cluster=EXECUTION_CLUSTER, namespace=f"{request.project}-{request.domain}"
            )
        )
        spec.security_context.CopyFrom(config.security_context)
        closure = execution_pb2.ExecutionClosure(
            phase=0,
            created_at=times.timestamp(now),
            updated_at=times.timestamp(now),
            notifications=notifications_for(request.spec, launchable.spec),
            workflow_id=WORKFLOWS.identifier(launchable.workflow),
            state_change_details=execution_pb2.ExecutionStateChangeDetails(
                state=execution_pb2.EXECUTION_ACTIVE,
                principal=spec.metadata.principal,
                occurred_at=times.timestamp(now),
            ),
        )
        return PreparedExecution(
            id=execution_id,
            spec=spec,
            closure=closure,
            inputs=inputs,
            user_inputs=request.inputs,
            execution_config=config,
            workflow_id=launchable.workflow.id,
            launch_plan_id=None if single_task else launchable.launch_plan.id,
            task_id=launchable.task_id,
            launch_entity="task" if single_task else "launch_plan",
            created_at=now,
            parent_node_execution_id=parent_node_id,
            source_execution_id=source_id,
            tags=_tags(request.spec),
        )

    def _check_runnable(self, launchable: _Launchable) -> None:
        """A task type nothing here runs is refused now, naming the node, instead of failing once reached."""
        if self.runnable is None:
            return
        reason = self.runnable.unrunnable(compiler_pb2.CompiledWorkflowClosure.FromString(launchable.workflow.closure))
        if reason is not None:
            raise InvalidArgument(reason)

    def _single_task(self, request: execution_pb2.ExecutionCreateRequest) -> _Launchable:
        rows = self.single_task.ensure(request.spec.launch_plan, request.spec)
        return _Launchable(launch_plan=rows.launch_plan, workflow=rows.workflow, task_id=rows.task.id)

    def _launch_plan(self, request: execution_pb2.ExecutionCreateRequest) -> _Launchable:
        with self.db.read() as session:
            plan = LAUNCH_PLANS.get(session, request.spec.launch_plan)
            workflow = versioned.WORKFLOWS.by_id(session, plan.workflow_id)
        if workflow is None:  # the foreign key makes this impossible; say so plainly if it happens anyway
            raise InvalidArgument(f"launch plan [{plan.name}] refers to a workflow that does not exist")
        return _Launchable(launch_plan=plan, workflow=workflow, task_id=None)

    # -- recording --------------------------------------------------------------------------------------

    def launch(self, prepared: PreparedExecution) -> identifier_pb2.WorkflowExecutionIdentifier:
        execution_id = prepared.id
        with self.db.read() as session:
            if executions.find(session, execution_id) is not None:
                raise _duplicate(execution_id)
        prefix = (execution_id.project, execution_id.domain, execution_id.name)
        inputs_uri = self.data.offload((*prefix, "inputs.pb"), prepared.inputs)
        user_inputs_uri = self.data.offload((*prefix, "user_inputs.pb"), prepared.user_inputs)
        metadata = prepared.spec.metadata
        values = {
            "execution_project": execution_id.project,
            "execution_domain": execution_id.domain,
            "execution_name": execution_id.name,
            "launch_plan_id": prepared.launch_plan_id,
            "workflow_id": prepared.workflow_id,
            "task_id": prepared.task_id,
            "phase": "UNDEFINED",
            "spec": prepared.spec.SerializeToString(),
            "closure": prepared.closure.SerializeToString(),
            "execution_created_at": prepared.created_at,
            "execution_updated_at": prepared.created_at,
            "mode": metadata.mode,
            "source_execution_id": prepared.source_execution_id,
            "parent_node_execution_id": prepared.parent_node_execution_id,
            "cluster": metadata.system_metadata.execution_cluster,
            "inputs_uri": inputs_uri,
            "user_inputs_uri": user_inputs_uri,
            "user": metadata.principal,
            "state": execution_pb2.EXECUTION_ACTIVE,
            "launch_entity": prepared.launch_entity,
            "scheduled_at": times.to_datetime(metadata.scheduled_at) if times.is_set(metadata.scheduled_at) else None,
            "execution_config": prepared.execution_config.SerializeToString(),
        }
        try:
            with self.db.transaction() as session:
                row = executions.insert(session, values, prepared.tags)
                self.queue.enqueue(session, row.id, _run_of(prepared, inputs_uri), prepared.created_at)
        except Conflict:
            raise _duplicate(execution_id) from None
        self.wakeup(execution_id)
        return execution_id


def _run_of(prepared: PreparedExecution, inputs_uri: str) -> QueuedRun:
    return QueuedRun(
        execution=prepared.id,
        spec=effective_spec(prepared.spec, prepared.execution_config),
        workflow=prepared.closure.workflow_id,
        inputs_uri=inputs_uri,
    )


def _duplicate(execution_id: identifier_pb2.WorkflowExecutionIdentifier) -> AlreadyExists:
    return AlreadyExists(
        f"value with matching already exists (execution [{execution_id.project}/{execution_id.domain}/"
        f"{execution_id.name}])"
    )


def _inherit_from_parent(session: Session, spec: execution_pb2.ExecutionSpec) -> tuple[int | None, int | None]:
    """A child execution (launch-plan node) runs as its parent's user, one level deeper, on its cluster
    label."""
    if not spec.metadata.HasField("parent_node_execution"):
        return None, None
    parent_node = node_execution_row(session, spec.metadata.parent_node_execution)
    source = execution_row(session, spec.metadata.parent_node_execution.execution_id)
    source_spec = execution_pb2.ExecutionSpec.FromString(source.spec)
    spec.metadata.principal = source.user
    spec.metadata.nesting = source_spec.metadata.nesting + 1 if source_spec.HasField("metadata") else 1
    if source_spec.HasField("execution_cluster_label"):
        spec.execution_cluster_label.CopyFrom(source_spec.execution_cluster_label)
    return parent_node.id, source.id


def _check_concurrency(session: Session, plan: LaunchPlanRow, spec: launch_plan_pb2.LaunchPlanSpec) -> None:
    """A launch plan's concurrency policy counts queued and running executions of every version of it."""
    if not spec.HasField("concurrency_policy"):
        return
    policy = spec.concurrency_policy
    count = executions.count_of_launch_plan(session, plan.project, plan.domain, plan.name, _ACTIVE_PHASES)
    if count < policy.max:
        return
    if policy.behavior == launch_plan_pb2.CONCURRENCY_LIMIT_BEHAVIOR_SKIP:
        raise AlreadyExists(f"concurrency limit ({policy.max}) reached for launch plan {plan.name}; skipping execution")
    behaviors = launch_plan_pb2.ConcurrencyLimitBehavior
    name = behaviors.Name(policy.behavior) if policy.behavior in behaviors.values() else str(policy.behavior)
    raise InvalidArgument(f"unsupported concurrency-limit behavior: {name}")


def _tags(spec: execution_pb2.ExecutionSpec) -> dict[str, str]:
    """Labels as (key, value) and tags as (tag, ""), the rows `execution_tag.` filters search; a tag named
    like a label is already there."""
    tags = dict(spec.labels.values)
    for tag in spec.tags:
        if len(tag) > _MAX_TAG_LENGTH:
            raise InvalidArgument(f"invalid tag [{tag}]: longer than {_MAX_TAG_LENGTH} characters")
        tags.setdefault(tag, "")
    return tags
