"""Registered entities as FlyteRemote returns them: FlyteTask, FlyteWorkflow, FlyteLaunchPlan.

Each wraps the flyteidl messages Flyte Admin returned and exposes the attributes flytekit users reach for (`id`,
`name`, `interface`, `template`, `closure`, ...); ids, templates and specs are flyteidl messages, so `task.id.name`
and `task.id.version` read as they do with flytekit. `to_flyte_idl()` gives the spec flytekit's entity renders.
`python_interface` is set when the entity was registered from Python code in this process (flytekit's Interface),
so outputs read as the Python types the code declared.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from google.protobuf import json_format

from flyteplane.remote.accessors import FieldOf, field_of
from flyteplane.remote.interface import TypedInterface

__all__ = ["SYSTEM_NODES", "FlyteLaunchPlan", "FlyteTask", "FlyteWorkflow"]

SYSTEM_NODES = ("start-node", "end-node")


class _Entity:
    resource_type: identifier_pb2.ResourceType = identifier_pb2.UNSPECIFIED
    entity_type_text = "Entity"

    id = field_of("_id", doc="The flyteidl Identifier: `resource_type`, `project`, `domain`, `name`, `version`.")
    name = field_of("_id", "name", str)
    version = field_of("_id", "version", str)
    closure = field_of(
        "_closure",
        doc="The admin closure (TaskClosure, WorkflowClosure, LaunchPlanClosure: created_at, compiled form, state); "
        "None for an entity that was not fetched from Flyte Admin (e.g. a workflow's embedded task).",
    )

    def __init__(self, id: Any, closure: Any) -> None:
        self._id = identifier_pb2.Identifier()
        self._id.CopyFrom(id)
        if not self._id.resource_type:
            self._id.resource_type = self.resource_type
        self._closure = closure
        self.python_interface: Any = None

    def __repr__(self) -> str:
        i = self._id
        return f"{type(self).__name__}({i.project}/{i.domain}/{i.name}@{i.version})"


class _TemplatedEntity(_Entity):
    """A task or a workflow: its template as the compiler stored it, with the template's interface and metadata."""

    template = field_of("_template")
    interface = field_of("_template", "interface", TypedInterface.from_flyte_idl)
    metadata = field_of("_template", "metadata")

    def __init__(self, template: Any, id: Any, closure: Any) -> None:
        super().__init__(id if id is not None else template.id, closure)
        self._template = template


class FlyteTask(_TemplatedEntity):
    """A registered task version; `template` is its TaskTemplate as the compiler stored it."""

    resource_type = identifier_pb2.TASK
    entity_type_text = "Task"

    type = field_of("_template", "type", str)
    container = field_of("_template", "container", if_set=True)
    custom = field_of("_template", "custom", json_format.MessageToDict)
    config = field_of("_template", "config", dict)
    task_type_version = field_of("_template", "task_type_version", int)
    security_context = field_of("_template", "security_context")
    k8s_pod = field_of("_template", "k8s_pod", if_set=True)
    sql = field_of("_template", "sql", if_set=True)

    def __init__(self, template: Any, *, id: Any = None, closure: Any = None) -> None:
        super().__init__(template, id, closure)

    @classmethod
    def from_admin(cls, task: task_pb2.Task) -> FlyteTask:
        return cls(task.closure.compiled_task.template, id=task.id, closure=task.closure)

    def to_flyte_idl(self) -> task_pb2.TaskSpec:
        template = type(self._template)()
        template.CopyFrom(self._template)
        template.id.CopyFrom(self._id)
        return task_pb2.TaskSpec(template=template)


class FlyteWorkflow(_TemplatedEntity):
    """A registered workflow version with its compiled closure: the primary template, subworkflows and tasks."""

    resource_type = identifier_pb2.WORKFLOW
    entity_type_text = "Workflow"

    compiled_closure = field_of("_compiled")
    outputs = field_of("_template", "outputs", list)
    metadata_defaults = field_of("_template", "metadata_defaults")
    failure_node = field_of("_template", "failure_node", if_set=True)
    launch_plans = field_of(
        "_launch_plans", "", dict, doc="Launch plans its nodes launch, by identifier text, as LaunchPlanSpec messages."
    )

    def __init__(
        self,
        template: Any,
        *,
        id: Any = None,
        compiled_closure: Any = None,
        closure: Any = None,
        launch_plans: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(template, id, closure)
        self._compiled = compiled_closure
        self._launch_plans = dict(launch_plans or {})

    @classmethod
    def from_admin(cls, workflow: workflow_pb2.Workflow, launch_plans: dict[str, Any] | None = None) -> FlyteWorkflow:
        compiled = workflow.closure.compiled_workflow
        return cls(
            compiled.primary.template,
            id=workflow.id,
            compiled_closure=compiled,
            closure=workflow.closure,
            launch_plans=launch_plans,
        )

    @property
    def nodes(self) -> list[Any]:
        """The workflow's nodes (flyteidl Nodes), without the start and end nodes the compiler adds."""
        return [node for node in self._template.nodes if node.id not in SYSTEM_NODES]

    @property
    def node_map(self) -> dict[str, Any]:
        return {node.id: node for node in self.nodes}

    @property
    def flyte_tasks(self) -> list[FlyteTask]:
        if self._compiled is None:
            return []
        return [FlyteTask(compiled.template) for compiled in self._compiled.tasks]

    @property
    def flyte_sub_workflows(self) -> list[FlyteWorkflow]:
        if self._compiled is None:
            return []
        return [FlyteWorkflow(sub.template, compiled_closure=None) for sub in self._compiled.sub_workflows]

    def to_flyte_idl(self) -> workflow_pb2.WorkflowSpec:
        subs = [sub.template for sub in self._compiled.sub_workflows] if self._compiled is not None else []
        return workflow_pb2.WorkflowSpec(template=self._template, sub_workflows=subs)


class FlyteLaunchPlan(_Entity):
    """A registered launch plan version; `flyte_workflow` is the workflow it launches (fetched with it)."""

    resource_type = identifier_pb2.LAUNCH_PLAN
    entity_type_text = "Launch Plan"

    spec = field_of("_spec")
    flyte_workflow: FieldOf[FlyteWorkflow | None] = field_of("_workflow")
    workflow_id = field_of("_spec", "workflow_id")
    default_inputs = field_of("_spec", "default_inputs")
    fixed_inputs = field_of("_spec", "fixed_inputs")
    entity_metadata = field_of("_spec", "entity_metadata")
    labels = field_of("_spec", "labels.values", dict)
    annotations = field_of("_spec", "annotations.values", dict)

    def __init__(self, id: Any, spec: Any, *, closure: Any = None, workflow: FlyteWorkflow | None = None) -> None:
        super().__init__(id, closure)
        self._spec = spec
        self._workflow = workflow

    @classmethod
    def from_admin(
        cls, launch_plan: launch_plan_pb2.LaunchPlan, workflow: FlyteWorkflow | None = None
    ) -> FlyteLaunchPlan:
        return cls(launch_plan.id, launch_plan.spec, closure=launch_plan.closure, workflow=workflow)

    @property
    def interface(self) -> TypedInterface:
        """The launched workflow's interface (as flytekit), else the closure's expected inputs and outputs."""
        if self._workflow is not None:
            return self._workflow.interface
        if self._closure is not None:
            return TypedInterface.from_parameters(self._closure.expected_inputs, self._closure.expected_outputs)
        return TypedInterface()

    @property
    def is_scheduled(self) -> bool:
        return self._spec.entity_metadata.schedule.WhichOneof("ScheduleExpression") is not None

    @property
    def is_active(self) -> bool:
        return self._closure is not None and self._closure.state == launch_plan_pb2.ACTIVE

    def to_flyte_idl(self) -> launch_plan_pb2.LaunchPlanSpec:
        spec: launch_plan_pb2.LaunchPlanSpec = self._spec
        return spec
