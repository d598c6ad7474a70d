"""FlyteRemote with no flytekit at all: in a subprocess where importing flytekit fails (as where it is not
installed), fetch registered entities, execute them with Python inputs (a local file and directory included),
wait, and read and download the outputs. Registering Python-defined entities then says what to install."""

from __future__ import annotations

from typing import Any

import pytest
from remotevalues import tasks
from tests.integration.client.test_without_flytekit import run_without_flytekit
from tests.integration.server import RunningServer

from flyteplane.remote import FlyteRemote


@pytest.fixture(scope="module")
def registered(remote: FlyteRemote) -> dict[str, Any]:
    """Registered with flytekit here, in the test process: the subprocess only has their names."""
    return {
        "pipeline": remote.register_workflow(tasks.sum_pipeline),
        "blobs": remote.register_task(tasks.blob_facts),
        "containers": remote.register_task(tasks.echo_containers),
    }


def test_fetch_execute_wait_and_read_outputs_without_flytekit(
    plane: RunningServer, project_id: str, registered: dict[str, Any]
) -> None:
    result = run_without_flytekit(
        f"""
        import dataclasses, datetime, enum, pathlib, tempfile
        from flyteplane.remote import Directory, File, FlyteRemote, FlytekitRequired

        remote = FlyteRemote.for_endpoint({plane.endpoint!r}, insecure=True, default_project={project_id!r},
                                          default_domain="development")

        workflow = remote.fetch_workflow(name="remotevalues.tasks.sum_pipeline")  # the latest version
        execution = remote.execute(workflow, inputs={{"a": 5}}, wait=True)
        assert execution.is_successful, execution.error
        assert execution.outputs["o0"] == 6, execution.outputs
        assert execution.inputs.as_dict() == {{"a": 5, "b": 2}}
        assert execution.node_executions["n0"].task_executions[0].current_state == "SUCCEEDED"

        work = pathlib.Path(tempfile.mkdtemp())
        (work / "doc.txt").write_text("no flytekit")
        (work / "dir").mkdir()
        (work / "dir" / "x.txt").write_text("x")
        task = remote.fetch_task(name="remotevalues.tasks.blob_facts")
        done = remote.execute(task, inputs={{"doc": File(work / "doc.txt"), "folder": Directory(work / "dir")}},
                              wait=True)
        assert done.outputs["text"] == "no flytekit" and done.outputs["files"] == 1
        assert pathlib.Path(done.outputs["copy"].download()).read_text() == "NO FLYTEKIT"

        class Color(enum.Enum):
            RED = "red"
            GREEN = "green"

        @dataclasses.dataclass
        class Point:
            x: int
            y: float
            when: datetime.datetime
            color: Color
            tags: list = dataclasses.field(default_factory=list)
            note: str = None

        @dataclasses.dataclass
        class Shape:
            name: str
            points: list
            props: dict

        shape = Shape("sq", [Point(0, 1.5, datetime.datetime(2024, 1, 1), Color.RED)], {{"sides": 4}})
        containers = remote.fetch_task(name="remotevalues.tasks.echo_containers")
        echoed = remote.execute(containers, inputs={{"nested": [[1]], "mapping": {{}}, "generic": {{"a": 1}},
                                                     "shape": shape}}, wait=True)
        assert echoed.outputs["shape"]["points"][1]["color"] == "green", echoed.outputs["shape"]
        assert echoed.outputs["nested"] == [[1, 1]]

        try:
            remote.register_task(object())
            raise SystemExit("registering should have needed flytekit")
        except FlytekitRequired as error:
            assert "pip install flytekit" in str(error), error

        assert not [name for name in sys.modules if name.split(".")[0] == "flytekit"]
        print("ran without flytekit")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ran without flytekit")
