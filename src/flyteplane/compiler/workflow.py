"""Workflow compilation (flyteadmin §3.1, §3.2): from a registered template to an executable closure.

The compiled template gets two sentinel nodes, `start-node` (whose outputs are the workflow inputs) and
`end-node` (whose inputs are the workflow outputs), every node's interface is inferred and its bindings
type-checked, and the data and execution dependencies become the `connections` the engine schedules by.
"""

from __future__ import annotations

from collections.abc import Sequence

from flyteidl.core import compiler_pb2, interface_pb2, tasks_pb2, workflow_pb2

from flyteplane.compiler.bindings import add_node_edges
from flyteplane.compiler.errors import (
    CompileError,
    ErrorCode,
    ErrorCollector,
    cycle_detected,
    no_nodes_found,
    task_reference_not_found,
    unreachable_nodes,
    value_required,
    workflow_reference_not_found,
)
from flyteplane.compiler.graph import traverse
from flyteplane.compiler.identifiers import IdKey, id_key, id_text
from flyteplane.compiler.interfaces import LaunchPlanInterface, normalize_interface
from flyteplane.compiler.nodes import infer_interface, validate_node
from flyteplane.compiler.requirements import collect_requirements, index_sub_workflows
from flyteplane.compiler.scope import (
    END_NODE_ID,
    START_NODE_ID,
    CompileContext,
    EdgeDirection,
    NodeBuilder,
    WorkflowScope,
)

__all__ = ["END_NODE_ID", "START_NODE_ID", "LaunchPlanInterface", "compile_workflow"]


def compile_workflow(
    primary: workflow_pb2.WorkflowTemplate,
    sub_workflows: Sequence[workflow_pb2.WorkflowTemplate],
    tasks: Sequence[tasks_pb2.TaskTemplate],
    launch_plans: Sequence[LaunchPlanInterface],
) -> compiler_pb2.CompiledWorkflowClosure:
    """Compiles the primary workflow and the sub-workflows it references; inputs are never modified.

    Raises CompileErrors carrying every problem found. The closure lists all given tasks (first of each id, in
    the given order) and all given sub-workflows (compiled when referenced, carried through as-is otherwise).
    """
    errors = ErrorCollector()
    # The closure is assembled first and compiled in place, so each message is copied exactly once.
    closure = compiler_pb2.CompiledWorkflowClosure()
    task_index: dict[IdKey, tasks_pb2.TaskTemplate] = {}
    for task in tasks:
        if not task.HasField("id"):
            errors.collect(value_required("task", "Template.Id"))
            errors.raise_if_any()
        key = id_key(task.id)
        if key not in task_index:
            task_index[key] = closure.tasks.add(template=task).template

    sources = index_sub_workflows(sub_workflows, errors)
    errors.raise_if_any()
    compiled_sub_workflows = {key: closure.sub_workflows.add(template=source) for key, source in sources.items()}

    context = CompileContext(
        errors=errors,
        tasks=task_index,
        launch_plans={id_key(lp.id): lp for lp in launch_plans},
        sub_workflows=compiled_sub_workflows,
        resolve_interface=infer_interface,
        compile_sub_workflow=_SubWorkflowCompiler().compile,
    )
    _validate_requirements(context, primary, sources)
    errors.raise_if_any()

    closure.primary.template.CopyFrom(primary)
    _compile_template(context, closure.primary)
    errors.raise_if_any()
    return closure


def _validate_requirements(
    context: CompileContext,
    primary: workflow_pb2.WorkflowTemplate,
    sources: dict[IdKey, workflow_pb2.WorkflowTemplate],
) -> None:
    """Every referenced task and launch plan must have been provided; reported against `start-node`."""
    requirements = collect_requirements(primary, sources, context.errors)
    for launch_plan_id in requirements.launch_plan_ids:
        if id_key(launch_plan_id) not in context.launch_plans:
            context.errors.collect(workflow_reference_not_found(START_NODE_ID, id_text(launch_plan_id)))
    for task_id in requirements.task_ids:
        if id_key(task_id) not in context.tasks:
            context.errors.collect(task_reference_not_found(START_NODE_ID, id_text(task_id)))


class _SubWorkflowCompiler:
    """Compiles each referenced sub-workflow once, and refuses sub-workflows that contain themselves."""

    def __init__(self) -> None:
        self.done: set[IdKey] = set()
        self.in_progress: set[IdKey] = set()

    def compile(self, context: CompileContext, key: IdKey, node_id: str) -> None:
        if key in self.done:
            return
        compiled = context.sub_workflows[key]
        if key in self.in_progress:
            context.errors.collect(
                CompileError(
                    ErrorCode.CYCLE_DETECTED,
                    node_id,
                    f"Sub-workflow [{id_text(compiled.template.id)}] includes itself; use a launch plan to recurse.",
                )
            )
            return
        self.in_progress.add(key)
        _compile_template(context, compiled)
        self.in_progress.discard(key)
        self.done.add(key)


def _compile_template(context: CompileContext, compiled: compiler_pb2.CompiledWorkflow) -> None:
    """Builds and validates one workflow graph in place: nodes, bindings, edges, reachability, connections."""
    errors = context.errors
    template = compiled.template
    if not template.nodes:
        errors.collect(no_nodes_found(id_text(template.id)))
        return
    before = errors.count
    normalize_interface(START_NODE_ID, template.interface, errors)
    if errors.count != before:
        return

    scope = WorkflowScope(context, template)
    top_level = _rebuild_nodes(scope, template)
    for builder in top_level:
        validate_node(scope, builder)
    for node_id in sorted(scope.nodes):
        if node_id != START_NODE_ID:
            add_node_edges(scope, scope.nodes[node_id], EdgeDirection.BIDIRECTIONAL)
    if template.HasField("failure_node"):
        # The failure node runs outside the DAG: it is validated and depends on its inputs' producers only.
        failure = NodeBuilder(template.failure_node)
        validate_node(scope, failure)
        add_node_edges(scope, failure, EdgeDirection.UPSTREAM)
    _wire_orphans(scope, top_level)
    _check_reachability(scope)

    # The end node's bindings are the workflow outputs; keep the rewritten promises in the template too.
    del template.outputs[:]
    template.outputs.extend(scope.nodes[END_NODE_ID].node.inputs)
    compiled.connections.SetInParent()
    for provider in sorted(scope.downstream):
        compiled.connections.downstream[provider].ids.extend(sorted(scope.downstream[provider]))
    for dependent in sorted(scope.upstream):
        compiled.connections.upstream[dependent].ids.extend(sorted(scope.upstream[dependent]))


def _rebuild_nodes(scope: WorkflowScope, template: workflow_pb2.WorkflowTemplate) -> list[NodeBuilder]:
    """Replaces the node list with start-node, end-node and the user nodes (first of each id wins)."""
    originals = workflow_pb2.WorkflowTemplate(nodes=template.nodes)
    del template.nodes[:]
    start = template.nodes.add(id=START_NODE_ID)
    end = template.nodes.add(id=END_NODE_ID)
    end.inputs.extend(template.outputs)
    scope.nodes[START_NODE_ID] = NodeBuilder(
        start,
        interface_pb2.TypedInterface(inputs=interface_pb2.VariableMap(), outputs=template.interface.inputs),
    )
    scope.nodes[END_NODE_ID] = NodeBuilder(
        end,
        interface_pb2.TypedInterface(inputs=template.interface.outputs, outputs=interface_pb2.VariableMap()),
    )
    top_level: list[NodeBuilder] = []
    for original in originals.nodes:
        if original.id in scope.nodes:
            continue
        node = template.nodes.add()
        node.CopyFrom(original)
        builder = NodeBuilder(node)
        scope.nodes[node.id] = builder
        top_level.append(builder)
    return top_level


def _wire_orphans(scope: WorkflowScope, top_level: list[NodeBuilder]) -> None:
    """Nodes nothing feeds start with the workflow; nodes feeding nothing must finish before it ends."""
    for node_id in sorted(builder.id for builder in top_level):
        if node_id not in scope.upstream:
            scope.add_edge(START_NODE_ID, node_id, EdgeDirection.BIDIRECTIONAL)
        if node_id not in scope.downstream:
            scope.add_edge(node_id, END_NODE_ID, EdgeDirection.BIDIRECTIONAL)


def _check_reachability(scope: WorkflowScope) -> None:
    traversal = traverse(START_NODE_ID, scope.downstream)
    if traversal.cycle is not None:
        scope.errors.collect(cycle_detected(START_NODE_ID, traversal.cycle))
        return
    unreachable = sorted(set(scope.nodes) - traversal.visited - {END_NODE_ID})
    if unreachable:
        scope.errors.collect(unreachable_nodes(START_NODE_ID, unreachable))
