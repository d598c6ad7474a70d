"""Builds the registry services over a test database, as the server does."""

from __future__ import annotations

from dataclasses import dataclass

from flyteplane.config import Settings
from flyteplane.services.registry.description_entities import DescriptionEntityService
from flyteplane.services.registry.launch_plans import LaunchPlanService
from flyteplane.services.registry.tasks import TaskService
from flyteplane.services.registry.workflows import WorkflowService
from flyteplane.store.db import Database


@dataclass
class Registry:
    tasks: TaskService
    workflows: WorkflowService
    launch_plans: LaunchPlanService

    @classmethod
    def build(cls, db: Database, settings: Settings) -> Registry:
        descriptions = DescriptionEntityService(db, settings)
        return cls(
            tasks=TaskService(db, settings, descriptions),
            workflows=WorkflowService(db, settings, descriptions),
            launch_plans=LaunchPlanService(db, settings),
        )
