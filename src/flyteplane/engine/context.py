"""What one evaluation round of one execution works with: the execution's facts, its state and the ports."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, literals_pb2, tasks_pb2

from flyteplane.blobs.store import BlobStore
from flyteplane.engine.cache import TaskCache
from flyteplane.engine.events import Emitter
from flyteplane.engine.executors.base import Executor
from flyteplane.engine.ports import ChildExecutions, PreviousRuns, Signals
from flyteplane.engine.state import WorkflowState
from flyteplane.errors import NotFound

__all__ = ["END_NODE", "START_NODE", "Execution", "RoundContext", "identifier_key"]

START_NODE = "start-node"
END_NODE = "end-node"


def identifier_key(identifier: identifier_pb2.Identifier) -> tuple[int, str, str, str, str]:
    return (identifier.resource_type, identifier.project, identifier.domain, identifier.name, identifier.version)


@dataclass
class Execution:
    """The parts of an execution the engine reads: ids, spec, compiled workflow, inputs."""

    id: identifier_pb2.WorkflowExecutionIdentifier
    spec: admin_execution_pb2.ExecutionSpec
    closure: compiler_pb2.CompiledWorkflowClosure
    inputs_uri: str
    raw_output_prefix: str
    max_parallelism: int
    nesting: int = 0
    recovering_from: identifier_pb2.WorkflowExecutionIdentifier | None = None  # RecoverExecution's original

    def __post_init__(self) -> None:
        self.tasks = {identifier_key(t.template.id): t.template for t in self.closure.tasks}
        self.sub_workflows = {identifier_key(w.template.id): w for w in self.closure.sub_workflows}

    def task(self, reference: identifier_pb2.Identifier) -> tasks_pb2.TaskTemplate:
        try:
            return self.tasks[identifier_key(reference)]
        except KeyError:
            raise NotFound(f"task {reference.name}:{reference.version} is not in the compiled workflow") from None

    def sub_workflow(self, reference: identifier_pb2.Identifier) -> compiler_pb2.CompiledWorkflow:
        return self.sub_workflows[identifier_key(reference)]

    @property
    def workflow_dir(self) -> str:
        """The execution's metadata folder in the blob store (propeller's `<project>-<domain>-<name>`)."""
        return f"metadata/propeller/{self.id.project}-{self.id.domain}-{self.id.name}"


@dataclass
class RoundContext:
    """Shared by every handler during one round of one execution."""

    execution: Execution
    state: WorkflowState
    blobs: BlobStore
    executor: Executor
    emit: Emitter
    signals: Signals
    children: ChildExecutions
    public_url: str
    cache: TaskCache | None = None
    clock: Callable[[], float] = time.time
    previous: PreviousRuns | None = None  # node executions of the execution being recovered
    running_slots: int = 0  # task / array / launch-plan nodes running now (for max parallelism)
    next_check: float = 0.0  # the earliest time this execution wants another look (0: no wish)
    _outputs: dict[str, literals_pb2.LiteralMap] = field(default_factory=dict)

    @property
    def now(self) -> float:
        return self.clock()

    def wants_check_in(self, seconds: float) -> None:
        at = self.clock() + seconds
        if not self.next_check or at < self.next_check:
            self.next_check = at

    def has_slot(self) -> bool:
        limit = self.execution.max_parallelism
        return limit <= 0 or self.running_slots < limit

    def read_literal_map(self, key: str) -> literals_pb2.LiteralMap:
        cached = self._outputs.get(key)
        if cached is None:
            cached = literals_pb2.LiteralMap()
            if self.blobs.exists(key):
                cached.ParseFromString(self.blobs.get_bytes(key))
            self._outputs[key] = cached
        return cached

    def write_literal_map(self, key: str, literals: literals_pb2.LiteralMap, *, durable: bool = True) -> str:
        self.blobs.put_bytes(key, literals.SerializeToString(), durable=durable)
        self._outputs[key] = literals
        return self.blobs.native_url(key)
