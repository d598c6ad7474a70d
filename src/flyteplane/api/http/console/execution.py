"""The execution page, the most used one: status and duration, inputs and outputs, gates waiting for a value, the
graph (drawn by static/console.js from graph.json, one level at a time), the node list with its timeline, and a
node's details (attempts, logs, error, deck) fetched only when the node is opened. While the execution runs the
status, graph and node list poll their fragments; they stop once it has ended."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from flyteidl.admin import common_pb2, execution_pb2, node_execution_pb2, signal_pb2, task_execution_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, interface_pb2, literals_pb2
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from flyteplane.api.http.console.context import Console, execution_id_of
from flyteplane.api.http.console.graph import Level, level_of, sub_workflow, task_types_of
from flyteplane.api.http.console.literals import show_literal, type_name
from flyteplane.api.http.console.views import (
    TERMINAL_WORKFLOW,
    running_duration,
    seconds_of,
    task_phase,
    workflow_phase,
)
from flyteplane.errors import FlyteplaneError, NotFound

__all__ = ["ExecutionPages"]

PAGE = 1000  # node executions per ListNodeExecutions call
LIST_ROWS = 100  # rows of the node list at first; "show more" asks for five times as many
MAX_LIST_ROWS = 100_000
CACHED_WORKFLOWS = 64  # compiled workflows kept, oldest dropped first


class ExecutionPages:
    def __init__(self, console: Console) -> None:
        self.c = console
        self._closures: dict[bytes, compiler_pb2.CompiledWorkflowClosure] = {}
        self._closures_lock = threading.Lock()

    # -- the page and its fragments ----------------------------------------------------------------------------

    def page(self, request: Request) -> Response:
        execution = self._execution(request)
        if execution is None:
            return self._missing(request)
        data = self._data(execution.id)
        interface = self._interface(execution)
        inputs = self._values(data.full_inputs if data is not None else None, interface.inputs if interface else None)
        return self.c.page(
            request,
            "execution.html",
            title=execution.id.name,
            execution=execution,
            inputs=inputs,
            **self._status_context(execution, data, interface),
        )

    def status(self, request: Request) -> Response:
        execution = self._execution(request)
        if execution is None:
            return self._missing(request)
        if workflow_phase(execution.closure.phase) not in TERMINAL_WORKFLOW:
            # Polled every second while it runs: outputs (data and the interface's types) only once it has ended.
            context = self._status_context(execution, None, None)
        else:
            context = self._status_context(execution, self._data(execution.id), self._interface(execution))
        return self.c.views.page("execution_status.html", base="/console", execution=execution, **context)

    def graph(self, request: Request) -> Response:
        execution = self._execution(request)
        if execution is None:
            return JSONResponse({"error": "no such execution"}, status_code=404)
        parent = request.query_params.get("parent", "")
        closure = self._compiled(execution)
        level = self._level(execution, closure, parent)
        if parent and not level.nodes:
            level = self._map_items(execution.id, parent)
        phase = workflow_phase(execution.closure.phase)
        return JSONResponse(
            {**level.as_json(), "phase": phase, "done": phase in TERMINAL_WORKFLOW},
            headers={"Cache-Control": "no-store"},
        )

    def nodes(self, request: Request) -> Response:
        execution = self._execution(request)
        if execution is None:
            return self._missing(request)
        parent = request.query_params.get("parent", "")
        try:
            shown = min(max(int(request.query_params.get("rows", LIST_ROWS)), 1), MAX_LIST_ROWS)
        except ValueError:
            shown = LIST_ROWS
        nodes, more = self._node_executions(execution.id, parent, at_most=shown)
        rows = self._timeline(execution, nodes)
        phase = workflow_phase(execution.closure.phase)
        return self.c.views.page(
            "execution_nodes.html",
            base="/console",
            execution=execution,
            rows=rows,
            parent=parent,
            done=phase in TERMINAL_WORKFLOW,
            shown=shown,
            more=min(shown * 5, MAX_LIST_ROWS) if more and shown < MAX_LIST_ROWS else 0,
        )

    def node(self, request: Request) -> Response:
        execution_id = execution_id_of(request)
        node_id = request.path_params["node_id"]
        ident = identifier_pb2.NodeExecutionIdentifier(execution_id=execution_id, node_id=node_id)
        try:
            node = self.c.rpc("GetNodeExecution", node_execution_pb2.NodeExecutionGetRequest(id=ident))
        except NotFound:
            return self.c.views.page("message.html", status=404, message=f"no node [{node_id}] in this execution")
        try:
            data = self.c.rpc("GetNodeExecutionData", node_execution_pb2.NodeExecutionGetDataRequest(id=ident))
        except FlyteplaneError:
            data = None
        attempts = self._attempts(ident)
        _place_attempts(attempts)
        deck = self.c.link_of(node.closure.deck_uri) if node.closure.deck_uri else None
        return self.c.views.page(
            "node_details.html",
            base="/console",
            node=node,
            inputs=self._values(data.full_inputs if data else None, None),
            outputs=self._values(data.full_outputs if data else None, None),
            attempts=attempts,
            deck=deck,
            children=node.metadata.is_parent_node,
        )

    # -- reading ---------------------------------------------------------------------------------------------

    def _missing(self, request: Request) -> Response:
        name = request.path_params.get("name", "")
        return self.c.page(request, "message.html", status=404, title="Not found", message=f"no execution [{name}]")

    def _execution(self, request: Request) -> execution_pb2.Execution | None:
        try:
            return self.c.rpc("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=execution_id_of(request)))
        except NotFound:
            return None

    def _data(self, ident: identifier_pb2.WorkflowExecutionIdentifier) -> Any:
        try:
            return self.c.rpc("GetExecutionData", execution_pb2.WorkflowExecutionGetDataRequest(id=ident))
        except FlyteplaneError:
            return None

    def _compiled(self, execution: execution_pb2.Execution) -> compiler_pb2.CompiledWorkflowClosure | None:
        """The compiled workflow the execution runs; kept (a workflow version never changes once registered), so
        a page polling a big workflow does not parse its closure every second."""
        workflow_id = execution.closure.workflow_id
        if not workflow_id.name:
            return None
        key = workflow_id.SerializeToString(deterministic=True)
        cached = self._closures.get(key)
        if cached is not None:
            return cached
        try:
            workflow = self.c.rpc("GetWorkflow", common_pb2.ObjectGetRequest(id=workflow_id))
        except FlyteplaneError:
            return None
        closure: compiler_pb2.CompiledWorkflowClosure = workflow.closure.compiled_workflow
        with self._closures_lock:  # pages are served from several threads
            if len(self._closures) >= CACHED_WORKFLOWS:
                self._closures.pop(next(iter(self._closures)))
            self._closures[key] = closure
        return closure

    def _interface(self, execution: execution_pb2.Execution) -> interface_pb2.TypedInterface | None:
        closure = self._compiled(execution)
        return closure.primary.template.interface if closure is not None else None

    def _values(
        self, literal_map: literals_pb2.LiteralMap | None, variables: interface_pb2.VariableMap | None
    ) -> list[tuple[str, str, Any]]:
        """(name, type, shown value) for each entry; the type comes from the interface where it is known."""
        if literal_map is None:
            return []
        types = {name: type_name(v.type) for name, v in variables.variables.items()} if variables else {}
        return [
            (name, types.get(name, ""), show_literal(literal, self.c.link_of))
            for name, literal in sorted(literal_map.literals.items())
        ]

    def _status_context(
        self, execution: execution_pb2.Execution, data: Any, interface: interface_pb2.TypedInterface | None
    ) -> dict[str, Any]:
        phase = workflow_phase(execution.closure.phase)
        done = phase in TERMINAL_WORKFLOW
        outputs = self._values(
            data.full_outputs if data is not None else None, interface.outputs if interface else None
        )
        return {
            "phase": phase,
            "done": done,
            "duration": running_duration(execution.closure.started_at, execution.closure.duration, phase),
            "outputs": outputs,
            "signals": [] if done else self._pending_signals(execution.id),
            "archived": execution.closure.state_change_details.state == execution_pb2.EXECUTION_ARCHIVED,
        }

    def _pending_signals(self, ident: identifier_pb2.WorkflowExecutionIdentifier) -> list[dict[str, Any]]:
        try:
            listed = self.c.rpc("ListSignals", signal_pb2.SignalListRequest(workflow_execution_id=ident, limit=100))
        except FlyteplaneError:
            return []
        pending = []
        for signal in listed.signals:
            if signal.HasField("value"):
                continue
            pending.append(
                {
                    "id": signal.id.signal_id,
                    "type": type_name(signal.type),
                    "boolean": signal.type.WhichOneof("type") == "simple" and signal.type.simple == 4,
                }
            )
        return pending

    def _node_executions(
        self, ident: identifier_pb2.WorkflowExecutionIdentifier, parent: str, at_most: int = 0
    ) -> tuple[list[node_execution_pb2.NodeExecution], bool]:
        """The nodes of one level (`at_most` of them when given) and whether more are left."""
        found: list[node_execution_pb2.NodeExecution] = []
        token = ""
        while True:
            limit = min(PAGE, at_most - len(found)) if at_most else PAGE
            request = node_execution_pb2.NodeExecutionListRequest(
                workflow_execution_id=ident, limit=limit, token=token, unique_parent_id=parent
            )
            try:
                page = self.c.rpc("ListNodeExecutions", request)
            except NotFound:
                return found, False
            found.extend(page.node_executions)
            token = page.token
            if not token:
                return found, False
            if at_most and len(found) >= at_most:
                return found, True

    def _level(
        self, execution: execution_pb2.Execution, closure: compiler_pb2.CompiledWorkflowClosure | None, parent: str
    ) -> Level:
        executions, _more = self._node_executions(execution.id, parent)
        if closure is None:
            return level_of(None, {}, executions)
        task_types = task_types_of(closure)
        if not parent:
            return level_of(closure.primary, task_types, executions)
        template = self._children_template(execution, closure, parent)
        if template is not None:
            closure_of, workflow = template
            return level_of(workflow, {**task_types, **task_types_of(closure_of)}, executions)
        return level_of(None, task_types, executions)

    def _children_template(
        self, execution: execution_pb2.Execution, closure: compiler_pb2.CompiledWorkflowClosure, parent: str
    ) -> tuple[compiler_pb2.CompiledWorkflowClosure, compiler_pb2.CompiledWorkflow] | None:
        """The workflow a parent node runs: its dynamic workflow, or the subworkflow its template names."""
        ident = identifier_pb2.NodeExecutionIdentifier(execution_id=execution.id, node_id=parent)
        try:
            dynamic = self.c.rpc("GetDynamicNodeWorkflow", node_execution_pb2.GetDynamicNodeWorkflowRequest(id=ident))
            if dynamic.compiled_workflow.primary.template.nodes:
                return dynamic.compiled_workflow, dynamic.compiled_workflow.primary
        except FlyteplaneError:
            pass
        try:
            node = self.c.rpc("GetNodeExecution", node_execution_pb2.NodeExecutionGetRequest(id=ident))
        except FlyteplaneError:
            return None
        spec_id = node.metadata.spec_node_id or parent
        for template_node in _all_nodes(closure):
            if template_node.id == spec_id:
                sub = sub_workflow(closure, template_node)
                if sub is not None:
                    return closure, sub
        return None

    def _timeline(
        self, execution: execution_pb2.Execution, nodes: list[node_execution_pb2.NodeExecution]
    ) -> list[dict[str, Any]]:
        """Each node with where its bar starts and how wide it is, as shares of the execution's span."""
        now = datetime.now(timezone.utc).timestamp()
        start = _seconds(execution.closure.started_at) or min(
            (_seconds(n.closure.started_at) for n in nodes if n.closure.started_at.seconds), default=now
        )
        ends = [
            _seconds(n.closure.started_at) + (seconds_of(n.closure.duration) or (now - _seconds(n.closure.started_at)))
            for n in nodes
            if n.closure.started_at.seconds
        ]
        span = max([*ends, start + seconds_of(execution.closure.duration), start + 0.001]) - start
        rows = []
        for n in nodes:
            if n.id.node_id in ("start-node", "end-node"):
                continue
            begin = _seconds(n.closure.started_at)
            length = seconds_of(n.closure.duration) or ((now - begin) if begin else 0.0)
            rows.append(
                {
                    "node": n,
                    "left": max(0.0, (begin - start) / span * 100) if begin else 0.0,
                    "width": max(0.5, length / span * 100) if begin else 0.0,
                    "length": length,
                }
            )
        return rows

    def _map_items(self, execution_id: identifier_pb2.WorkflowExecutionIdentifier, parent: str) -> Level:
        """A map node's items, as its latest attempt reports them (external resources), as one edgeless level."""
        ident = identifier_pb2.NodeExecutionIdentifier(execution_id=execution_id, node_id=parent)
        attempts = self._attempts(ident)
        level = Level()
        if attempts:
            for item in attempts[-1]["map_items"]:
                level.nodes.append(
                    {
                        "id": f"{parent}[{item['index']}]",
                        "label": f"item {item['index']}",
                        "kind": "map item",
                        "phase": item["phase"],
                        "exec_id": parent,
                        "parent": False,
                    }
                )
        return level

    def _attempts(self, ident: identifier_pb2.NodeExecutionIdentifier) -> list[dict[str, Any]]:
        try:
            listed = self.c.rpc(
                "ListTaskExecutions",
                task_execution_pb2.TaskExecutionListRequest(node_execution_id=ident, limit=100),
            )
        except FlyteplaneError:
            return []
        attempts = []
        for attempt in listed.task_executions:
            logs = [
                {"name": log.name or "log", "uri": log.uri, "inline": _local_log_path(log.uri)}
                for log in attempt.closure.logs
            ]
            items = [_map_item(resource) for resource in attempt.closure.metadata.external_resources]
            counts: dict[str, int] = {}
            for item in items:
                counts[item["phase"]] = counts.get(item["phase"], 0) + 1
            attempts.append(
                {"attempt": attempt, "logs": logs, "map_items": items, "item_counts": sorted(counts.items())}
            )
        return attempts


def _place_attempts(attempts: list[dict[str, Any]]) -> None:
    """Each attempt's bar on the node's timeline (a Gantt of its attempts): `left` and `width` as shares of the span
    from the first attempt's start to the last one's end."""
    now = datetime.now(timezone.utc).timestamp()
    spans = []
    for entry in attempts:
        closure = entry["attempt"].closure
        # An attempt that ended before it reported running has no start: it spans its creation to its last event.
        begin = _seconds(closure.started_at) or _seconds(closure.created_at)
        ended = task_phase(closure.phase) in ("SUCCEEDED", "FAILED", "ABORTED", "RETRYABLE_FAILURE")
        last = _seconds(closure.updated_at) if ended else now
        length = seconds_of(closure.duration) or ((last - begin) if begin else 0.0)
        spans.append((begin, length))
    started = [begin for begin, _ in spans if begin]
    if not started:
        return
    first = min(started)
    span = max(max(begin + length for begin, length in spans if begin) - first, 0.001)
    for entry, (begin, length) in zip(attempts, spans, strict=True):
        if begin:
            entry["left"] = (begin - first) / span * 100
            entry["width"] = max(0.5, length / span * 100)


def _map_item(resource: Any) -> dict[str, Any]:
    """One map item: its index, phase and logs (the local executor's attempt logs when it names none)."""
    logs = [{"name": log.name or "log", "uri": log.uri, "inline": _local_log_path(log.uri)} for log in resource.logs]
    if not logs and resource.external_id:
        logs = [
            {"name": stream, "uri": f"/logs/{resource.external_id}/{stream}", "inline": None}
            for stream in ("stdout", "stderr")
        ]
    return {"index": resource.index, "phase": task_phase(resource.phase), "logs": logs, "cache": resource.cache_status}


def _all_nodes(closure: compiler_pb2.CompiledWorkflowClosure) -> list[Any]:
    nodes = list(closure.primary.template.nodes)
    for sub in closure.sub_workflows:
        nodes.extend(sub.template.nodes)
    return nodes


def _seconds(stamp: Any) -> float:
    return float(stamp.seconds + stamp.nanos / 1e9)


def _local_log_path(uri: str) -> str | None:
    """The path of a log this server serves (`/logs/<attempt>/<stream>`), fetched by the page on the same origin."""
    path = urlsplit(uri).path
    return path if path.startswith("/logs/") else None
