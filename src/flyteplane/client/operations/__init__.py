"""The friendly client's operations, one module per Flyte resource, each written once for both clients."""

from flyteplane.client.operations.attributes import AttributeOperations
from flyteplane.client.operations.data_proxy import DataProxyOperations
from flyteplane.client.operations.executions import ExecutionOperations
from flyteplane.client.operations.launch_plans import LaunchPlanOperations
from flyteplane.client.operations.named_entities import NamedEntityOperations
from flyteplane.client.operations.node_executions import NodeExecutionOperations
from flyteplane.client.operations.projects import ProjectOperations
from flyteplane.client.operations.signals import SignalOperations
from flyteplane.client.operations.task_executions import TaskExecutionOperations
from flyteplane.client.operations.tasks import TaskOperations
from flyteplane.client.operations.version import VersionOperations
from flyteplane.client.operations.workflows import WorkflowOperations

__all__ = ["FlyteOperations"]


class FlyteOperations(
    TaskOperations,
    WorkflowOperations,
    LaunchPlanOperations,
    NamedEntityOperations,
    ExecutionOperations,
    NodeExecutionOperations,
    TaskExecutionOperations,
    ProjectOperations,
    AttributeOperations,
    DataProxyOperations,
    SignalOperations,
    VersionOperations,
):
    """Every friendly operation; SynchronousFlyteClient and AsyncFlyteClient both inherit this one table."""
