"""The command pyflyte-fast-execute would have run, told where the executor put the code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flyteplane.engine.executors.fast import python_path, unwrap_fast_execute

EXECUTE = ["pyflyte-execute", "--inputs", "i.pb", "--resolver", "flytekit.resolver", "--", "task-module", "m"]


def test_the_task_command_runs_directly_told_where_the_code_was_unpacked() -> None:
    argv = ["pyflyte-fast-execute", "--additional-distribution", "s3://b/f.tar.gz", "--dest-dir", "/root", "--"]
    fast = unwrap_fast_execute([*argv, *EXECUTE], "/attempt/work")
    assert fast is not None
    assert fast.distribution == "s3://b/f.tar.gz"
    assert fast.argv == [
        "pyflyte-execute", "--inputs", "i.pb",
        "--dynamic-addl-distro", "s3://b/f.tar.gz", "--dynamic-dest-dir", "/attempt/work",
        "--resolver", "flytekit.resolver", "--", "task-module", "m",
    ]  # fmt: skip


def test_the_equals_form_and_a_full_path_are_understood_and_no_distribution_adds_nothing() -> None:
    fast = unwrap_fast_execute(
        ["/venv/bin/pyflyte-fast-execute", "--additional-distribution=/d/f.tar.gz", "--", "x"], "/w"
    )
    assert fast is not None and (fast.distribution, fast.argv) == ("/d/f.tar.gz", ["x"])
    bare = unwrap_fast_execute(["pyflyte-fast-execute", "--", *EXECUTE], "/w")
    assert bare is not None and (bare.distribution, bare.argv) == ("", EXECUTE)


@pytest.mark.parametrize(
    "argv", [EXECUTE, ["pyflyte-fast-execute", "--additional-distribution", "x"], ["pyflyte-fast-execute", "--"], []]
)
def test_other_commands_are_not_unwrapped(argv: list[str]) -> None:
    assert unwrap_fast_execute(argv, "/w") is None


def test_the_code_folder_goes_last_on_the_python_path(tmp_path: Path) -> None:
    assert python_path(None, str(tmp_path)) == os.path.realpath(tmp_path)
    assert python_path("/a", str(tmp_path)) == f"/a{os.pathsep}{os.path.realpath(tmp_path)}"
