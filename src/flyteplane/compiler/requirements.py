"""What a workflow needs before it can compile: the tasks and launch plans its nodes reference (§2.3).

Admin loads exactly these from its store and hands them to `compile_workflow`; sub-workflows travel inside the
registration request, so they are followed rather than listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flyteidl.core import identifier_pb2, workflow_pb2

from flyteplane.compiler.errors import (
    ErrorCollector,
    duplicate_sub_workflow,
    value_required,
    workflow_reference_not_found,
)
from flyteplane.compiler.identifiers import IdKey, id_key, id_text

__all__ = ["Requirements", "collect_requirements", "get_requirements", "index_sub_workflows"]


@dataclass
class Requirements:
    """Referenced task and launch-plan ids, de-duplicated and ordered like flytepropeller orders them."""

    task_ids: list[identifier_pb2.Identifier] = field(default_factory=list)
    launch_plan_ids: list[identifier_pb2.Identifier] = field(default_factory=list)


def get_requirements(
    template: workflow_pb2.WorkflowTemplate, sub_workflows: Sequence[workflow_pb2.WorkflowTemplate]
) -> Requirements:
    """Walks every node, including failure, branch and array sub-nodes and referenced sub-workflows.

    Raises CompileErrors for sub-workflows given twice (DuplicateId) or referenced but not given
    (WorkflowReferenceNotFound).
    """
    errors = ErrorCollector()
    index = index_sub_workflows(sub_workflows, errors)
    errors.raise_if_any()
    requirements = collect_requirements(template, index, errors)
    errors.raise_if_any()
    return requirements


def index_sub_workflows(
    sub_workflows: Iterable[workflow_pb2.WorkflowTemplate], errors: ErrorCollector
) -> dict[IdKey, workflow_pb2.WorkflowTemplate]:
    """Sub-workflows by full identifier; each may be given only once."""
    index: dict[IdKey, workflow_pb2.WorkflowTemplate] = {}
    for sub_workflow in sub_workflows:
        if not sub_workflow.HasField("id"):
            errors.collect(value_required("root", "SubWorkflow.Id"))
            continue
        key = id_key(sub_workflow.id)
        if key in index:
            errors.collect(duplicate_sub_workflow(id_text(sub_workflow.id)))
        else:
            index[key] = sub_workflow
    return index


def collect_requirements(
    template: workflow_pb2.WorkflowTemplate,
    sub_workflows: dict[IdKey, workflow_pb2.WorkflowTemplate],
    errors: ErrorCollector,
) -> Requirements:
    """Requirements of a template and of every sub-workflow it reaches; missing sub-workflows are reported."""
    walk = _Walk(sub_workflows, errors)
    walk.workflow(template)
    return Requirements(
        task_ids=_ordered(walk.tasks.values()),
        launch_plan_ids=_ordered(walk.launch_plans.values()),
    )


class _Walk:
    def __init__(self, sub_workflows: dict[IdKey, workflow_pb2.WorkflowTemplate], errors: ErrorCollector) -> None:
        self.sub_workflows = sub_workflows
        self.errors = errors
        self.tasks: dict[IdKey, identifier_pb2.Identifier] = {}
        self.launch_plans: dict[IdKey, identifier_pb2.Identifier] = {}
        self.visited: set[IdKey] = set()

    def workflow(self, template: workflow_pb2.WorkflowTemplate) -> None:
        for node in template.nodes:
            self.node(node)
        if template.HasField("failure_node"):
            self.node(template.failure_node)

    def node(self, node: workflow_pb2.Node) -> None:
        target = node.WhichOneof("target")
        if target == "task_node":
            if node.task_node.HasField("reference_id"):
                self.tasks.setdefault(id_key(node.task_node.reference_id), node.task_node.reference_id)
        elif target == "workflow_node":
            self.workflow_node(node)
        elif target == "branch_node":
            if_else = node.branch_node.if_else
            for block in [if_else.case, *if_else.other]:
                if block.HasField("then_node"):
                    self.node(block.then_node)
            if if_else.HasField("else_node"):
                self.node(if_else.else_node)
        elif target == "array_node" and node.array_node.HasField("node"):
            self.node(node.array_node.node)

    def workflow_node(self, node: workflow_pb2.Node) -> None:
        reference = node.workflow_node.WhichOneof("reference")
        if reference == "launchplan_ref":
            ref = node.workflow_node.launchplan_ref
            self.launch_plans.setdefault(id_key(ref), ref)
        elif reference == "sub_workflow_ref":
            ref = node.workflow_node.sub_workflow_ref
            key = id_key(ref)
            sub_workflow = self.sub_workflows.get(key)
            if sub_workflow is None:
                self.errors.collect(workflow_reference_not_found(node.id, id_text(ref)))
            elif key not in self.visited:
                self.visited.add(key)
                self.workflow(sub_workflow)


def _ordered(identifiers: Iterable[identifier_pb2.Identifier]) -> list[identifier_pb2.Identifier]:
    """Copies (callers may keep or change them) in flytepropeller's order."""
    copies: list[identifier_pb2.Identifier] = []
    for identifier in identifiers:
        copy = identifier_pb2.Identifier()
        copy.CopyFrom(identifier)
        copies.append(copy)
    return sorted(copies, key=lambda i: (i.resource_type, i.project, i.domain, i.name, i.version, i.org))
