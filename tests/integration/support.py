"""Helpers the integration tests share: the flytekit apps on sys.path, unique projects, serialization settings,
and reading the gRPC status behind a flytekit exception."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import grpc
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.models.project import Project

APPS = Path(__file__).parent / "apps"
DOMAIN = "development"


def use_apps() -> None:
    """Makes `import pipelines` work as it does for a user who runs pyflyte from the apps folder, so the module
    (and so entity) names match what `pyflyte register` produces."""
    if str(APPS) not in sys.path:
        sys.path.insert(0, str(APPS))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_project(remote: Any, prefix: str) -> str:
    """Registers a fresh project through flytekit, so a test file never sees another file's entities."""
    project_id = unique(prefix)
    remote.client.register_project(Project(project_id, f"{prefix} tests", f"registered by {prefix} tests"))
    return project_id


def settings(project: str, version: str, domain: str = DOMAIN) -> SerializationSettings:
    return SerializationSettings(
        image_config=ImageConfig.auto_default_image(), project=project, domain=domain, version=version
    )


def rpc_error(exc: BaseException) -> grpc.RpcError:
    """The gRPC error flytekit's interceptor wrapped into its own exception."""
    cause = exc.__cause__
    assert isinstance(cause, grpc.RpcError), f"{exc!r} was not caused by a gRPC error"
    return cause


def status(exc: BaseException) -> grpc.StatusCode:
    return rpc_error(exc).code()  # type: ignore[attr-defined,no-any-return]


def details(exc: BaseException) -> str:
    return str(rpc_error(exc).details())  # type: ignore[attr-defined]


def serialize(entity: Any, project: str, version: str) -> dict[str, list[Any]]:
    """The flyteidl protos flytekit would register for `entity` and everything it references, by kind."""
    from collections import OrderedDict

    from flytekit.models.admin.workflow import WorkflowSpec
    from flytekit.models.launch_plan import LaunchPlan
    from flytekit.models.task import TaskSpec
    from flytekit.tools.translator import get_serializable

    collected: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(collected, settings(project, version), entity)
    kinds: dict[str, list[Any]] = {"tasks": [], "workflows": [], "launch_plans": []}
    for model in collected.values():
        if isinstance(model, TaskSpec):
            kinds["tasks"].append(model.to_flyte_idl())
        elif isinstance(model, WorkflowSpec):
            kinds["workflows"].append(model.to_flyte_idl())
        elif isinstance(model, LaunchPlan):
            kinds["launch_plans"].append(model.to_flyte_idl())
    return kinds
