"""Fast-registered code unpacked by the executor, and the command pyflyte-fast-execute would have run."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from flyteplane.engine.executors.fast import UnpackError, python_path, unpack_distribution, unwrap_fast_execute

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


def tarball(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_a_tarball_is_unpacked_into_the_destination(tmp_path: Path) -> None:
    source = tarball(tmp_path / "fastabc.tar.gz", {"pkg/__init__.py": b"", "pkg/mod.py": b"X = 1\n"})
    unpack_distribution(str(source), str(tmp_path / "work"))
    assert (tmp_path / "work" / "pkg" / "mod.py").read_bytes() == b"X = 1\n"


def test_a_pickled_distribution_is_copied_not_unpacked(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "pkl.gz").write_bytes(b"pickled")
    unpack_distribution(str(tmp_path / "src" / "pkl.gz"), str(tmp_path / "work"))
    assert (tmp_path / "work" / "pkl.gz").read_bytes() == b"pickled"


def test_an_archive_escaping_its_destination_is_refused(tmp_path: Path) -> None:
    source = tarball(tmp_path / "evil.tar.gz", {"../escaped.py": b"boom"})
    with pytest.raises(UnpackError):
        unpack_distribution(str(source), str(tmp_path / "work"))
    assert not (tmp_path / "escaped.py").exists()


@pytest.mark.parametrize("name", ["missing.tar.gz", "code.zip"])
def test_missing_or_unknown_distributions_are_reported(tmp_path: Path, name: str) -> None:
    (tmp_path / "code.zip").write_bytes(b"zip")
    with pytest.raises(UnpackError):
        unpack_distribution(str(tmp_path / name), str(tmp_path / "work"))
