"""`/metrics` on the public port: RPC counts and latencies by wire, method and code, executions by phase, the
engine queue's depth and task attempt starts, scraped from a real server and parsed as Prometheus parses them."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from flyteidl.admin import execution_pb2, project_pb2, version_pb2
from flyteidl.service import admin_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families
from tests.integration.engine.support import (
    DOMAIN,
    QuickRemote,
    assert_succeeded,
    register,
    run,
    start,
    use_engine_apps,
)
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project
from tests.postgres import temporary_database

use_engine_apps()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of this module's own, so that the counts are this module's alone."""
    home: Path = tmp_path_factory.mktemp(f"metrics-{request.param}")
    if request.param == "sqlite":
        running = start_server(home)
        yield running
        running.stop()
        return
    with temporary_database() as url:
        running = start_server(home, url)
        yield running
        running.stop()


def scrape(server: RunningServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_rpcs_on_both_wires_are_counted_by_method_and_code(server: RunningServer) -> None:
    with grpc.insecure_channel(server.endpoint) as channel:
        admin = admin_pb2_grpc.AdminServiceStub(channel)
        admin.GetVersion(version_pb2.GetVersionRequest())
        admin.GetVersion(version_pb2.GetVersionRequest())
        with pytest.raises(grpc.RpcError) as missing:
            admin.GetProject(project_pb2.ProjectGetRequest(id="no-such-project"))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    with urllib.request.urlopen(f"{server.url}/api/v1/version", timeout=10) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as http_missing:
        urllib.request.urlopen(f"{server.url}/api/v1/projects/no-such-project", timeout=10)
    assert http_missing.value.code == 404

    samples = scrape(server)
    grpc_version = {"wire": "grpc", "method": "AdminService.GetVersion", "code": "OK"}
    assert value(samples, "flyteplane_rpc_requests_total", **grpc_version) == 2
    assert value(samples, "flyteplane_rpc_duration_seconds_count", **grpc_version) == 2
    assert value(samples, "flyteplane_rpc_duration_seconds_sum", **grpc_version) > 0
    assert value(samples, "flyteplane_rpc_duration_seconds_bucket", **grpc_version, le="+Inf") == 2
    assert (
        value(samples, "flyteplane_rpc_requests_total", wire="grpc", method="AdminService.GetProject", code="NOT_FOUND")
        == 1
    )
    assert (
        value(samples, "flyteplane_rpc_requests_total", wire="http", method="AdminService.GetVersion", code="OK") == 1
    )
    assert (
        value(samples, "flyteplane_rpc_requests_total", wire="http", method="AdminService.GetProject", code="NOT_FOUND")
        == 1
    )


def test_an_execution_shows_in_phases_attempt_starts_and_an_empty_queue(server: RunningServer) -> None:
    from flows import basics

    before = scrape(server)
    flyte: Any = QuickRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
    )
    project = new_project(flyte, "metrics")
    register(flyte, project, basics.arithmetic)
    execution = run(flyte, project, basics.arithmetic, a=1, b=2)
    assert_succeeded(execution)

    after = scrape(server)
    assert (
        value(after, "flyteplane_executions", phase="SUCCEEDED")
        == value(before, "flyteplane_executions", phase="SUCCEEDED") + 1
    )
    assert (
        value(after, "flyteplane_task_attempts_started_total") - value(before, "flyteplane_task_attempts_started_total")
        == 3
    ), "add, double and describe: one attempt each"
    assert value(after, "flyteplane_engine_queue_depth", state="live") == 0
    assert value(after, "flyteplane_engine_queue_depth", state="due") == 0
    assert value(after, "flyteplane_engine_lease_takeovers_total") == 0
    created = {"wire": "grpc", "method": "AdminService.CreateExecution", "code": "OK"}
    assert (
        value(after, "flyteplane_rpc_requests_total", **created)
        == value(before, "flyteplane_rpc_requests_total", **created) + 1
    )


def test_a_get_execution_held_by_the_first_look_wait_counts_once(server: RunningServer) -> None:
    """The wait answers by asking the service again every few milliseconds; the client made two calls."""
    from flows import basics

    flyte: Any = QuickRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
    )
    project = new_project(flyte, "metrics-wait")
    register(flyte, project, basics.arithmetic)
    started = start(flyte, project, basics.arithmetic, a=3, b=4)
    got = {"wire": "grpc", "method": "AdminService.GetExecution", "code": "OK"}
    before = value(scrape(server), "flyteplane_rpc_requests_total", **got)
    request = execution_pb2.WorkflowExecutionGetRequest(id=started.id.to_flyte_idl())
    with grpc.insecure_channel(server.endpoint) as channel:
        admin = admin_pb2_grpc.AdminServiceStub(channel)
        admin.GetExecution(request)
        admin.GetExecution(request)  # held until the execution ends (or its first seconds are over)
    assert value(scrape(server), "flyteplane_rpc_requests_total", **got) - before == 2
