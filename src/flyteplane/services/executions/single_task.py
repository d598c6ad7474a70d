"""Single-task executions: the `.flytegen.<task>` workflow and launch plan flyteadmin generates to run a task.

Both are created once per task version, on first use, and marked SYSTEM_GENERATED; concurrent first uses are
harmless (whoever loses the insert reads the winner's row).
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass

from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, tasks_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from flyteplane.errors import AlreadyExists
from flyteplane.services.common.identifiers import identifier_of
from flyteplane.services.registry import digests
from flyteplane.services.registry.launch_plans import LAUNCH_PLANS, expected_inputs, launch_plan_values
from flyteplane.services.registry.named_entities import NamedEntityService
from flyteplane.services.registry.tasks import TASKS
from flyteplane.services.registry.workflows import WORKFLOWS, WorkflowService
from flyteplane.store.db import Conflict, Database
from flyteplane.store.repositories.versioned import LaunchPlanRow, TaskRow, WorkflowRow

__all__ = ["SYSTEM_PREFIX", "SingleTaskLaunch", "SingleTaskRows", "node_name_for_task", "system_name"]

SYSTEM_PREFIX = ".flytegen."
_MAX_NODE_ID_LENGTH = 63
_DEFAULT_RETRIES = 3


def system_name(task_name: str) -> str:
    return SYSTEM_PREFIX + task_name


def node_name_for_task(task_name: str) -> str:
    """The generated node's id: the last 63 characters of the task name, keeping letters, digits and '-'."""
    tail = task_name[-_MAX_NODE_ID_LENGTH:]
    return "".join(c for c in tail if c == "-" or unicodedata.category(c)[0] in ("L", "N"))


@dataclass(frozen=True)
class SingleTaskRows:
    task: TaskRow
    workflow: WorkflowRow
    launch_plan: LaunchPlanRow


class SingleTaskLaunch:
    """Finds or creates the generated workflow and launch plan that run one registered task."""

    def __init__(self, db: Database, workflows: WorkflowService, named_entities: NamedEntityService) -> None:
        self.db = db
        self.workflows = workflows
        self.named_entities = named_entities

    def ensure(self, task_id: identifier_pb2.Identifier, spec: execution_pb2.ExecutionSpec) -> SingleTaskRows:
        with self.db.read() as session:
            task = TASKS.get(session, task_id)
        template = task_pb2.TaskClosure.FromString(task.closure).compiled_task.template
        workflow = self._ensure_workflow(task_id, template)
        launch_plan = self._ensure_launch_plan(task_id, workflow, spec)
        return SingleTaskRows(task=task, workflow=workflow, launch_plan=launch_plan)

    def _ensure_workflow(self, task_id: identifier_pb2.Identifier, template: tasks_pb2.TaskTemplate) -> WorkflowRow:
        workflow_id = _generated_id(task_id, identifier_pb2.WORKFLOW)
        with self.db.read() as session:
            existing = WORKFLOWS.find(session, workflow_id)
        if existing is not None:
            return existing
        spec = workflow_pb2.WorkflowSpec(template=_workflow_template(workflow_id, task_id, template))
        with contextlib.suppress(AlreadyExists):  # created concurrently, with the same structure
            self.workflows.create_workflow(workflow_pb2.WorkflowCreateRequest(id=workflow_id, spec=spec))
        self._mark_system_generated(identifier_pb2.WORKFLOW, workflow_id)
        with self.db.read() as session:
            return WORKFLOWS.get(session, workflow_id)

    def _ensure_launch_plan(
        self,
        task_id: identifier_pb2.Identifier,
        workflow: WorkflowRow,
        execution_spec: execution_pb2.ExecutionSpec,
    ) -> LaunchPlanRow:
        """An inactive launch plan without defaults, so every task input is required.

        flyteadmin points its `workflow_id` at the plain task name (a quirk that names a workflow which does
        not exist); here it names the generated workflow it actually launches.
        """
        plan_id = _generated_id(task_id, identifier_pb2.LAUNCH_PLAN)
        with self.db.read() as session:
            existing = LAUNCH_PLANS.find(session, plan_id)
        if existing is not None:
            return existing
        spec = launch_plan_pb2.LaunchPlanSpec(
            workflow_id=WORKFLOWS.identifier(workflow),
            entity_metadata=launch_plan_pb2.LaunchPlanMetadata(),
            default_inputs=interface_pb2.ParameterMap(),
            fixed_inputs=literals_pb2.LiteralMap(),
            labels=common_pb2.Labels(),
            annotations=common_pb2.Annotations(),
        )
        if execution_spec.HasField("auth_role"):
            spec.auth_role.CopyFrom(execution_spec.auth_role)
        if execution_spec.HasField("security_context"):
            spec.security_context.CopyFrom(execution_spec.security_context)
        interface = interface_pb2.TypedInterface.FromString(workflow.typed_interface)
        spec.default_inputs.CopyFrom(expected_inputs(spec, interface.inputs))
        closure = launch_plan_pb2.LaunchPlanClosure(
            expected_inputs=spec.default_inputs, expected_outputs=interface.outputs
        )
        digest = digests.digest(launch_plan_pb2.LaunchPlan(id=plan_id, spec=spec, closure=closure))
        try:
            with self.db.transaction() as session:
                LAUNCH_PLANS.insert(session, plan_id, launch_plan_values(workflow.id, spec, closure, digest))
        except Conflict:
            pass  # created concurrently; use that one
        self._mark_system_generated(identifier_pb2.LAUNCH_PLAN, plan_id)
        with self.db.read() as session:
            return LAUNCH_PLANS.get(session, plan_id)

    def _mark_system_generated(self, resource_type: int, identifier: identifier_pb2.Identifier) -> None:
        self.named_entities.update_named_entity(
            common_pb2.NamedEntityUpdateRequest(
                resource_type=resource_type,  # type: ignore[arg-type]
                id=common_pb2.NamedEntityIdentifier(
                    project=identifier.project, domain=identifier.domain, name=identifier.name
                ),
                metadata=common_pb2.NamedEntityMetadata(state=common_pb2.SYSTEM_GENERATED),
            )
        )


def _generated_id(task_id: identifier_pb2.Identifier, resource_type: int) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=resource_type,  # type: ignore[arg-type]
        project=task_id.project,
        domain=task_id.domain,
        name=system_name(task_id.name),
        version=task_id.version,
    )


def _workflow_template(
    workflow_id: identifier_pb2.Identifier, task_id: identifier_pb2.Identifier, task: tasks_pb2.TaskTemplate
) -> core_workflow_pb2.WorkflowTemplate:
    """One task node bound to the workflow inputs, whose outputs are the workflow's outputs."""
    node_id = node_name_for_task(task_id.name)
    retries = task.metadata.retries if task.metadata.HasField("retries") else None
    node = core_workflow_pb2.Node(
        id=node_id,
        metadata=core_workflow_pb2.NodeMetadata(
            name=node_id, retries=retries or literals_pb2.RetryStrategy(retries=_DEFAULT_RETRIES)
        ),
        inputs=_bindings(task.interface.inputs, ""),
        task_node=core_workflow_pb2.TaskNode(reference_id=identifier_of(identifier_pb2.TASK, task_id)),
    )
    return core_workflow_pb2.WorkflowTemplate(
        id=workflow_id,
        interface=task.interface,
        nodes=[node],
        outputs=_bindings(task.interface.outputs, node_id),
    )


def _bindings(variables: interface_pb2.VariableMap, node_id: str) -> list[literals_pb2.Binding]:
    return [
        literals_pb2.Binding(
            var=name,
            binding=literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node_id, var=name)),
        )
        for name in sorted(variables.variables)
    ]
