"""The warm task runtime through a real server: attempts forked from one warm interpreter stay isolated from each
other, two versions of one module run side by side, a map task of a thousand items gets every output right, a
server with the warm pool off runs the same work cold, and a code bundle from a source that never answers holds
up nothing but its own attempts."""

from __future__ import annotations

import json
import socket
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flows import basics, fanout, isolation
from tests.integration.engine.support import (
    DOMAIN,
    QuickRemote,
    assert_succeeded,
    finish,
    phase_name,
    register,
    run,
    start,
)
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project

ITEMS = 1000


def warm_specs(home: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in (home / "attempts").glob("*/spec.json")]


def test_attempts_in_one_environment_never_see_what_an_earlier_one_did(flyte: Any, project: str) -> None:
    polluting = register(flyte, project, isolation.polluting)
    crashing = register(flyte, project, isolation.crashing)
    inspecting = register(flyte, project, isolation.inspecting)
    assert_succeeded(run(flyte, project, polluting))
    for how, code in (("segfault", "SIGSEGV"), ("exit", "code 3")):
        crashed = run(flyte, project, crashing, how=how)
        assert phase_name(crashed.closure.phase) == "FAILED"
        assert code in crashed.closure.error.message
    seen = run(flyte, project, inspecting)
    assert_succeeded(seen)
    assert json.loads(seen.outputs["o0"]) == {"calls": 1, "env": None, "json": '{"a": 1}', "module": False}


def test_two_versions_of_one_module_run_side_by_side(flyte: Any, project: str, tmp_path: Path) -> None:
    versions = {}
    for version in ("v1", "v2"):
        source = tmp_path / version
        (source / "sidebyside").mkdir(parents=True)
        (source / "sidebyside" / "__init__.py").write_text("")
        (source / "sidebyside" / "code.py").write_text(
            textwrap.dedent(
                f"""
                import time
                from flytekit import task, workflow

                @task
                def which() -> str:
                    time.sleep(1.5)
                    return "{version}"

                @workflow
                def side() -> str:
                    return which()
                """
            )
        )
        for name in [n for n in sys.modules if n.startswith("sidebyside")]:
            del sys.modules[name]
        sys.path.insert(0, str(source))
        try:
            from sidebyside import code  # type: ignore[import-not-found]

            versions[version] = flyte.register_script(
                code.side, project=project, domain=DOMAIN, version=version, source_path=str(source), copy_all=True
            )
        finally:
            sys.path.remove(str(source))
    started = {version: start(flyte, project, entity) for version, entity in versions.items()}
    ended = {version: finish(flyte, execution) for version, execution in started.items()}
    for version, execution in ended.items():
        assert_succeeded(execution)
        assert execution.outputs["o0"] == version
    one, two = (ended[v].closure for v in ("v1", "v2"))
    assert one.started_at < two.started_at + two.duration and two.started_at < one.started_at + one.duration


def test_a_map_task_over_a_thousand_items_gets_every_output_right(flyte: Any, project: str) -> None:
    squares = register(flyte, project, fanout.squares)
    xs = list(range(ITEMS))
    started = time.monotonic()
    execution = run(flyte, project, squares, xs=xs)
    elapsed = time.monotonic() - started
    assert_succeeded(execution)
    assert execution.outputs["o0"] == sum(x * x for x in xs)
    node = flyte.sync_execution(execution, sync_nodes=True).node_executions["n0"]
    assert list(node.outputs["o0"]) == [x * x for x in xs]
    print(f"{ITEMS} map items in {elapsed:.1f} s")


@pytest.fixture
def home_and_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, RunningServer]]:
    home = tmp_path / "home"
    extra: tuple[str, ...] = getattr(request, "param", ())
    server = start_server(home, "", *extra)
    yield home, server
    server.stop()


@pytest.mark.parametrize("home_and_server", [("--no-warm-pool",)], indirect=True)
def test_with_the_warm_pool_off_the_same_work_runs_cold(home_and_server: tuple[Path, RunningServer]) -> None:
    home, server = home_and_server
    flyte = QuickRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
    )
    project = new_project(flyte, "cold")
    assert_succeeded(run(flyte, project, register(flyte, project, basics.arithmetic), a=1, b=2))
    specs = warm_specs(home)
    assert specs and all("warm" not in spec for spec in specs)
    assert not (home / "warm").exists()


@pytest.fixture
def silent_source() -> Iterator[str]:
    """A code-bundle "server" that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def hostile_task(flyte: Any, project: str, url: str) -> Any:
    """basics.add, registered as if its fast-registered code lived at `url`."""
    from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings

    settings = SerializationSettings(
        image_config=ImageConfig.auto_default_image(),
        project=project,
        domain=DOMAIN,
        version="hostile",
        fast_serialization_settings=FastSerializationSettings(
            enabled=True, destination_dir=".", distribution_location=f"{url}/fasthostile.tar.gz"
        ),
    )
    return flyte.register_task(basics.add, serialization_settings=settings, version="hostile")


def test_a_code_bundle_source_that_never_answers_holds_up_no_other_execution(
    tmp_path: Path, silent_source: str
) -> None:
    config = tmp_path / "flyteplane.yaml"
    config.write_text(f"bundle_sources: [{silent_source}]\nbundle_fetch_timeout: 20\nengine_workers: 4\n")
    server = start_server(tmp_path / "home", "", "--config", str(config))
    try:
        flyte = QuickRemote.for_endpoint(
            server.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
        )
        project = new_project(flyte, "hostile")
        hostile = hostile_task(flyte, project, silent_source)
        arithmetic = register(flyte, project, basics.arithmetic)
        stuck = [start(flyte, project, hostile, a=i, b=1) for i in range(4)]
        time.sleep(1.0)  # the four fetches are under way (and would hold every engine worker, were they on them)
        began = time.monotonic()
        assert_succeeded(run(flyte, project, arithmetic, a=1, b=2))
        assert time.monotonic() - began < 15, "an unrelated execution waited for the stuck fetches"
        for execution in stuck:
            ended = finish(flyte, execution)
            assert phase_name(ended.closure.phase) == "FAILED"
            assert "took longer than 20 s" in ended.closure.error.message
    finally:
        server.stop()


def test_a_code_bundle_from_outside_the_blob_store_is_refused(flyte: Any, project: str, silent_source: str) -> None:
    ended = run(flyte, project, hostile_task(flyte, project, silent_source), a=1, b=2)
    assert phase_name(ended.closure.phase) == "FAILED"
    assert "is not in the blob store or an allowed source" in ended.closure.error.message
