"""The logs route behind the stdout/stderr links of task executions run by the local executor."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from tests.unit.engine.executors.attempt_builders import PUBLIC_URL, Attempts, MakeExecutor, shell_task

from flyteplane.api.http.logs import log_routes
from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.executors.local import LocalExecutor


@pytest.fixture
def executor(make_executor: MakeExecutor, attempts: Attempts) -> LocalExecutor:
    executor = make_executor()
    script = "for i in 1 2 3 4 5; do echo line $i; done; echo 'went wrong' >&2"
    executor.submit(attempts.make("talk-1", shell_task("sh", "-c", script)))
    assert executor.wait("talk-1", 30).phase == AttemptPhase.SUCCEEDED
    return executor


@pytest.fixture
def client(executor: LocalExecutor) -> TestClient:
    return TestClient(Starlette(routes=log_routes(executor)))


def test_the_log_links_of_an_attempt_serve_its_output_streams(executor: LocalExecutor, client: TestClient) -> None:
    links = {log.name: log.uri for log in executor.status("talk-1").logs}
    stdout = client.get(links["stdout"].removeprefix(PUBLIC_URL))
    assert stdout.status_code == 200
    assert stdout.headers["content-type"] == "text/plain; charset=utf-8"
    assert stdout.text == "".join(f"line {i}\n" for i in range(1, 6))
    assert client.get(links["stderr"].removeprefix(PUBLIC_URL)).text == "went wrong\n"


@pytest.mark.parametrize(("tail", "expected"), [("2", "line 4\nline 5\n"), ("0", ""), ("99", None)])
def test_tail_returns_only_the_last_lines(client: TestClient, tail: str, expected: str | None) -> None:
    response = client.get("/logs/talk-1/stdout", params={"tail": tail})
    assert response.status_code == 200
    assert response.text == (expected if expected is not None else "".join(f"line {i}\n" for i in range(1, 6)))


def test_tail_reads_a_long_log_from_its_end(executor: LocalExecutor, client: TestClient) -> None:
    path = executor.log_file("talk-1", "stdout")
    assert path is not None
    path.write_bytes(b"".join(b"%06d %s\n" % (i, b"x" * 100) for i in range(5000)) + b"unterminated")
    response = client.get("/logs/talk-1/stdout?tail=3")
    assert response.text.split("\n") == [f"004998 {'x' * 100}", f"004999 {'x' * 100}", "unterminated"]


@pytest.mark.parametrize("tail", ["-1", "lots", "1000001"])
def test_a_bad_tail_is_a_client_error(client: TestClient, tail: str) -> None:
    assert client.get(f"/logs/talk-1/stdout?tail={tail}").status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/logs/nobody/stdout", "/logs/talk-1/stdin", "/logs/talk-1/spec.json", "/logs/..%2F..%2Fetc/stdout", "/logs/../x"],
)
def test_unknown_attempts_streams_and_traversal_attempts_are_not_found(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_log_file_outside_the_attempts_cannot_be_named(executor: LocalExecutor) -> None:
    assert executor.log_file("..", "stdout") is None
    assert executor.log_file(".live", "stdout") is None
    assert executor.log_file("talk-1/../talk-1", "stdout") is None
