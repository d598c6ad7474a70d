"""Which tasks this control plane can run, decided before an execution is queued: the engine's own task types
(echo, which needs no process) and those the executor declares (`Executor.task_types`). A task outside both would
only fail once its node is reached; CreateExecution refuses it up front, naming the node and the type."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flyteidl.core import compiler_pb2, identifier_pb2, tasks_pb2, workflow_pb2

from flyteplane.engine.executors.base import ANY_CONTAINER
from flyteplane.engine.nodes.echo import ECHO_TASK_TYPE

__all__ = ["ENGINE_TASK_TYPES", "RunnableTasks"]

ENGINE_TASK_TYPES = frozenset({ECHO_TASK_TYPE})
"""Task types the engine runs itself, without the executor."""


class RunnableTasks:
    """The task types of one executor plus the engine's own; says why a task, or a workflow's node, cannot run."""

    def __init__(self, executor_types: frozenset[str]) -> None:
        self.executor_types = executor_types

    def refusal(self, task: tasks_pb2.TaskTemplate, *, in_array: bool = False) -> str | None:
        """Why `task` cannot run here; None when it can. An array node hands every item to the executor, so the
        engine's own types do not run there."""
        has_container = task.WhichOneof("target") in ("container", "k8s_pod")
        if task.type in self.executor_types or (task.type in ENGINE_TASK_TYPES and not in_array):
            return None
        if task.type in ENGINE_TASK_TYPES:
            return f"task [{task.id.name}] of type [{task.type}] cannot run as an array node's item"
        any_container = ANY_CONTAINER in self.executor_types
        if any_container and has_container:
            return None
        runs = ", ".join(sorted((self.executor_types | ENGINE_TASK_TYPES) - {ANY_CONTAINER}))
        if any_container:
            runs += " and any task type with a container"
        shape = "with" if has_container else "without"
        return f"task [{task.id.name}] of type [{task.type}] {shape} a container: this server runs {runs}"

    def unrunnable(self, workflow: compiler_pb2.CompiledWorkflowClosure) -> str | None:
        """A message naming the first task node (of the workflow or its sub-workflows, in branches and array
        nodes too) whose task cannot run here; None when all can. Tasks a dynamic node yields are not known yet:
        they fail their node if they cannot run."""
        tasks = {_key(t.template.id): t.template for t in workflow.tasks}
        for template in [workflow.primary.template, *(sub.template for sub in workflow.sub_workflows)]:
            for node, in_array in _walk(template.nodes):
                if node.WhichOneof("target") != "task_node":
                    continue
                task = tasks.get(_key(node.task_node.reference_id))
                reason = None if task is None else self.refusal(task, in_array=in_array)
                if reason is not None:
                    return f"node [{node.id}] cannot run: {reason}"
        return None


def _walk(nodes: Iterable[workflow_pb2.Node], in_array: bool = False) -> Iterator[tuple[workflow_pb2.Node, bool]]:
    """Every node, in branches and array nodes too, and whether it is an array node's item."""
    for node in nodes:
        yield node, in_array
        target = node.WhichOneof("target")
        if target == "branch_node":
            branch = node.branch_node.if_else
            yield from _walk([branch.case.then_node, *(case.then_node for case in branch.other)], in_array)
            if branch.HasField("else_node"):
                yield from _walk([branch.else_node], in_array)
        elif target == "array_node":
            yield from _walk([node.array_node.node], True)


def _key(identifier: identifier_pb2.Identifier) -> tuple[str, str, str, str]:
    return (identifier.project, identifier.domain, identifier.name, identifier.version)
