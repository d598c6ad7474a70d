"""Links into the Flyte console for executions and registered entities (no RPC: the URLs follow a fixed scheme).

The console lives at the configured console endpoint, or at the admin endpoint itself (`http://` when the
connection is insecure, `https://` otherwise), under `/console`, where flyteconsole and flyteplane serve it.
"""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2

from flyteplane.client import PlatformConfig

__all__ = ["console_http_domain", "console_url"]

_ROUTES: dict[int, str] = {
    identifier_pb2.TASK: "task",
    identifier_pb2.WORKFLOW: "workflow",
    identifier_pb2.LAUNCH_PLAN: "launch_plan",
}


def console_http_domain(platform: PlatformConfig) -> str:
    if platform.console_endpoint:
        return platform.console_endpoint.rstrip("/")
    scheme = "http" if platform.insecure else "https"
    endpoint = platform.endpoint.replace("dns:///", "")
    return f"{scheme}://{endpoint}"


def _execution_id(entity: Any) -> Any:
    """The workflow execution id of an execution entity or identifier (node and task executions link to theirs)."""
    if isinstance(entity, identifier_pb2.WorkflowExecutionIdentifier):
        return entity
    if isinstance(entity, identifier_pb2.NodeExecutionIdentifier):
        return entity.execution_id
    if isinstance(entity, identifier_pb2.TaskExecutionIdentifier):
        return entity.node_execution_id.execution_id
    ident = getattr(entity, "id", None)
    if ident is None or isinstance(ident, identifier_pb2.Identifier):
        return None
    return _execution_id(ident)


def console_url(platform: PlatformConfig, entity: Any) -> str:
    """`<console>/console/projects/<p>/domains/<d>/executions/<name>` for executions, and
    `.../<task|workflow|launch_plan>/<name>/version/<version>` for tasks, workflows and launch plans."""
    base = f"{console_http_domain(platform)}/console/projects"
    execution_id = _execution_id(entity)
    if execution_id is not None:
        return f"{base}/{execution_id.project}/domains/{execution_id.domain}/executions/{execution_id.name}"
    ident: Any = entity if isinstance(entity, identifier_pb2.Identifier) else getattr(entity, "id", None)
    if ident is not None and hasattr(ident, "resource_type"):
        route = _ROUTES.get(int(ident.resource_type), "workflow")
        return f"{base}/{ident.project}/domains/{ident.domain}/{route}/{ident.name}/version/{ident.version}"
    raise ValueError(f"Only remote entities can be looked at in the console, got type {type(entity).__name__}")
