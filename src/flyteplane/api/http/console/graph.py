"""The node graph of an execution as the page draws it: one level at a time (the workflow's own nodes, or the
children of one parent node), each node with its kind, phase and whether it opens into children, and the edges of
the level's template. Children (subworkflows, dynamic workflows, map items) are never sent before they are asked
for, so a run of thousands of nodes costs the page only the level it shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flyteidl.admin import node_execution_pb2
from flyteidl.core import compiler_pb2, workflow_pb2

from flyteplane.api.http.console.views import duration_text, node_phase

__all__ = ["Level", "level_of", "node_kind", "sub_workflow"]

START, END = "start-node", "end-node"


@dataclass
class Level:
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": [list(edge) for edge in self.edges]}


def node_kind(node: workflow_pb2.Node, task_types: dict[str, str]) -> str:
    """task (with its task type), subworkflow, launchplan, branch, gate, map."""
    kind = node.WhichOneof("target")
    if kind == "task_node":
        return task_types.get(_id_key(node.task_node.reference_id), "task")
    if kind == "workflow_node":
        return "launchplan" if node.workflow_node.HasField("launchplan_ref") else "subworkflow"
    if kind == "array_node":
        return "map"
    if kind == "branch_node":
        return "branch"
    if kind == "gate_node":
        return "gate"
    return kind or "node"


def _id_key(identifier: Any) -> str:
    return f"{identifier.project}/{identifier.domain}/{identifier.name}/{identifier.version}"


def task_types_of(closure: compiler_pb2.CompiledWorkflowClosure) -> dict[str, str]:
    return {_id_key(task.template.id): task.template.type for task in closure.tasks}


def sub_workflow(
    closure: compiler_pb2.CompiledWorkflowClosure, node: workflow_pb2.Node
) -> compiler_pb2.CompiledWorkflow | None:
    if node.WhichOneof("target") != "workflow_node" or not node.workflow_node.HasField("sub_workflow_ref"):
        return None
    key = _id_key(node.workflow_node.sub_workflow_ref)
    for sub in closure.sub_workflows:
        if _id_key(sub.template.id) == key:
            return sub
    return None


def level_of(
    workflow: compiler_pb2.CompiledWorkflow | None,
    task_types: dict[str, str],
    executions: Iterable[node_execution_pb2.NodeExecution],
) -> Level:
    """The nodes of one level: those of the template (in its order, with its edges), each joined to its node
    execution by spec node id; executions the template does not know (dynamic children, map items) are added
    after them, without edges."""
    by_spec: dict[str, node_execution_pb2.NodeExecution] = {}
    extra: list[node_execution_pb2.NodeExecution] = []
    for execution in executions:
        spec_id = execution.metadata.spec_node_id or execution.id.node_id
        if spec_id in (START, END):
            continue
        if spec_id in by_spec:
            extra.append(execution)
        else:
            by_spec[spec_id] = execution
    level = Level()
    known: set[str] = set()
    if workflow is not None:
        for node in workflow.template.nodes:
            if node.id in (START, END):
                continue
            known.add(node.id)
            level.nodes.append(_node(node.id, node.metadata.name or node.id, node_kind(node, task_types), by_spec))
            for upstream in node.upstream_node_ids:
                if upstream not in (START, END):
                    level.edges.append((upstream, node.id))
        if not level.edges:
            for target, sources in workflow.connections.upstream.items():
                for source in sources.ids:
                    if source not in (START, END) and target not in (START, END):
                        level.edges.append((source, target))
    for spec_id in by_spec:
        if spec_id not in known:
            level.nodes.append(_node(spec_id, spec_id, "", by_spec))
    for execution in extra:
        level.nodes.append(_entry(execution.id.node_id, execution.id.node_id, "", execution))
    return level


def _node(node_id: str, label: str, kind: str, by_spec: dict[str, node_execution_pb2.NodeExecution]) -> dict[str, Any]:
    return _entry(node_id, label, kind, by_spec.get(node_id))


def _entry(node_id: str, label: str, kind: str, execution: node_execution_pb2.NodeExecution | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": node_id, "label": _short(label), "kind": kind, "phase": "UNDEFINED"}
    if execution is not None:
        meta = execution.metadata
        entry.update(
            exec_id=execution.id.node_id,
            phase=node_phase(execution.closure.phase),
            duration=duration_text(execution.closure.duration),
            parent=bool(meta.is_parent_node or meta.is_dynamic or meta.is_array),
        )
        if meta.is_dynamic:
            entry["kind"] = entry["kind"] or "dynamic"
            entry["dynamic"] = True
    if kind in ("subworkflow", "map", "branch", "launchplan") and execution is not None:
        entry["parent"] = entry.get("parent") or kind != "launchplan"
    return entry


def _short(label: str) -> str:
    """`flows.module.task_name` → `task_name`; long names cut so a node box stays readable."""
    tail = label.rsplit(".", 1)[-1]
    return tail if len(tail) <= 40 else tail[:39] + "…"
