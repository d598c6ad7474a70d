"""Builds every service once per process from the settings, the database and the blob store."""

from __future__ import annotations

from dataclasses import dataclass

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.config import Settings
from flyteplane.services.attributes import AttributeService
from flyteplane.services.dataproxy import DataProxyService
from flyteplane.services.description_entities import DescriptionEntityService
from flyteplane.services.events import EventService
from flyteplane.services.execution_data import ExecutionData
from flyteplane.services.execution_launch import ExecutionLauncher
from flyteplane.services.executions import ExecutionService
from flyteplane.services.flyte_urls import FlyteDataService
from flyteplane.services.identity import IdentityService
from flyteplane.services.launch_plans import LaunchPlanService
from flyteplane.services.metrics import ExecutionMetricsService
from flyteplane.services.named_entities import NamedEntityService
from flyteplane.services.node_executions import NodeExecutionService
from flyteplane.services.projects import ProjectService
from flyteplane.services.signals import SignalService
from flyteplane.services.single_task import SingleTaskLaunch
from flyteplane.services.task_executions import TaskExecutionService
from flyteplane.services.tasks import TaskService
from flyteplane.services.wakeups import WakeupRelay
from flyteplane.services.workflows import WorkflowService
from flyteplane.store.db import Database


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
    flyte_data: FlyteDataService

    @classmethod
    def build(cls, settings: Settings, db: Database, blobs: BlobStore, signer: Signer) -> Services:
        descriptions = DescriptionEntityService(db, settings)
        workflows = WorkflowService(db, settings, descriptions)
        named_entities = NamedEntityService(db, settings)
        attributes = AttributeService(db, settings)
        wakeups = WakeupRelay()
        data = ExecutionData(blobs, signer, settings.advertised_url)
        launcher = ExecutionLauncher(
            db, settings, data, attributes, SingleTaskLaunch(db, workflows, named_entities), wakeup=wakeups
        )
        executions = ExecutionService(db, data, launcher, wakeup=wakeups)
        node_executions = NodeExecutionService(db, data)
        task_executions = TaskExecutionService(db, data)
        dataproxy = DataProxyService(
            blobs, signer, public_url=settings.advertised_url, deck_uri_of=node_executions.deck_uri_of
        )
        return cls(
            projects=ProjectService(db, settings),
            tasks=TaskService(db, settings, descriptions),
            workflows=workflows,
            launch_plans=LaunchPlanService(db, settings),
            named_entities=named_entities,
            descriptions=descriptions,
            attributes=attributes,
            dataproxy=dataproxy,
            identity=IdentityService(settings.advertised_url),
            wakeups=wakeups,
            execution_data=data,
            executions=executions,
            events=EventService(db, data, wakeups),
            node_executions=node_executions,
            task_executions=task_executions,
            signals=SignalService(db, wakeups),
            execution_metrics=ExecutionMetricsService(db, executions, node_executions, task_executions),
            flyte_data=FlyteDataService(node_executions, task_executions, dataproxy),
        )
