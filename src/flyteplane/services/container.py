"""Builds every service once per process from the settings, the database and the blob store."""

from __future__ import annotations

from dataclasses import dataclass

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.config import Settings
from flyteplane.services.attributes import AttributeService
from flyteplane.services.dataproxy import DataProxyService
from flyteplane.services.description_entities import DescriptionEntityService
from flyteplane.services.identity import IdentityService
from flyteplane.services.launch_plans import LaunchPlanService
from flyteplane.services.named_entities import NamedEntityService
from flyteplane.services.projects import ProjectService
from flyteplane.services.tasks import TaskService
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

    @classmethod
    def build(cls, settings: Settings, db: Database, blobs: BlobStore, signer: Signer) -> Services:
        descriptions = DescriptionEntityService(db, settings)
        return cls(
            projects=ProjectService(db, settings),
            tasks=TaskService(db, settings, descriptions),
            workflows=WorkflowService(db, settings, descriptions),
            launch_plans=LaunchPlanService(db, settings),
            named_entities=NamedEntityService(db, settings),
            descriptions=descriptions,
            attributes=AttributeService(db, settings),
            dataproxy=DataProxyService(blobs, signer, public_url=settings.advertised_url),
            identity=IdentityService(settings.advertised_url),
        )
