"""GetExecutionMetrics (flyteadmin §6.12): where an execution's time went, as a tree of spans.

The tree follows the workflow: each node execution is a span, broken down into operation spans (setup,
runtime, teardown, waiting between nodes) and, for branch, dynamic, sub-workflow and launch-plan nodes, the
spans of what ran inside them. `depth` bounds how far down the tree goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flyteidl.admin import execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import compiler_pb2, metrics_pb2, workflow_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from flyteplane.compiler import END_NODE_ID, START_NODE_ID
from flyteplane.compiler.identifiers import id_key
from flyteplane.errors import FailedPrecondition
from flyteplane.services.executions.executions import ExecutionService
from flyteplane.services.executions.node_executions import NodeExecutionService
from flyteplane.services.executions.task_executions import TaskExecutionService
from flyteplane.services.registry.workflows import WORKFLOWS
from flyteplane.store.db import Database

__all__ = ["ExecutionMetricsService"]

PAGE_SIZE = 50
NODE_IDLE = "NODE_IDLE"
NODE_RESET = "NODE_RESET"
NODE_SETUP = "NODE_SETUP"
NODE_TEARDOWN = "NODE_TEARDOWN"
NODE_TRANSITION = "NODE_TRANSITION"
TASK_RUNTIME = "TASK_RUNTIME"
TASK_SETUP = "TASK_SETUP"
TASK_TEARDOWN = "TASK_TEARDOWN"
WORKFLOW_SETUP = "WORKFLOW_SETUP"
WORKFLOW_TEARDOWN = "WORKFLOW_TEARDOWN"

NodeExecution = Any  # admin NodeExecution messages


def _operation(start: Timestamp, end: Timestamp, operation: str) -> metrics_pb2.Span:
    return metrics_pb2.Span(start_time=start, end_time=end, operation_id=operation)


def _nanos(stamp: Timestamp) -> int:
    return int(stamp.seconds) * 1_000_000_000 + int(stamp.nanos)


def _not_before(later: Timestamp, earlier: Timestamp) -> bool:
    return _nanos(later) >= _nanos(earlier)


def _end_of(started: Timestamp, duration: Any) -> Timestamp:
    end = Timestamp()
    end.FromNanoseconds(_nanos(started) + duration.ToNanoseconds())
    return end


def _is_set(stamp: Timestamp) -> bool:
    return bool(stamp.seconds or stamp.nanos)


def _latest_upstream(
    node_id: str, closure: compiler_pb2.CompiledWorkflowClosure, executions: dict[str, NodeExecution]
) -> NodeExecution | None:
    """The upstream node execution that finished last: from it on, `node_id` could have been scheduled."""
    latest = None
    upstream = closure.primary.connections.upstream
    if node_id not in upstream:
        return None
    for upstream_id in upstream[node_id].ids:
        candidate = executions.get(upstream_id)
        if candidate is None:
            continue
        if latest is None or _nanos(candidate.closure.updated_at) > _nanos(latest.closure.updated_at):
            latest = candidate
    return latest


def _branch_target(node_id: str, branch: workflow_pb2.BranchNode) -> Any:
    if_else = branch.if_else
    candidates = [if_else.case.then_node, *(other.then_node for other in if_else.other)]
    if if_else.HasField("else_node"):
        candidates.append(if_else.else_node)
    return next((node for node in candidates if node.id == node_id), None)


@dataclass(eq=False)
class ExecutionMetricsService:
    db: Database
    executions: ExecutionService
    node_executions: NodeExecutionService
    task_executions: TaskExecutionService

    def get_execution_metrics(
        self, request: execution_pb2.WorkflowExecutionGetMetricsRequest
    ) -> execution_pb2.WorkflowExecutionGetMetricsResponse:
        execution = self.executions.get_execution(execution_pb2.WorkflowExecutionGetRequest(id=request.id))
        return execution_pb2.WorkflowExecutionGetMetricsResponse(span=self._execution(execution, request.depth))

    # -- fetching ---------------------------------------------------------------------------------------

    def _workflow_closure(self, execution: execution_pb2.Execution) -> compiler_pb2.CompiledWorkflowClosure:
        with self.db.read() as session:
            row = WORKFLOWS.get(session, execution.closure.workflow_id)
        return compiler_pb2.CompiledWorkflowClosure.FromString(row.closure)

    def _list_nodes(self, execution_id: Any, parent: str = "") -> dict[str, NodeExecution]:
        """Node executions (top level, or one parent's children) keyed by their id in the workflow spec."""
        found: dict[str, NodeExecution] = {}
        token = ""
        while True:
            page = self.node_executions.list_node_executions(
                node_execution_pb2.NodeExecutionListRequest(
                    workflow_execution_id=execution_id, limit=PAGE_SIZE, token=token, unique_parent_id=parent
                )
            )
            for node_execution in page.node_executions:
                found[node_execution.metadata.spec_node_id] = node_execution
            token = page.token
            if not token:
                return found

    def _list_attempts(self, node_execution: NodeExecution) -> list[Any]:
        attempts: list[Any] = []
        token = ""
        while True:
            page = self.task_executions.list_task_executions(
                task_execution_pb2.TaskExecutionListRequest(
                    node_execution_id=node_execution.id, limit=PAGE_SIZE, token=token
                )
            )
            attempts.extend(page.task_executions)
            token = page.token
            if not token:
                return sorted(attempts, key=lambda attempt: _nanos(attempt.closure.created_at))

    # -- spans ------------------------------------------------------------------------------------------

    def _execution(self, execution: execution_pb2.Execution, depth: int) -> metrics_pb2.Span:
        spans: list[metrics_pb2.Span] = []
        closure = execution.closure
        if depth != 0:
            workflow = self._workflow_closure(execution)
            nodes = self._list_nodes(execution.id)
            start = nodes.get(START_NODE_ID)
            if start is None or not _is_set(start.closure.updated_at):
                spans.append(_operation(closure.created_at, closure.updated_at, WORKFLOW_SETUP))
            else:
                spans.append(_operation(closure.created_at, start.closure.updated_at, WORKFLOW_SETUP))
                spans.extend(self._nodes(nodes, workflow, depth - 1))
                last = _latest_upstream(END_NODE_ID, workflow, nodes)
                if last is not None and _not_before(closure.updated_at, last.closure.updated_at):
                    spans.append(_operation(last.closure.updated_at, closure.updated_at, WORKFLOW_TEARDOWN))
        return metrics_pb2.Span(
            start_time=closure.created_at, end_time=closure.updated_at, workflow_id=execution.id, spans=spans
        )

    def _nodes(
        self, nodes: dict[str, NodeExecution], workflow: compiler_pb2.CompiledWorkflowClosure, depth: int
    ) -> list[metrics_pb2.Span]:
        """Each node's span in creation order, preceded by the wait since its last upstream node finished."""
        spans = []
        template_nodes = {node.id: node for node in workflow.primary.template.nodes}
        for node_execution in sorted(nodes.values(), key=lambda ne: _nanos(ne.closure.created_at)):
            spec_id = node_execution.metadata.spec_node_id
            if spec_id in (START_NODE_ID, END_NODE_ID):
                continue
            node = template_nodes.get(spec_id)
            if node is None:
                raise FailedPrecondition(
                    f"failed to discover workflow node '{spec_id}' in workflow '{workflow.primary.template.id.name}'"
                )
            span = self._node(node_execution, node, workflow, depth)
            upstream = _latest_upstream(spec_id, workflow, nodes)
            if upstream is not None:
                transition = _operation(upstream.closure.updated_at, node_execution.closure.created_at, NODE_TRANSITION)
                span.spans.insert(0, transition)
            spans.append(span)
        return spans

    def _node(
        self,
        node_execution: NodeExecution,
        node: Any,
        workflow: compiler_pb2.CompiledWorkflowClosure,
        depth: int,
    ) -> metrics_pb2.Span:
        spans: list[metrics_pb2.Span] = []
        if depth != 0:
            kind = node.WhichOneof("target")
            if kind == "branch_node":
                spans = self._branch(node_execution, node.branch_node, workflow, depth - 1)
            elif kind == "gate_node":
                spans = self._gate(node_execution)
            elif kind == "task_node":
                if node_execution.metadata.is_parent_node:
                    spans = self._dynamic(node_execution, depth - 1)
                else:
                    spans = self._task_node(node_execution, depth - 1)
            elif kind == "workflow_node":
                if node.workflow_node.WhichOneof("reference") == "launchplan_ref":
                    spans = self._launch_plan_node(node_execution, depth - 1)
                else:
                    sub = self._sub_workflow(workflow, node.workflow_node.sub_workflow_ref)
                    spans = self._sub_workflow_node(node_execution, sub, depth - 1)
            # array nodes and unknown kinds: the node's own span only, as flyteadmin
        closure = node_execution.closure
        return metrics_pb2.Span(
            start_time=closure.created_at, end_time=closure.updated_at, node_id=node_execution.id, spans=spans
        )

    def _sub_workflow(
        self, workflow: compiler_pb2.CompiledWorkflowClosure, reference: Any
    ) -> compiler_pb2.CompiledWorkflowClosure:
        """A sub-workflow's compiled template lives in the parent's closure (flyteadmin fetches it as a
        registered workflow, which fails for sub-workflows registered only inside their parent)."""
        for sub in workflow.sub_workflows:
            if id_key(sub.template.id) == id_key(reference):
                return compiler_pb2.CompiledWorkflowClosure(
                    primary=sub, sub_workflows=workflow.sub_workflows, tasks=workflow.tasks
                )
        with self.db.read() as session:
            row = WORKFLOWS.get(session, reference)
        return compiler_pb2.CompiledWorkflowClosure.FromString(row.closure)

    def _branch(
        self,
        node_execution: NodeExecution,
        branch: Any,
        workflow: compiler_pb2.CompiledWorkflowClosure,
        depth: int,
    ) -> list[Any]:
        closure = node_execution.closure
        children = self._list_nodes(node_execution.id.execution_id, node_execution.id.node_id)
        if not children:
            return [_operation(closure.created_at, closure.updated_at, NODE_SETUP)]
        if len(children) != 1:
            raise FailedPrecondition(
                f"invalid branch node execution: expected 1 but found {len(children)} node execution(s)"
            )
        (taken,) = children.values()
        node = _branch_target(taken.metadata.spec_node_id, branch)
        if node is None:
            raise FailedPrecondition(
                f"failed to identify branch node final node definition for nodeID '{taken.metadata.spec_node_id}'"
            )
        spans = [
            _operation(closure.created_at, taken.closure.created_at, NODE_SETUP),
            self._node(taken, node, workflow, depth),
        ]
        if _not_before(closure.updated_at, taken.closure.updated_at):
            spans.append(_operation(taken.closure.updated_at, closure.updated_at, NODE_TEARDOWN))
        return spans

    @staticmethod
    def _gate(node_execution: NodeExecution) -> list[Any]:
        closure = node_execution.closure
        if not _is_set(closure.started_at):
            return [_operation(closure.created_at, closure.updated_at, NODE_SETUP)]
        spans = [_operation(closure.created_at, closure.started_at, NODE_SETUP)]
        if not (closure.duration.seconds or closure.duration.nanos):
            spans.append(_operation(closure.started_at, closure.updated_at, NODE_IDLE))
        else:
            end = _end_of(closure.started_at, closure.duration)
            spans.append(_operation(closure.started_at, end, NODE_IDLE))
            spans.append(_operation(end, closure.updated_at, NODE_TEARDOWN))
        return spans

    def _setup_and_attempts(self, node_execution: NodeExecution, depth: int) -> tuple[list[Any], list[Any]]:
        """Setup until the first attempt, then the attempts; without attempts the whole node is setup."""
        closure = node_execution.closure
        attempts = self._list_attempts(node_execution)
        if not attempts:
            return [_operation(closure.created_at, closure.updated_at, NODE_SETUP)], attempts
        spans = [_operation(closure.created_at, attempts[0].closure.created_at, NODE_SETUP)]
        spans.extend(_attempts(attempts, depth))
        return spans, attempts

    def _task_node(self, node_execution: NodeExecution, depth: int) -> list[Any]:
        closure = node_execution.closure
        spans, attempts = self._setup_and_attempts(node_execution, depth)
        if not attempts:
            return spans
        last = attempts[-1].closure
        if _not_before(closure.updated_at, last.updated_at):
            spans.append(_operation(last.updated_at, closure.updated_at, NODE_TEARDOWN))
        return spans

    def _dynamic(self, node_execution: NodeExecution, depth: int) -> list[Any]:
        closure = node_execution.closure
        spans, attempts = self._setup_and_attempts(node_execution, depth)
        if not attempts:
            return spans
        children = self._list_nodes(node_execution.id.execution_id, node_execution.id.node_id)
        last = attempts[-1].closure
        if not children:
            if _not_before(closure.updated_at, last.updated_at):
                spans.append(_operation(last.updated_at, closure.updated_at, NODE_RESET))
            return spans
        start = children.get(START_NODE_ID)
        if start is not None:
            spans.append(_operation(last.updated_at, start.closure.updated_at, NODE_RESET))
        data = self.node_executions.get_node_execution_data(
            node_execution_pb2.NodeExecutionGetDataRequest(id=node_execution.id)
        )
        dynamic = data.dynamic_workflow.compiled_workflow
        spans.extend(self._nodes(children, dynamic, depth))
        upstream = _latest_upstream(END_NODE_ID, dynamic, children)
        if upstream is not None and _not_before(closure.updated_at, upstream.closure.updated_at):
            spans.append(_operation(upstream.closure.updated_at, closure.updated_at, NODE_TEARDOWN))
        return spans

    def _launch_plan_node(self, node_execution: NodeExecution, depth: int) -> list[Any]:
        closure = node_execution.closure
        if not closure.HasField("workflow_node_metadata"):
            return [_operation(closure.created_at, closure.updated_at, NODE_SETUP)]
        child = self.executions.get_execution(
            execution_pb2.WorkflowExecutionGetRequest(id=closure.workflow_node_metadata.executionId)
        )
        spans = [
            _operation(closure.created_at, child.closure.created_at, NODE_SETUP),
            self._execution(child, depth),
        ]
        if _not_before(closure.updated_at, child.closure.updated_at):
            spans.append(_operation(child.closure.updated_at, closure.updated_at, NODE_TEARDOWN))
        return spans

    def _sub_workflow_node(
        self, node_execution: NodeExecution, sub: compiler_pb2.CompiledWorkflowClosure, depth: int
    ) -> list[Any]:
        closure = node_execution.closure
        children = self._list_nodes(node_execution.id.execution_id, node_execution.id.node_id)
        if not children:
            return [_operation(closure.created_at, closure.updated_at, NODE_SETUP)]
        start = children.get(START_NODE_ID)
        spans = []
        if start is not None:
            spans.append(_operation(closure.created_at, start.closure.updated_at, NODE_SETUP))
        spans.extend(self._nodes(children, sub, depth))
        upstream = _latest_upstream(END_NODE_ID, sub, children)
        if upstream is not None and _not_before(closure.updated_at, upstream.closure.updated_at):
            spans.append(_operation(upstream.closure.updated_at, closure.updated_at, NODE_TEARDOWN))
        return spans


def _attempts(attempts: list[Any], depth: int) -> list[metrics_pb2.Span]:
    """Attempts in order, with the reset time between one attempt's end and the next one's creation."""
    spans = []
    for index, attempt in enumerate(attempts):
        if index > 0:
            spans.append(_operation(attempts[index - 1].closure.updated_at, attempt.closure.created_at, NODE_RESET))
        if depth != 0:
            spans.append(_attempt(attempt))
    return spans


def _attempt(attempt: Any) -> metrics_pb2.Span:
    closure = attempt.closure
    spans = []
    if not _is_set(closure.started_at):
        spans.append(_operation(closure.created_at, closure.updated_at, TASK_SETUP))
    else:
        spans.append(_operation(closure.created_at, closure.started_at, TASK_SETUP))
        if not (closure.duration.seconds or closure.duration.nanos):
            spans.append(_operation(closure.started_at, closure.updated_at, TASK_RUNTIME))
        else:
            end = _end_of(closure.started_at, closure.duration)
            spans.append(_operation(closure.started_at, end, TASK_RUNTIME))
            if _not_before(closure.updated_at, end):
                spans.append(_operation(end, closure.updated_at, TASK_TEARDOWN))
    return metrics_pb2.Span(start_time=closure.created_at, end_time=closure.updated_at, task_id=attempt.id, spans=spans)
