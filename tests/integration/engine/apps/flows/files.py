"""Tasks returning a FlyteFile and a FlyteDirectory, which the client downloads; one renders a deck."""

from __future__ import annotations

import os
import tempfile

from flytekit import task, workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile


@task
def write_file(text: str) -> FlyteFile:
    path = os.path.join(tempfile.mkdtemp(), "note.txt")
    with open(path, "w") as handle:
        handle.write(text)
    return FlyteFile(path)


@task(enable_deck=True)
def write_directory(count: int) -> FlyteDirectory:
    folder = tempfile.mkdtemp()
    for i in range(count):
        with open(os.path.join(folder, f"part-{i}.txt"), "w") as handle:
            handle.write(f"part {i}")
    return FlyteDirectory(folder)


@workflow
def artifacts(text: str, count: int) -> tuple[FlyteFile, FlyteDirectory]:
    return write_file(text=text), write_directory(count=count)
