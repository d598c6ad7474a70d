"""A one-line progress display for `wait()`: the execution's phase and its nodes by state, on a terminal only.

rich draws it when installed (a spinner and a live line); otherwise a plain line is rewritten in place with
carriage returns. Not a terminal (a log, a pipe, a notebook cell's captured output) means no display at all.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol, TextIO

from flyteidl.core import execution_pb2 as core_execution_pb2

from flyteplane.remote.entities import SYSTEM_NODES

__all__ = ["Progress", "describe", "progress_display"]

_NODE = core_execution_pb2.NodeExecution
_DONE = {_NODE.SUCCEEDED, _NODE.SKIPPED, _NODE.RECOVERED}
_FAILED = {_NODE.FAILED, _NODE.TIMED_OUT, _NODE.ABORTED}
_RUNNING = {_NODE.RUNNING, _NODE.DYNAMIC_RUNNING, _NODE.FAILING}


class Progress(Protocol):
    def update(self, line: str) -> None: ...

    def close(self, line: str) -> None: ...


def describe(name: str, phase: str, nodes: Iterable[Any], total: int | None) -> str:
    """E.g. `wf-abc123  RUNNING  nodes 1/3 done, 1 running`."""
    counts = Counter(
        "done"
        if n.closure.phase in _DONE
        else "failed"
        if n.closure.phase in _FAILED
        else "running"
        if n.closure.phase in _RUNNING
        else "queued"
        for n in nodes
        if n.id.node_id not in SYSTEM_NODES
    )
    seen = sum(counts.values())
    of = max(total or 0, seen)
    parts = [f"{counts['done']}/{of} done" if of else "no nodes yet"]
    parts += [f"{counts[k]} {k}" for k in ("running", "queued", "failed") if counts[k]]
    return f"{name}  {phase}  nodes " + ", ".join(parts)


class _PlainProgress:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._width = 0

    def _write(self, line: str, end: str) -> None:
        self._stream.write("\r" + line.ljust(self._width) + end)
        self._stream.flush()
        self._width = len(line)

    def update(self, line: str) -> None:
        self._write(line, "")

    def close(self, line: str) -> None:
        self._write(line, "\n")


class _RichProgress:
    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console

        self._console = Console(file=stream, force_terminal=True)
        self._status: Any = None

    def update(self, line: str) -> None:
        if self._status is None:
            self._status = self._console.status(line)
            self._status.start()
        else:
            self._status.update(line)

    def close(self, line: str) -> None:
        if self._status is not None:
            self._status.stop()
        self._console.print(line, highlight=False)


def progress_display(stream: TextIO | None = None, enabled: bool | None = None) -> Progress | None:
    """A display on `stream` (stderr by default) when it is a terminal, or when `enabled` forces it."""
    stream = stream if stream is not None else sys.stderr
    if enabled is False:
        return None
    if enabled is None:
        isatty = getattr(stream, "isatty", None)
        if not callable(isatty) or not isatty():
            return None
    try:
        return _RichProgress(stream)
    except ImportError:
        return _PlainProgress(stream)
