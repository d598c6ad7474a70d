"""The Ray executor where no cluster is needed: attempts that cannot run, and a cluster that cannot be reached
(a closed port on 127.0.0.1). Everything else runs against a real cluster in tests/integration/ray."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flyteidl.core import tasks_pb2
from tests.unit.engine.executors.attempt_builders import Attempts, shell_task

from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.executors.ray import RayExecutor


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def executor(tmp_path: Path, closed_port: int) -> Iterator[RayExecutor]:
    with RayExecutor(
        tmp_path / "home", address=f"http://127.0.0.1:{closed_port}", owner="o1", public_url="http://fp:30080"
    ) as made:
        yield made


def test_an_attempt_that_cannot_run_fails_without_a_job(executor: RayExecutor, tmp_path: Path) -> None:
    attempt = Attempts(tmp_path).make("a-1", tasks_pb2.TaskTemplate(type="echo"))
    executor.submit(attempt)
    status = executor.status("a-1")
    assert status.phase == AttemptPhase.FAILED
    assert "has no container" in status.message
    executor.submit(attempt)  # again: still the same record, nothing submitted
    assert executor.status("a-1").message == status.message


def test_while_the_cluster_is_unreachable_attempts_wait_in_line_on_disk(
    executor: RayExecutor, tmp_path: Path, closed_port: int
) -> None:
    executor.submit(Attempts(tmp_path).make("a-2", shell_task("true")))
    executor.submit(Attempts(tmp_path).make("a-3", shell_task("true")))
    status = executor.status("a-2")  # not LOST, not a failed round: it is submitted once Ray answers
    assert status.phase == AttemptPhase.QUEUED and status.message == "waiting to be submitted"
    assert sorted(executor.live()) == ["a-2", "a-3"]
    requests = sorted(p.name for p in (tmp_path / "home" / "ray-jobs").glob("*.request"))
    assert requests == ["a-2.request", "a-3.request"]
    body = json.loads((tmp_path / "home" / "ray-jobs" / "a-2.request").read_text())
    assert body["submission_id"] == "a-2" and body["metadata"]["flyteplane_owner"] == "o1"
    executor.terminate("a-3")
    aborted = executor.status("a-3")
    assert aborted.phase == AttemptPhase.ABORTED and aborted.finished_at is not None
    assert not (tmp_path / "home" / "ray-jobs" / "a-3.request").exists()
    # A restarted executor on the same home has the waiting attempt in line, in order.
    with RayExecutor(
        tmp_path / "home", address=f"http://127.0.0.1:{closed_port}", owner="o1", public_url="http://fp:30080"
    ) as restarted:
        assert restarted.live() == ["a-2"]
        assert restarted.status("a-2").message == "waiting to be submitted"


def test_logs_are_served_only_for_the_job_stream_of_a_valid_attempt(executor: RayExecutor) -> None:
    assert executor.log_file("a-3", "stdout") is None
    assert executor.log_file("../etc", "job") is None
    assert executor.log_file("a-3", "job") is None  # nothing fetched yet and the cluster is away
    assert executor.status("../x").phase == AttemptPhase.LOST
