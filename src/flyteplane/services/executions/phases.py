"""Phase rules the three event kinds share: which phases are terminal, and the errors a refused event raises.

The errors are FAILED_PRECONDITION to clients (flyteadmin attaches an EventFailureReason detail); as
subclasses they let the in-process engine tell "already finished" from "wrong cluster" without parsing
messages.
"""

from __future__ import annotations

from flyteidl.core import execution_pb2

from flyteplane.errors import AlreadyInTerminalState, FailedPrecondition

__all__ = [
    "DEFAULT_PRODUCER_ID",
    "EXECUTION_CLUSTER",
    "NODE_TERMINAL",
    "TASK_TERMINAL",
    "WORKFLOW_TERMINAL",
    "AlreadyInTerminalState",
    "IncompatibleCluster",
    "node_phase_name",
    "task_phase_name",
    "validate_cluster",
    "workflow_phase_name",
]

WorkflowPhase = execution_pb2.WorkflowExecution
NodePhase = execution_pb2.NodeExecution
TaskPhase = execution_pb2.TaskExecution

WORKFLOW_TERMINAL = frozenset(
    {WorkflowPhase.SUCCEEDED, WorkflowPhase.FAILED, WorkflowPhase.TIMED_OUT, WorkflowPhase.ABORTED}
)
NODE_TERMINAL = frozenset(
    {
        NodePhase.SUCCEEDED,
        NodePhase.FAILED,
        NodePhase.TIMED_OUT,
        NodePhase.ABORTED,
        NodePhase.SKIPPED,
        NodePhase.RECOVERED,
    }
)
# RETRYABLE_FAILED is not terminal: the attempt may still report its final failure.
TASK_TERMINAL = frozenset({TaskPhase.SUCCEEDED, TaskPhase.FAILED, TaskPhase.ABORTED})

DEFAULT_PRODUCER_ID = "propeller"
"""Events from this producer (or from none) are accepted whatever cluster the execution runs on."""

EXECUTION_CLUSTER = "flyteplane"
"""The cluster new executions are assigned to: the embedded engine, which reports with this producer id."""


def _name(enum: object, value: int) -> str:
    try:
        return str(enum.Name(value))  # type: ignore[attr-defined]
    except ValueError:
        return str(value)


def workflow_phase_name(phase: int) -> str:
    return _name(WorkflowPhase.Phase, phase)


def node_phase_name(phase: int) -> str:
    return _name(NodePhase.Phase, phase)


def task_phase_name(phase: int) -> str:
    return _name(TaskPhase.Phase, phase)


class IncompatibleCluster(FailedPrecondition):
    """The event comes from another cluster than the one the execution was assigned to."""

    def __init__(self, message: str, cluster: str) -> None:
        super().__init__(message)
        self.cluster = cluster


def validate_cluster(cluster_in_db: str, producer_id: str) -> None:
    """Events name their producer; only the execution's own cluster (or the default producer) may report."""
    if not producer_id or producer_id == DEFAULT_PRODUCER_ID:
        return
    if producer_id != cluster_in_db:
        raise IncompatibleCluster(
            f"Cluster/producer from event [{producer_id}] does not match existing workflow execution "
            f"clusterInDB: [{cluster_in_db}]",
            producer_id,
        )
