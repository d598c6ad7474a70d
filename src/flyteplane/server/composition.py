"""The composition root: every long-lived part of a flyteplane process, built once from the settings.

`flyteplane serve` and `flyteplane scheduler` (and any other process that runs a part of the control plane) open
a `Plane` with the parts they need; nothing else constructs the database, the blob store, the signer, the
services, the executor, the engine or the scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flyteplane.api.http.logs import AttemptLogs
from flyteplane.blobs.s3 import S3Access, is_s3_url
from flyteplane.blobs.signing import Signer, load_or_create_secret
from flyteplane.blobs.store import BlobStore
from flyteplane.blobs.urls import BlobUrls, blob_urls
from flyteplane.config import Settings
from flyteplane.engine.engine import Engine, EnginePorts
from flyteplane.engine.executors.attempt_files import AttemptLogFiles
from flyteplane.engine.executors.bundles import BundleCache
from flyteplane.engine.executors.local import LocalExecutor
from flyteplane.engine.executors.ray import RayExecutor
from flyteplane.engine.executors.ray.jobs_api import JobsApi
from flyteplane.engine.executors.ray.logs import RayJobLogs
from flyteplane.engine.executors.warm import WarmSettings
from flyteplane.engine.ports import RunQueue
from flyteplane.engine.queue import ExecutionQueue
from flyteplane.engine.task_types import RunnableTasks
from flyteplane.observability.metrics import Metrics
from flyteplane.scheduler.loop import Scheduler
from flyteplane.server.engine_seat import EngineSeat
from flyteplane.server.home import hold_private_umask, prepare_home, release_private_umask
from flyteplane.services import Services
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
from flyteplane.services.notifications.outbox import NotificationOutbox
from flyteplane.services.notifications.sender import NotificationSender
from flyteplane.services.registry.attributes import AttributeService
from flyteplane.services.registry.description_entities import DescriptionEntityService
from flyteplane.services.registry.launch_plans import LaunchPlanService
from flyteplane.services.registry.named_entities import NamedEntityService
from flyteplane.services.registry.projects import ProjectService
from flyteplane.services.registry.tasks import TaskService
from flyteplane.services.registry.workflows import WorkflowService
from flyteplane.store.db import Database, migrate

__all__ = ["Plane", "build_services", "executor_task_types", "open_blob_store", "s3_access"]


def executor_task_types(settings: Settings) -> frozenset[str]:
    """The task types the configured executor runs, known without starting it: an API process without the engine
    refuses what the engine's executor could not run, just as one with it does."""
    return RayExecutor.task_types if settings.executor == "ray" else LocalExecutor.task_types


def s3_access(settings: Settings) -> S3Access | None:
    """How to reach an s3:// blob store (None for any other store)."""
    if not is_s3_url(settings.blob_base):
        return None
    if settings.sandbox:
        from flyteplane.server.sandbox import sandbox_access

        return sandbox_access(settings)
    return S3Access.from_settings(settings.s3_endpoint, settings.s3_region)


def open_blob_store(settings: Settings) -> BlobStore:
    access = s3_access(settings)
    return BlobStore(settings.blob_base, storage_options=access.storage_options() if access else None)


def build_services(
    settings: Settings,
    db: Database,
    blobs: BlobStore,
    signer: Signer,
    queue: RunQueue,
    urls: BlobUrls | None = None,
) -> Services:
    """The admin services wired to each other; the engine connects to `wakeups` once it exists."""
    if urls is None:
        access = s3_access(settings)
        urls = blob_urls(blobs, signer, settings.advertised_url, access.presigner() if access else None)
    projects = ProjectService(db, settings)
    descriptions = DescriptionEntityService(db, settings)
    workflows = WorkflowService(db, settings, descriptions)
    named_entities = NamedEntityService(db, settings)
    attributes = AttributeService(db, settings)
    wakeups = WakeupRelay()
    data = ExecutionData(blobs, signer, settings.advertised_url, urls=urls)
    single_task = SingleTaskLaunch(db, workflows, named_entities)
    launcher = ExecutionLauncher(
        db,
        settings,
        data,
        attributes,
        single_task,
        queue,
        wakeup=wakeups,
        runnable=RunnableTasks(executor_task_types(settings)),
    )
    executions = ExecutionService(db, data, launcher, queue, wakeup=wakeups)
    node_executions = NodeExecutionService(db, data)
    task_executions = TaskExecutionService(db, data)
    dataproxy = DataProxyService(
        blobs,
        signer,
        public_url=settings.advertised_url,
        deck_uri_of=node_executions.deck_uri_of,
        check_project_domain=projects.require_registered,
        urls=urls,
    )
    return Services(
        projects=projects,
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
        events=EventService(db, data, wakeups, NotificationOutbox.from_settings(settings)),
        node_executions=node_executions,
        task_executions=task_executions,
        signals=SignalService(db, wakeups),
        execution_metrics=ExecutionMetricsService(db, executions, node_executions, task_executions),
        flyte_urls=FlyteUrlService(node_executions, task_executions, dataproxy),
    )


@dataclass
class Plane:
    """The parts of one process. `engine`, `executor` and `scheduler` are None where the process does not run
    them; `start()` and `stop()` run and end the background parts."""

    settings: Settings
    db: Database
    blobs: BlobStore
    signer: Signer
    queue: ExecutionQueue
    services: Services
    executor: LocalExecutor | RayExecutor | None = None
    engine: Engine | None = None
    scheduler: Scheduler | None = None
    seat: EngineSeat | None = None
    metrics: Metrics = field(default_factory=Metrics)
    sender: NotificationSender | None = None

    @classmethod
    def open(cls, settings: Settings, *, engine: bool, scheduler: bool, notifications: bool = True) -> Plane:
        """Opens (and migrates) the database and builds what was asked for; nothing runs before start().
        `notifications`: deliver the notification outbox from this process (when SMTP or a webhook is set)."""
        hold_private_umask()  # the database, blobs and task files: the server's user's alone
        prepare_home(settings.home)
        db = Database(settings.database_url)
        try:
            migrate(db.engine)
            blobs = open_blob_store(settings)
            signer = Signer(load_or_create_secret(settings.home / "secret.key"))
            queue = ExecutionQueue(db)
            services = build_services(settings, db, blobs, signer, queue)
        except BaseException:
            db.close()
            release_private_umask()
            raise
        plane = cls(settings=settings, db=db, blobs=blobs, signer=signer, queue=queue, services=services)
        plane.metrics.watch_store(services.executions.counts_by_phase, lambda: queue.depth(_utc_now()))
        if notifications and (settings.smtp_host or settings.notification_webhooks):
            plane.sender = NotificationSender(db, settings, plane.metrics)
        try:
            plane._build_background(engine=engine, scheduler=scheduler)
        except BaseException:
            plane.close()
            raise
        return plane

    def _build_background(self, *, engine: bool, scheduler: bool) -> None:
        settings, services = self.settings, self.services
        if not engine:
            # Another process runs the engine on this database: wake-ups become due times it sees at its scan.
            services.wakeups.connect(self.queue.make_due)
        else:
            self.seat = EngineSeat(settings.home)
            owner = self.seat.take()
            self.executor = self._executor(owner)
            self.engine = Engine(
                self.db,
                self.blobs,
                self.executor,
                EnginePorts(
                    events=services.events,
                    signals=services.signals,
                    children=services.executions,
                    workflows=services.workflows,
                    previous=services.node_executions,
                ),
                public_url=settings.advertised_url,
                workers=settings.engine_workers,
                exclusive=self.db.dialect == "sqlite",  # one machine: every lease left on it is a crash's
                owner=owner,
                lease=timedelta(seconds=settings.engine_lease),
                counters=self.metrics,
            )
            self.executor.set_on_change(self.engine.attempt_changed)
            if not self.engine.exclusive:
                # Replicas may share the database: the execution may be another engine's, which sees it due.
                services.wakeups.connect(self.queue.make_due)
            services.wakeups.connect(self.engine.wake)
        if scheduler:
            self.scheduler = Scheduler.from_settings(
                settings, self.db, services.executions.create_execution, services.launch_plans
            )

    def _executor(self, owner: str) -> LocalExecutor | RayExecutor:
        """The executor the settings name: local processes, or jobs on a Ray cluster (Ray itself is not imported:
        the executor speaks the Jobs API over HTTP)."""
        settings = self.settings
        access = s3_access(settings)
        task_env = access.task_env() if access else None  # what task processes need to reach an S3 store
        if settings.executor == "ray":
            return RayExecutor(
                settings.home,
                address=settings.ray_address,
                owner=owner,
                public_url=settings.advertised_url,
                python_envs=settings.python_envs,
                base_env=task_env,
                storage_options=access.storage_options() if access else None,
                max_jobs=settings.ray_max_jobs,
            )
        return LocalExecutor(
            settings.home,
            max_concurrency=settings.max_concurrency,
            python_envs=settings.python_envs,
            public_url=settings.advertised_url,
            base_env=task_env,
            warm=WarmSettings(
                enabled=settings.warm_pool,
                size=settings.warm_pool_size,
                imports={env: tuple(modules.split()) for env, modules in settings.warm_imports.items()},
                idle_timeout=settings.warm_idle_timeout,
                prestart=True,
            ),
            bundles=BundleCache(
                settings.home,
                sources=[self.blobs.base, *settings.bundle_sources],
                max_bytes=settings.bundle_max_bytes,
                cache_bytes=settings.bundle_cache_bytes,
                fetch_timeout=settings.bundle_fetch_timeout,
                storage_options=access.storage_options() if access else None,
            ),
        )

    def attempt_logs(self) -> AttemptLogs:
        """What serves the task log links: the executor, or where this process runs none (`serve --no-engine`),
        the logs of the executor the settings name, read from the home it shares or from the Ray cluster."""
        if self.executor is not None:
            return self.executor
        if self.settings.executor == "ray":
            return RayJobLogs(self.settings.home, JobsApi(self.settings.ray_address))
        return AttemptLogFiles(self.settings.home)

    def start(self) -> None:
        if self.sender is not None:
            self.sender.start()
        if self.engine is not None:
            self.engine.start()
        if self.scheduler is not None:
            self.scheduler.start()

    def stop(self) -> None:
        """Stops the background parts: no new executions first, then the engine; task processes keep running
        (a restart adopts them)."""
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.engine is not None:
            self.engine.stop()
        if self.executor is not None:
            self.executor.close()
        if self.sender is not None:
            self.sender.stop()

    def close(self) -> None:
        if self.seat is not None:
            self.seat.release()
        self.db.close()
        release_private_umask()


def _utc_now() -> datetime:
    """Naive UTC, as the engine queue stores its times."""
    return datetime.now(UTC).replace(tzinfo=None)
