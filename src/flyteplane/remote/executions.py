"""Executions as FlyteRemote returns them: FlyteWorkflowExecution, FlyteNodeExecution, FlyteTaskExecution.

They wrap the flyteidl messages Flyte Admin returned (`id`, `spec`, `closure`, ...) and add what a sync fills in:
`inputs` and `outputs` (LiteralsResolvers), the node executions of a workflow execution, the task executions
(attempts) of a node. `current_state` is the phase's name ("RUNNING", "SUCCEEDED", ...).
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from flyteidl.core import execution_pb2 as core_execution_pb2

from flyteplane.remote.accessors import FieldOf, field_of
from flyteplane.remote.entities import FlyteTask, FlyteWorkflow
from flyteplane.remote.errors import FlyteAssertion
from flyteplane.remote.interface import TypedInterface
from flyteplane.remote.literals.resolver import LiteralsResolver

__all__ = ["FlyteNodeExecution", "FlyteTaskExecution", "FlyteWorkflowExecution", "RemoteHandle"]

_WF = core_execution_pb2.WorkflowExecution
_NODE = core_execution_pb2.NodeExecution
_TASK = core_execution_pb2.TaskExecution


class RemoteHandle(Protocol):
    """What an execution needs from its FlyteRemote to sync and wait on itself."""

    def sync_execution(
        self, execution: FlyteWorkflowExecution, entity_definition: Any = None, sync_nodes: bool = False
    ) -> FlyteWorkflowExecution: ...

    def wait(
        self,
        execution: FlyteWorkflowExecution,
        timeout: datetime.timedelta | float | None = None,
        poll_interval: datetime.timedelta | float | None = None,
        sync_nodes: bool = True,
    ) -> FlyteWorkflowExecution: ...

    def generate_console_url(self, entity: Any) -> str: ...


class _Execution:
    _phase_enum: Any = _WF.Phase
    _done_phases: frozenset[int] = frozenset()
    _what = "execution"

    inputs: FieldOf[LiteralsResolver | None] = field_of("_inputs")

    def __init__(self) -> None:
        self._inputs: LiteralsResolver | None = None
        self._outputs: LiteralsResolver | None = None

    @property
    def closure(self) -> Any:
        """The admin closure of the concrete execution kind (workflow, node or task execution)."""
        raise TypeError(f"{type(self).__name__} must define `closure`")  # every subclass overrides it

    @property
    def phase(self) -> int:
        return int(self.closure.phase)

    @property
    def current_state(self) -> str:
        """The phase by name, e.g. "RUNNING" or "SUCCEEDED"."""
        return str(self._phase_enum.Name(self.phase))

    @property
    def is_done(self) -> bool:
        return self.phase in self._done_phases

    @property
    def error(self) -> Any:
        """The ExecutionError (`code`, `message`, `kind`) once done; None if it succeeded."""
        if not self.is_done:
            raise FlyteAssertion(f"Please wait until the {self._what} has completed before checking for an error.")
        return self.closure.error if self.closure.HasField("error") else None

    @property
    def outputs(self) -> LiteralsResolver | None:
        """The outputs by name; FlyteAssertion while running or after a failure."""
        if not self.is_done:
            raise FlyteAssertion("Please wait until the execution has completed before requesting the outputs.")
        error = self.error
        if error is not None:
            raise FlyteAssertion(
                f"Outputs could not be found because the execution ended in failure. Error message: {error.message}"
            )
        return self._outputs

    def _set_data(self, inputs: LiteralsResolver | None, outputs: LiteralsResolver | None) -> None:
        self._inputs = inputs
        self._outputs = outputs


class FlyteTaskExecution(_Execution):
    """One attempt of a task node."""

    _phase_enum = _TASK.Phase
    _done_phases = frozenset({_TASK.ABORTED, _TASK.FAILED, _TASK.SUCCEEDED})
    _what = "task execution"

    id = field_of("_proto", "id", doc="TaskExecutionIdentifier: `task_id`, `node_execution_id`, `retry_attempt`.")
    closure = field_of("_proto", "closure")
    input_uri = field_of("_proto", "input_uri", str)
    is_parent = field_of("_proto", "is_parent", bool)
    logs = field_of("_proto", "closure.logs", list)
    task: FieldOf[FlyteTask | None] = field_of("_task")

    def __init__(self, task_execution: Any, task: FlyteTask | None = None) -> None:
        super().__init__()
        self._proto = task_execution
        self._task = task

    def __repr__(self) -> str:
        return f"FlyteTaskExecution({self.id.task_id.name} attempt {self.id.retry_attempt}: {self.current_state})"


class FlyteNodeExecution(_Execution):
    """One node's run; parents (subworkflows, dynamic tasks, branches) carry their children's node executions."""

    _phase_enum = _NODE.Phase
    _done_phases = frozenset(
        {_NODE.SUCCEEDED, _NODE.FAILED, _NODE.ABORTED, _NODE.SKIPPED, _NODE.TIMED_OUT, _NODE.RECOVERED}
    )
    _what = "node execution"

    id = field_of("_proto", "id", doc="NodeExecutionIdentifier: `node_id` and `execution_id`.")
    closure = field_of("_proto", "closure")
    metadata = field_of(
        "_proto",
        "metadata",
        doc="NodeExecutionMetaData: `spec_node_id`, `is_parent_node`, `is_dynamic`, `is_array`, `retry_group`.",
    )
    input_uri = field_of("_proto", "input_uri", str)
    deck_uri = field_of("_proto", "closure.deck_uri", str)
    interface: FieldOf[TypedInterface | None] = field_of("_interface")
    task_executions: FieldOf[list[FlyteTaskExecution]] = field_of("_task_executions", "", list)
    workflow_executions: FieldOf[list[FlyteWorkflowExecution]] = field_of(
        "_workflow_executions", "", list, doc="The child execution a launch-plan node started."
    )
    subworkflow_node_executions: FieldOf[dict[str, FlyteNodeExecution]] = field_of(
        "_children", "", dict, doc="Children of a subworkflow, dynamic or branch node, by node id."
    )

    def __init__(self, node_execution: Any) -> None:
        super().__init__()
        self._proto = node_execution
        self._task_executions: list[FlyteTaskExecution] = []
        self._workflow_executions: list[FlyteWorkflowExecution] = []
        self._children: dict[str, FlyteNodeExecution] = {}
        self._interface: TypedInterface | None = None

    @property
    def executions(self) -> list[Any]:
        """Whatever ran under this node: task attempts, child node executions or child workflow executions."""
        return [*self._task_executions, *self._children.values(), *self._workflow_executions]

    def __repr__(self) -> str:
        return f"FlyteNodeExecution({self.id.node_id}: {self.current_state})"


class FlyteWorkflowExecution(_Execution):
    """A workflow execution (also of a single task or a launch plan). `sync()` and `wait()` refresh it."""

    _phase_enum = _WF.Phase
    _done_phases = frozenset({_WF.SUCCEEDED, _WF.FAILED, _WF.ABORTED, _WF.TIMED_OUT})

    id = field_of("_proto", "id", doc="WorkflowExecutionIdentifier: `project`, `domain`, `name`.")
    spec = field_of("_proto", "spec")
    closure = field_of("_proto", "closure")
    type_hints = field_of("_type_hints", "", dict)

    def __init__(
        self, execution: Any, remote: RemoteHandle | None = None, type_hints: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self._proto = execution
        self._remote = remote
        self._type_hints = dict(type_hints or {})
        self._node_executions: dict[str, FlyteNodeExecution] | None = None
        self.flyte_workflow: FlyteWorkflow | None = None
        self.flyte_task: FlyteTask | None = None

    @property
    def is_successful(self) -> bool:
        return bool(self.phase == _WF.SUCCEEDED)

    @property
    def node_executions(self) -> dict[str, FlyteNodeExecution]:
        """Top-level node executions by node id (filled by `sync(sync_nodes=True)` and `wait()`)."""
        return dict(self._node_executions or {})

    @property
    def outputs(self) -> LiteralsResolver | None:
        outputs = super().outputs
        if outputs is not None and self._type_hints:
            outputs.update_type_hints(self._type_hints)
        return outputs

    @property
    def execution_url(self) -> str | None:
        return self._remote.generate_console_url(self) if self._remote is not None else None

    def sync(self, sync_nodes: bool = False) -> FlyteWorkflowExecution:
        if self._remote is None:
            raise FlyteAssertion("Cannot sync without a remote")
        return self._remote.sync_execution(self, sync_nodes=sync_nodes)

    def wait(
        self,
        timeout: datetime.timedelta | float | None = None,
        poll_interval: datetime.timedelta | float | None = None,
        sync_nodes: bool = True,
    ) -> FlyteWorkflowExecution:
        if self._remote is None:
            raise FlyteAssertion("Cannot wait without a remote")
        return self._remote.wait(self, timeout=timeout, poll_interval=poll_interval, sync_nodes=sync_nodes)

    def _refresh(self, execution: Any) -> None:
        self._proto = execution

    def _set_node_executions(self, nodes: dict[str, FlyteNodeExecution]) -> None:
        self._node_executions = nodes

    def __repr__(self) -> str:
        i = self.id
        return f"FlyteWorkflowExecution({i.project}/{i.domain}/{i.name}: {self.current_state})"
