"""The engine's durable state of one execution, stored as JSON in `engine_workflows.state`.

It holds what propeller keeps in the FlyteWorkflow status: each node's phase, attempt counters, the executor
handle of the running attempt, which branch was taken, the child execution of a launch-plan node, the items of
an array node. Everything else (inputs, outputs, errors) lives in the blob store and in the admin records.
A node's fields at their defaults are left out of the document and unknown keys are ignored when it is read, so
a field can be added without migrating saved states.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = [
    "BLOCKING_PHASES",
    "DONE_OK",
    "FAILED_PHASES",
    "TERMINAL_NODE_PHASES",
    "TERMINAL_WORKFLOW_PHASES",
    "ArrayItemState",
    "NodeState",
    "WorkflowState",
]

TERMINAL_NODE_PHASES = frozenset({"SUCCEEDED", "FAILED", "SKIPPED", "ABORTED", "TIMED_OUT", "RECOVERED"})
DONE_OK = frozenset({"SUCCEEDED", "RECOVERED"})
TERMINAL_WORKFLOW_PHASES = frozenset({"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"})
FAILED_PHASES = frozenset({"FAILED", "TIMED_OUT"})
BLOCKING_PHASES = frozenset({"FAILED", "TIMED_OUT", "SKIPPED", "ABORTED"})  # a node after one of these never runs


@dataclass
class ArrayItemState:
    """One item of an array node (map task): a sub-task attempt at a time, with its own retry counters."""

    phase: str = "NOT_STARTED"  # NOT_STARTED, RUNNING, SUCCEEDED, FAILED, ABORTED
    attempt: int = 0
    system_failures: int = 0
    attempt_id: str = ""  # executor handle of the item's current attempt
    output_dir: str = ""  # blob key of the item's current attempt's output dir
    error: str = ""  # the last failure's message once FAILED

    def to_document(self) -> dict[str, Any]:
        """Written for every item at every save of a map task's state: spelled out, no dataclass introspection.
        phase, attempt and system_failures are written even at their defaults, as before items were typed: an
        engine of the previous version sharing the database reads them without a default."""
        document: dict[str, Any] = {
            "phase": self.phase,
            "attempt": self.attempt,
            "system_failures": self.system_failures,
        }
        if self.attempt_id:
            document["attempt_id"] = self.attempt_id
        if self.output_dir:
            document["output_dir"] = self.output_dir
        if self.error:
            document["error"] = self.error
        return document

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> ArrayItemState:
        return cls(
            phase=document.get("phase", "NOT_STARTED"),
            attempt=document.get("attempt", 0),
            system_failures=document.get("system_failures", 0),
            attempt_id=document.get("attempt_id", ""),
            output_dir=document.get("output_dir", ""),
            error=document.get("error", ""),
        )


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
    items: list[ArrayItemState] = field(default_factory=list)
    # gate nodes
    gate_started_at: float = 0.0

    @property
    def terminal(self) -> bool:
        return self.phase in TERMINAL_NODE_PHASES

    @property
    def ok(self) -> bool:
        return self.phase in DONE_OK

    def to_document(self) -> dict[str, Any]:
        """Only non-default fields: a 100-item map task's state stays small."""
        document = {f.name: getattr(self, f.name) for f in fields(self)}
        document["items"] = [item.to_document() for item in self.items]
        return {key: value for key, value in document.items() if value != _NODE_DEFAULTS[key]}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> NodeState:
        values = {key: value for key, value in document.items() if key in _NODE_DEFAULTS}
        values["items"] = [ArrayItemState.from_document(item) for item in values.get("items", [])]
        return cls(**values)


_NODE_DEFAULTS = asdict(NodeState())


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

    def attempt_ids(self) -> set[str]:
        """The executor handles this state names: task nodes' attempts and array items' attempts."""
        named: set[str] = set()
        for node in self.nodes.values():
            if node.attempt_id:
                named.add(node.attempt_id)
            named.update(item.attempt_id for item in node.items if item.attempt_id)
        return named

    def to_bytes(self) -> bytes:
        document = {f.name: getattr(self, f.name) for f in fields(self)}
        document["nodes"] = {key: node.to_document() for key, node in self.nodes.items()}
        return json.dumps(document, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> WorkflowState:
        if not data:
            return cls()
        document = json.loads(data)
        nodes = {key: NodeState.from_document(value) for key, value in document.pop("nodes", {}).items()}
        return cls(**{k: v for k, v in document.items() if k in {f.name for f in fields(cls)}}, nodes=nodes)
