"""The engine's durable state of one execution, stored as JSON in `engine_workflows.state`.

It holds what propeller keeps in the FlyteWorkflow status: each node's phase, attempt counters, the executor
handle of the running attempt, which branch was taken, the child execution of a launch-plan node. Everything
else (inputs, outputs, errors) lives in the blob store and in the admin records.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

TERMINAL_NODE_PHASES = frozenset({"SUCCEEDED", "FAILED", "SKIPPED", "ABORTED", "TIMED_OUT", "RECOVERED"})
DONE_OK = frozenset({"SUCCEEDED", "RECOVERED"})
TERMINAL_WORKFLOW_PHASES = frozenset({"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"})


@dataclass
class NodeState:
    phase: str = "NOT_STARTED"
    attempt: int = 0  # the node's attempt counter (system failures included), Flyte's retry_attempt
    system_failures: int = 0
    queued_at: float = 0.0
    started_at: float = 0.0
    attempt_started_at: float = 0.0
    output_dir: str = ""  # blob key of the current attempt's output dir
    error: str = ""  # base64 of core.ExecutionError once failed
    # task nodes
    attempt_id: str = ""  # executor handle of the current attempt
    task_phase: str = ""  # last task execution phase reported for the current attempt
    cache_status: str = ""
    # branch nodes
    branch_taken: str = ""  # spec id of the chosen node
    # launch-plan nodes
    child_execution: str = ""
    # dynamic tasks
    dynamic: bool = False
    # array nodes: one small state per item
    items: list[dict[str, Any]] = field(default_factory=list)
    # gate nodes
    gate_started_at: float = 0.0

    @property
    def terminal(self) -> bool:
        return self.phase in TERMINAL_NODE_PHASES

    @property
    def ok(self) -> bool:
        return self.phase in DONE_OK


_NODE_FIELDS = {f.name for f in fields(NodeState)}


@dataclass
class WorkflowState:
    phase: str = "NOT_STARTED"
    started_at: float = 0.0
    error: str = ""
    failure_node_started: bool = False
    nodes: dict[str, NodeState] = field(default_factory=dict)

    def node(self, unique_id: str) -> NodeState:
        state = self.nodes.get(unique_id)
        if state is None:
            state = self.nodes[unique_id] = NodeState()
        return state

    def to_bytes(self) -> bytes:
        document = asdict(self)
        document["nodes"] = {key: _compact(value) for key, value in document["nodes"].items()}
        return json.dumps(document, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> WorkflowState:
        if not data:
            return cls()
        document = json.loads(data)
        nodes = {
            key: NodeState(**{k: v for k, v in value.items() if k in _NODE_FIELDS})
            for key, value in document.pop("nodes", {}).items()
        }
        return cls(**{k: v for k, v in document.items() if k in {f.name for f in fields(cls)}}, nodes=nodes)


_DEFAULTS = asdict(NodeState())


def _compact(node: dict[str, Any]) -> dict[str, Any]:
    """Only non-default fields: a 100-item map task's state stays small."""
    return {key: value for key, value in node.items() if value != _DEFAULTS[key]}
