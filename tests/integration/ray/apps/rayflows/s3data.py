"""The data path on Ray with an S3 blob store: a task writes a file and a folder (uploaded to the bucket from the
worker node), another reads them back (downloaded there) and renders a deck, and a small map task, each item its
own Ray job."""

from __future__ import annotations

import os
import tempfile

from flytekit import map_task, task, workflow
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile


@task
def write_note(text: str) -> tuple[FlyteFile, FlyteDirectory]:
    path = os.path.join(tempfile.mkdtemp(), "note.txt")
    with open(path, "w") as handle:
        handle.write(text)
    folder = tempfile.mkdtemp()
    for name in ("a.txt", "b.txt"):
        with open(os.path.join(folder, name), "w") as handle:
            handle.write(name)
    return FlyteFile(path), FlyteDirectory(folder)


@task(enable_deck=True)
def read_note(note: FlyteFile, folder: FlyteDirectory) -> str:
    with open(note) as handle:
        text = handle.read()
    names = sorted(os.listdir(folder.download()))
    return f"{text}|{','.join(names)}"


@task
def shout(word: str) -> str:
    return f"{word.upper()}@{os.environ.get('FLYTE_K8S_ARRAY_INDEX', '?')}"


@workflow
def round_trip(text: str, words: list[str]) -> tuple[FlyteFile, str, list[str]]:
    note, folder = write_note(text=text)
    return note, read_note(note=note, folder=folder), map_task(shout)(word=words)
