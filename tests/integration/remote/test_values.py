"""Python values through real executions: every core type in and out, files and directories through the data
proxy, and a type only flytekit knows (a pickled object) through flytekit's TypeEngine.

Each task runs twice where it matters: once fetched by name (no Python types: the interface alone guides the
conversion, as for a user without the code) and once registered from its Python definition (outputs then read as
the Python types the code declares).
"""

from __future__ import annotations

import datetime
import pathlib
from typing import Any

import pytest
from remotevalues import tasks
from remotevalues.tasks import Color, Point, Shape

from flyteplane.remote import Directory, File, FlyteRemote, FlyteTask

UTC = datetime.timezone.utc
WHEN = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


@pytest.fixture(scope="module")
def registered(remote: FlyteRemote) -> dict[str, FlyteTask]:
    names = ("echo_scalars", "echo_containers", "blob_facts", "unpickle")
    return {name: remote.register_task(getattr(tasks, name)) for name in names}


def fetched(remote: FlyteRemote, task: FlyteTask) -> FlyteTask:
    """The task as someone without its code sees it."""
    found = remote.fetch_task(name=task.id.name, version=task.id.version)
    assert found.python_interface is None
    return found


SCALARS: dict[str, Any] = {
    "i": 41,
    "f": 1.25,
    "s": "flyte",
    "b": True,
    "t": WHEN,
    "d": datetime.timedelta(minutes=3, microseconds=5),
    "o": None,
    "n": "present",
    "e": Color.GREEN,
}


def test_scalars_round_trip_without_python_types(remote: FlyteRemote, registered: dict[str, FlyteTask]) -> None:
    execution = remote.execute(fetched(remote, registered["echo_scalars"]), inputs=SCALARS, wait=True)

    assert execution.is_successful, execution.error
    assert execution.outputs is not None
    assert execution.outputs.as_dict() == {
        "i": 42,
        "f": 2.5,
        "s": "FLYTE",
        "b": False,
        "t": WHEN + datetime.timedelta(days=1),
        "d": datetime.timedelta(minutes=6, microseconds=10),
        "o": None,
        "n": "present",
        "e": "green",  # an enum output reads as its value without the Python type...
    }
    assert execution.outputs.get("e", as_type=Color) is Color.GREEN  # ...and as the enum with it
    assert execution.inputs is not None and execution.inputs["e"] == "green"


def test_enum_strings_and_ints_for_floats_are_accepted(remote: FlyteRemote, registered: dict[str, FlyteTask]) -> None:
    inputs = {**SCALARS, "f": 2, "e": "red", "o": 7, "t": WHEN.replace(tzinfo=None)}
    execution = remote.execute(fetched(remote, registered["echo_scalars"]), inputs=inputs, wait=True)

    assert execution.outputs is not None
    assert (execution.outputs["f"], execution.outputs["e"], execution.outputs["o"]) == (4.0, "red", 7)
    assert execution.outputs["t"] == WHEN + datetime.timedelta(days=1)  # naive datetimes are UTC


def test_containers_and_dataclasses_round_trip(remote: FlyteRemote, registered: dict[str, FlyteTask]) -> None:
    shape = Shape("tri", [Point(1, 2.0, WHEN.replace(tzinfo=None), Color.RED, ["a"], "first")], {"sides": 3})
    inputs = {"nested": [[1, 2], []], "mapping": {"a": [0.5]}, "generic": {"k": [1, "x"]}, "shape": shape}

    with_types = remote.execute(registered["echo_containers"], inputs=inputs, wait=True)
    without = remote.execute(fetched(remote, registered["echo_containers"]), inputs=inputs, wait=True)

    assert with_types.outputs is not None and without.outputs is not None
    expected_shape = Shape(
        "tri",
        [shape.points[0], Point(1, 0.5, WHEN.replace(tzinfo=None), Color.GREEN)],
        {"sides": 3},
    )
    assert with_types.outputs["shape"] == expected_shape  # the Python type from the registered code
    assert without.outputs.get("shape", as_type=Shape) == expected_shape
    plain = without.outputs["shape"]  # without a type: the plain data flytekit stored
    assert plain["points"][1] == {
        "x": 1,
        "y": 0.5,
        "when": "2024-05-06T07:08:09.123456",
        "color": "green",
        "tags": [],
        "note": None,
    }
    assert without.outputs["nested"] == [[1, 2, 3], [0]]
    assert without.outputs["mapping"] == {"a": [5.0]}
    assert without.outputs["generic"] == {"k": [1, "x"], "seen": True}


def test_local_files_and_directories_are_uploaded_and_outputs_download(
    remote: FlyteRemote, registered: dict[str, FlyteTask], tmp_path: pathlib.Path
) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("hello files")
    folder = tmp_path / "folder"
    (folder / "deep").mkdir(parents=True)
    (folder / "one.txt").write_text("1")
    (folder / "deep" / "two.txt").write_text("2")

    execution = remote.execute(
        fetched(remote, registered["blob_facts"]), inputs={"doc": str(doc), "folder": Directory(folder)}, wait=True
    )

    assert execution.is_successful, execution.error
    outputs = execution.outputs
    assert outputs is not None
    assert outputs["text"] == "hello files"
    assert outputs["files"] == 2
    copy, made = outputs["copy"], outputs["folder"]
    assert isinstance(copy, File) and isinstance(made, Directory)
    assert pathlib.Path(copy.download(tmp_path / "copy.txt")).read_text() == "HELLO FILES"
    assert sorted(pathlib.Path(p).name for p in made.files()) == ["a.txt", "b.txt"]
    remote.download(outputs, tmp_path / "all")
    assert (tmp_path / "all" / "copy").read_text() == "HELLO FILES"
    assert (tmp_path / "all" / "folder" / "sub" / "b.txt").read_text() == "B"
    assert (tmp_path / "all" / "text").read_text() == "hello files"


def test_flytekit_types_go_through_flytekits_type_engine(
    remote: FlyteRemote, registered: dict[str, FlyteTask], tmp_path: pathlib.Path
) -> None:
    from flytekit.types.file import FlyteFile

    doc = tmp_path / "doc.txt"
    doc.write_text("typed")
    (tmp_path / "other.txt").write_text("x")  # flytekit's uploader names a one-file directory by its file
    pickled = remote.execute(registered["unpickle"], inputs={"thing": tasks.Opaque(14)}, wait=True)
    typed = remote.execute(
        registered["blob_facts"], inputs={"doc": FlyteFile(str(doc)), "folder": str(tmp_path)}, wait=True
    )

    assert pickled.outputs is not None and pickled.outputs["o0"] == 42
    assert typed.outputs is not None
    copy = typed.outputs["copy"]
    assert isinstance(copy, FlyteFile)  # the registered code's type, read by flytekit
    with open(copy) as f:
        assert f.read() == "TYPED"


def test_wrong_inputs_are_refused_before_launching(remote: FlyteRemote, registered: dict[str, FlyteTask]) -> None:
    task = fetched(remote, registered["echo_scalars"])
    with pytest.raises(ValueError, match="has no input 'nope'"):
        remote.execute(task, inputs={**SCALARS, "nope": 1})
    with pytest.raises(TypeError, match="input 'i': expected an int, got str"):
        remote.execute(task, inputs={**SCALARS, "i": "41"})
    with pytest.raises(ValueError, match="'blue' is not one of the enum's values"):
        remote.execute(task, inputs={**SCALARS, "e": "blue"})
