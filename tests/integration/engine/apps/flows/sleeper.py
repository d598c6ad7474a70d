"""A task that runs a long `sleep` child process, to prove termination stops the whole process group."""

from __future__ import annotations

import subprocess

from flytekit import task, workflow


@task
def nap(seconds: int) -> int:
    subprocess.run(["sleep", str(seconds)], check=True)
    return seconds


@workflow
def long_nap(seconds: int) -> int:
    return nap(seconds=seconds)
