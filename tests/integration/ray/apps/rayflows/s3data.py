"""The data path on Ray with an S3 blob store: a task writes a file (uploaded to the bucket from the worker node),
another reads it back (downloaded there), and a small map task, each item its own Ray job."""

from __future__ import annotations

import os
import tempfile

from flytekit import map_task, task, workflow
from flytekit.types.file import FlyteFile


@task
def write_note(text: str) -> FlyteFile:
    path = os.path.join(tempfile.mkdtemp(), "note.txt")
    with open(path, "w") as handle:
        handle.write(text)
    return FlyteFile(path)


@task
def read_note(note: FlyteFile) -> str:
    with open(note) as handle:
        return handle.read()


@task
def shout(word: str) -> str:
    return f"{word.upper()}@{os.environ.get('FLYTE_K8S_ARRAY_INDEX', '?')}"


@workflow
def round_trip(text: str, words: list[str]) -> tuple[FlyteFile, str, list[str]]:
    note = write_note(text=text)
    return note, read_note(note=note), map_task(shout)(word=words)
