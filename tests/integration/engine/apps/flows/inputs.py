"""A workflow whose inputs are a FlyteFile and a FlyteDirectory: `pyflyte run --remote` uploads local ones through
the data proxy, and the task reads them back from wherever the upload landed."""

from __future__ import annotations

from pathlib import Path

from flytekit import task, workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile


@task
def summarize(f: FlyteFile, d: FlyteDirectory) -> str:
    text = Path(f.download()).read_text()
    names = sorted(p.name for p in Path(d.download()).iterdir())
    return f"{text}|{','.join(names)}"


@workflow
def read_inputs(f: FlyteFile, d: FlyteDirectory) -> str:
    return summarize(f=f, d=d)
