"""Scheduler-test fixtures: a migrated database (SQLite, and PostgreSQL when one is reachable) and launch plans
with schedules written into it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2, schedule_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import inspect, text
from tests.postgres import temporary_database

from flyteplane.config import Settings
from flyteplane.services.registry.launch_plans import LaunchPlanService
from flyteplane.services.registry.schedules import schedule_type
from flyteplane.store.db import Database, migrate
from flyteplane.store.models import LaunchPlan, Workflow

PROJECT, DOMAIN = "flytesnacks", "development"

AddPlan = Callable[..., identifier_pb2.Identifier]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with temporary_database() as url:
        yield "postgresql+psycopg://" + url.split("://", 1)[1]


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """SQLite in a temporary folder, or this run's PostgreSQL database emptied for the test."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path}/scheduler.db")
        migrate(database.engine)
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        migrate(database.engine)
        tables = [name for name in inspect(database.engine).get_table_names() if name != "alembic_version"]
        with database.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    with database.transaction() as session:
        session.add(
            Workflow(
                project=PROJECT, domain=DOMAIN, name="wf", version="v1", typed_interface=b"", closure=b"", digest="d"
            )
        )
    yield database
    database.close()


@pytest.fixture
def launch_plans(db: Database, tmp_path: Path) -> LaunchPlanService:
    """The real service, so activation changes the rows exactly as UpdateLaunchPlan does."""
    return LaunchPlanService(db, Settings(home=tmp_path))


@pytest.fixture
def add_plan(db: Database) -> AddPlan:
    """Writes a launch-plan version with `schedule` (and `labels`) and returns its identifier; inactive."""

    def add(
        name: str, schedule: schedule_pb2.Schedule, version: str = "v1", labels: dict[str, str] | None = None
    ) -> identifier_pb2.Identifier:
        spec = launch_plan_pb2.LaunchPlanSpec(
            entity_metadata=launch_plan_pb2.LaunchPlanMetadata(schedule=schedule),
            labels=common_pb2.Labels(values=labels or {}),
        )
        with db.transaction() as session:
            workflow_id = session.query(Workflow.id).scalar()
            session.add(
                LaunchPlan(
                    project=PROJECT,
                    domain=DOMAIN,
                    name=name,
                    version=version,
                    workflow_id=workflow_id,
                    spec=spec.SerializeToString(),
                    closure=b"",
                    digest=f"{name}-{version}",
                    schedule_type=schedule_type(schedule),
                )
            )
        return identifier_pb2.Identifier(
            resource_type=identifier_pb2.LAUNCH_PLAN, project=PROJECT, domain=DOMAIN, name=name, version=version
        )

    return add
