"""Console links: executions (node and task executions link to theirs) and registered entities."""

from __future__ import annotations

import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client import PlatformConfig
from flyteplane.remote import FlyteRemote, FlyteTask, FlyteWorkflowExecution
from flyteplane.remote.console import console_url

EXECUTION = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="e1")
NODE = identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=EXECUTION)
ATTEMPT = identifier_pb2.TaskExecutionIdentifier(node_execution_id=NODE, retry_attempt=1)
TASK = identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, project="p", domain="d", name="t", version="v")


@pytest.mark.parametrize(
    "entity", [EXECUTION, NODE, ATTEMPT, FlyteWorkflowExecution(execution_pb2.Execution(id=EXECUTION))]
)
def test_executions_link_to_their_workflow_executions_page(entity: object) -> None:
    remote = FlyteRemote.for_endpoint("admin.example.com:443")
    assert (
        remote.generate_console_url(entity)
        == "https://admin.example.com:443/console/projects/p/domains/d/executions/e1"
    )


@pytest.mark.parametrize(
    ("resource_type", "route"),
    [(identifier_pb2.TASK, "task"), (identifier_pb2.WORKFLOW, "workflow"), (identifier_pb2.LAUNCH_PLAN, "launch_plan")],
)
def test_entities_link_to_their_version_page(resource_type: int, route: str) -> None:
    ident = identifier_pb2.Identifier(resource_type=resource_type, project="p", domain="d", name="n", version="v1")
    url = console_url(PlatformConfig("localhost:30080", insecure=True), ident)
    assert url == f"http://localhost:30080/console/projects/p/domains/d/{route}/n/version/v1"


def test_a_configured_console_endpoint_is_used() -> None:
    platform = PlatformConfig("admin:81", console_endpoint="https://console.example.com/")
    assert console_url(platform, FlyteTask(_template())).startswith("https://console.example.com/console/projects/p/")


def test_other_objects_have_no_page() -> None:
    with pytest.raises(ValueError, match="Only remote entities"):
        console_url(PlatformConfig("a:1"), object())


def _template() -> object:
    from flyteidl.core import tasks_pb2

    return tasks_pb2.TaskTemplate(id=TASK)
