"""A workflow whose inputs are a FlyteFile and a FlyteDirectory: `pyflyte run --remote` uploads local ones through
the data proxy, and the task reads them back from wherever the upload landed."""

from __future__ import annotations

from dataclasses import dataclass
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


DATA = Path(__file__).with_name("inputs_data")  # one nested file, as flytekit's own remote tests' data/ folder


@dataclass
class Defaults:
    ff: FlyteFile
    fd: FlyteDirectory


@task
def read_defaults(dc: Defaults) -> str:
    return Path(dc.ff.download()).read_text().splitlines()[0]


DEFAULTS = Defaults(ff=FlyteFile(__file__), fd=FlyteDirectory(str(DATA)))


@workflow
def dataclass_defaults(dc: Defaults = DEFAULTS) -> str:
    """flytekit's test_generic_idl_flytetypes in small: FlyteFile and FlyteDirectory defaults in a dataclass."""
    return read_defaults(dc=dc)
