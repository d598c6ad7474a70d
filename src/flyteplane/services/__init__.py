"""The rules of Flyte, grouped by area; `Services` is the set of them that the API layer calls.

They are built once per process by the composition root (`flyteplane.server.composition`)."""

from __future__ import annotations

from dataclasses import dataclass

from flyteplane.services.common.wakeups import WakeupRelay
from flyteplane.services.data.data_proxy import DataProxyService
from flyteplane.services.data.flyte_urls import FlyteUrlService
from flyteplane.services.events.service import EventService
from flyteplane.services.executions.data import ExecutionData
from flyteplane.services.executions.executions import ExecutionService
from flyteplane.services.executions.metrics import ExecutionMetricsService
from flyteplane.services.executions.node_executions import NodeExecutionService
from flyteplane.services.executions.signals import SignalService
from flyteplane.services.executions.task_executions import TaskExecutionService
from flyteplane.services.identity import IdentityService
from flyteplane.services.registry.attributes import AttributeService
from flyteplane.services.registry.description_entities import DescriptionEntityService
from flyteplane.services.registry.launch_plans import LaunchPlanService
from flyteplane.services.registry.named_entities import NamedEntityService
from flyteplane.services.registry.projects import ProjectService
from flyteplane.services.registry.tasks import TaskService
from flyteplane.services.registry.workflows import WorkflowService


@dataclass
class Services:
    projects: ProjectService
    tasks: TaskService
    workflows: WorkflowService
    launch_plans: LaunchPlanService
    named_entities: NamedEntityService
    descriptions: DescriptionEntityService
    attributes: AttributeService
    dataproxy: DataProxyService
    identity: IdentityService
    # The execution side. `wakeups` is where the engine connects to hear about new work; `events`,
    # `signals`, `executions` and `node_executions` are the ports it calls (EventSink, Signals,
    # ChildExecutions, PreviousRuns).
    wakeups: WakeupRelay
    execution_data: ExecutionData
    executions: ExecutionService
    events: EventService
    node_executions: NodeExecutionService
    task_executions: TaskExecutionService
    signals: SignalService
    execution_metrics: ExecutionMetricsService
    flyte_urls: FlyteUrlService
