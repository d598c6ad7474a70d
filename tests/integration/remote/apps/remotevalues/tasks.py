"""Tasks over every core type, and one type only flytekit knows, to check FlyteRemote's conversions end to end."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from flytekit import LaunchPlan, task, workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass
class Point:
    x: int
    y: float
    when: datetime
    color: Color
    tags: list[str] = field(default_factory=list)
    note: str | None = None


@dataclass
class Shape:
    name: str
    points: list[Point]
    props: dict[str, int]


class Scalars(NamedTuple):
    i: int
    f: float
    s: str
    b: bool
    t: datetime
    d: timedelta
    o: int | None
    n: str | None
    e: Color


@task
def echo_scalars(
    i: int, f: float, s: str, b: bool, t: datetime, d: timedelta, o: int | None, n: str | None, e: Color
) -> Scalars:
    return Scalars(i + 1, f * 2, s.upper(), not b, t + timedelta(days=1), d * 2, o, n, e)


class Containers(NamedTuple):
    nested: list[list[int]]
    mapping: dict[str, list[float]]
    generic: dict
    shape: Shape


@task
def echo_containers(
    nested: list[list[int]], mapping: dict[str, list[float]], generic: dict, shape: Shape
) -> Containers:
    shape.points.append(Point(x=len(shape.points), y=0.5, when=shape.points[0].when, color=Color.GREEN))
    return Containers(
        [[*row, sum(row)] for row in nested],
        {k: [v * 10 for v in vs] for k, vs in mapping.items()},
        {**generic, "seen": True},
        shape,
    )


class BlobFacts(NamedTuple):
    text: str
    files: int
    copy: FlyteFile
    folder: FlyteDirectory


@task
def blob_facts(doc: FlyteFile, folder: FlyteDirectory) -> BlobFacts:
    with open(doc) as f:
        text = f.read()
    local = folder.download()
    count = sum(len(files) for _, _, files in os.walk(local))
    out = os.path.join(os.environ.get("TMPDIR", "/tmp"), "copy.txt")
    with open(out, "w") as f:
        f.write(text.upper())
    out_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "made")
    os.makedirs(os.path.join(out_dir, "sub"), exist_ok=True)
    for name, content in (("a.txt", "A"), ("sub/b.txt", "B")):
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(content)
    return BlobFacts(text, count, FlyteFile(out), FlyteDirectory(out_dir))


class Opaque:
    """Not a core type and not a dataclass: flytekit pickles it (FlytePickle)."""

    def __init__(self, value: int) -> None:
        self.value = value


@task
def unpickle(thing: Opaque) -> int:
    return thing.value * 3


@workflow
def sum_pipeline(a: int, b: int = 2) -> int:
    return echo_scalars(
        i=a, f=1.0, s="s", b=True, t=datetime(2024, 1, 1), d=timedelta(seconds=1), o=b, n=None, e=Color.RED
    ).i


sum_plan = LaunchPlan.get_or_create(sum_pipeline, name="values_sum_plan", default_inputs={"b": 10})


@workflow
def through_plan(a: int) -> int:
    """A launch-plan node: the child execution's output is this workflow's."""
    return sum_plan(a=a)
