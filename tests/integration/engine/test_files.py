"""FlyteFile and FlyteDirectory outputs, downloaded by the client from the server's blob store; a rendered deck
reported on its node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flows import files
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from tests.integration.engine.support import assert_succeeded, register, run
from tests.integration.server import RunningServer


@pytest.fixture(scope="module")
def execution(flyte: Any, project: str) -> Any:
    artifacts = register(flyte, project, files.artifacts)
    finished = run(flyte, project, artifacts, text="hello from a task", count=3)
    assert_succeeded(finished)
    return finished


def test_file_and_directory_outputs_download_to_the_client(execution: Any, server: RunningServer) -> None:
    blobs = (server.home / "blobs").resolve()
    for name in ("o0", "o1"):
        uri = execution.outputs.literals[name].scalar.blob.uri
        assert Path(uri).resolve().is_relative_to(blobs), f"{uri} was not uploaded to the blob store"
    note = execution.outputs.get("o0", as_type=FlyteFile)
    folder = execution.outputs.get("o1", as_type=FlyteDirectory)
    assert Path(note.download()).read_text() == "hello from a task"
    local = Path(folder.download())
    assert sorted(p.name for p in local.iterdir()) == ["part-0.txt", "part-1.txt", "part-2.txt"]
    assert (local / "part-2.txt").read_text() == "part 2"


def test_a_rendered_deck_is_reported_on_its_node(flyte: Any, execution: Any) -> None:
    nodes = flyte.sync_execution(execution, sync_nodes=True).node_executions
    assert nodes["n0"].closure.deck_uri == "", "no deck without enable_deck"
    deck = nodes["n1"].closure.deck_uri
    assert deck.endswith("/deck.html")
    assert b"<html" in Path(deck).read_bytes().lower()
