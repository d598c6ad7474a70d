"""Builds every service once per process from the settings, the database and the blob store."""

from __future__ import annotations

from dataclasses import dataclass

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.config import Settings
from flyteplane.services.common.wakeups import WakeupRelay
from flyteplane.services.data.data_proxy import DataProxyService
from flyteplane.services.data.flyte_urls import FlyteUrlService
from flyteplane.services.events.service import EventService
from flyteplane.services.executions.data import ExecutionData
from flyteplane.services.executions.executions import ExecutionService
from flyteplane.services.executions.launch import ExecutionLauncher
from flyteplane.services.executions.metrics import ExecutionMetricsService
from flyteplane.services.executions.node_executions import NodeExecutionService
from flyteplane.services.executions.signals import SignalService
from flyteplane.services.executions.single_task import SingleTaskLaunch
from flyteplane.services.executions.task_executions import TaskExecutionService
from flyteplane.services.identity import IdentityService
from flyteplane.services.registry.attributes import AttributeService
from flyteplane.services.registry.description_entities import DescriptionEntityService
from flyteplane.services.registry.launch_plans import LaunchPlanService
from flyteplane.services.registry.named_entities import NamedEntityService
from flyteplane.services.registry.projects import ProjectService
from flyteplane.services.registry.tasks import TaskService
from flyteplane.services.registry.workflows import WorkflowService
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
    flyte_urls: FlyteUrlService

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
            flyte_urls=FlyteUrlService(node_executions, task_executions, dataproxy),
        )
