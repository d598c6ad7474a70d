"""In-process control planes with the scheduler's settings a test chooses, and what the tests ask of them.

The time-skipping clock (`scheduler_clock_start`, `scheduler_clock_speed`) is a testing aid of the server: at
speed 60 a minutely schedule fires every real second, so no test sleeps for minutes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.models.project import Project
from flytekit.remote import FlyteRemote

from flyteplane.config import Settings
from flyteplane.server.app import ControlPlane

APPS = Path(__file__).parent / "apps"
DOMAIN = "development"
SCHEDULED = execution_pb2.ExecutionMetadata.SCHEDULED
TERMINAL = {4, 6, 7, 8}


def use_apps() -> None:
    if str(APPS) not in sys.path:
        sys.path.insert(0, str(APPS))


@dataclass
class Plane:
    control: ControlPlane
    remote: FlyteRemote
    admin: admin_pb2_grpc.AdminServiceStub
    channel: grpc.Channel

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.control.port}"


@contextmanager
def running_plane(home: Path, db: str = "", **scheduler: Any) -> Iterator[Plane]:
    """A control plane on `home` (state survives to the next plane on it) with `scheduler_*` settings."""
    settings = Settings(
        host="127.0.0.1", port=0, home=home, db=db, **{f"scheduler_{k}": v for k, v in scheduler.items()}
    )
    control = ControlPlane(settings)
    control.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{control.port}")
    try:
        remote = FlyteRemote.for_endpoint(f"127.0.0.1:{control.port}", insecure=True)
        yield Plane(control, remote, admin_pb2_grpc.AdminServiceStub(channel), channel)
    finally:
        channel.close()
        control.stop()


def new_project(plane: Plane, prefix: str) -> str:
    import uuid

    project = f"{prefix}-{uuid.uuid4().hex[:8]}"
    plane.remote.client.register_project(Project(project, project, f"{prefix} scheduler tests"))
    return project


def serialization(project: str, version: str) -> SerializationSettings:
    return SerializationSettings(
        image_config=ImageConfig.auto_default_image(), project=project, domain=DOMAIN, version=version
    )


def register(plane: Plane, project: str, launch_plan: Any, version: str = "v1") -> identifier_pb2.Identifier:
    """Registers a launch plan whose workflow runs no task (no code upload needed); returns its id."""
    registered = plane.remote.register_launch_plan(
        launch_plan,
        version=version,
        project=project,
        domain=DOMAIN,
        serialization_settings=serialization(project, version),
    )
    return registered.id.to_flyte_idl()


def activate(plane: Plane, plan: identifier_pb2.Identifier, active: bool = True) -> None:
    from flytekit.models.launch_plan import LaunchPlanState

    state = LaunchPlanState.ACTIVE if active else LaunchPlanState.INACTIVE
    plane.remote.client.update_launch_plan(id=_model_id(plan), state=state)


def _model_id(plan: identifier_pb2.Identifier) -> Any:
    from flytekit.models.core.identifier import Identifier

    return Identifier.from_flyte_idl(plan)


def executions(plane: Plane, project: str, filters: str = "", limit: int = 500) -> list[execution_pb2.Execution]:
    """Executions of the project (optionally filtered), oldest scheduled time first."""
    request = common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project=project, domain=DOMAIN), limit=limit, filters=filters
    )
    found = list(plane.admin.ListExecutions(request).executions)
    return sorted(found, key=lambda e: (e.spec.metadata.scheduled_at.ToDatetime(), e.id.name))


def scheduled_of(plane: Plane, project: str, launch_plan: str) -> list[execution_pb2.Execution]:
    """The scheduled executions of one launch plan, through the listing's filters."""
    return executions(plane, project, f"eq(mode,{SCHEDULED})+eq(launch_plan.name,{launch_plan})")


def scheduled_at(execution: execution_pb2.Execution) -> datetime:
    return execution.spec.metadata.scheduled_at.ToDatetime(UTC)  # type: ignore[no-any-return]


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        time.sleep(interval)


def at_least(count: int, read: Callable[[], list[Any]]) -> Callable[[], list[Any] | None]:
    """A condition for `wait_for`: what `read` returns, once it holds `count` items."""

    def check() -> list[Any] | None:
        found = read()
        return found if len(found) >= count else None

    return check


def wait_until_done(plane: Plane, found: list[execution_pb2.Execution], timeout: float = 60.0) -> list[Any]:
    """The executions once all reached a terminal phase."""

    def current() -> list[execution_pb2.Execution] | None:
        now = [plane.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=e.id)) for e in found]
        return now if all(e.closure.phase in TERMINAL for e in now) else None

    return wait_for(current, timeout, interval=0.2)  # type: ignore[no-any-return]


def kickoff_of(plane: Plane, execution: execution_pb2.Execution, name: str = "kickoff") -> datetime | None:
    data = plane.admin.GetExecutionData(execution_pb2.WorkflowExecutionGetDataRequest(id=execution.id))
    literal = data.full_inputs.literals.get(name)
    return None if literal is None else literal.scalar.primitive.datetime.ToDatetime(UTC)


def minutes(start: datetime, *offsets: int) -> list[datetime]:
    return [start + timedelta(minutes=m) for m in offsets]
