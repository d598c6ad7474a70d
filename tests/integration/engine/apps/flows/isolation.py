"""Tasks that change their interpreter or end it badly, and one that reports what it sees: run one after another in
the same Python environment, none may see what another did."""

from __future__ import annotations

import ctypes
import json
import os
import sys

from flytekit import task, workflow

CALLS = 0


@task
def pollute() -> str:
    global CALLS
    CALLS += 100
    os.environ["POLLUTED"] = "yes"
    sys.modules["warm_pollution"] = sys  # type: ignore[assignment]
    json.dumps = lambda *args, **kwargs: "patched"  # type: ignore[assignment]
    return "polluted"


@task
def crash(how: str) -> int:
    if how == "segfault":
        ctypes.string_at(0)
    if how == "exit":
        os._exit(3)
    return 0


@task
def inspect() -> str:
    global CALLS
    CALLS += 1
    seen = {
        "calls": CALLS,
        "env": os.environ.get("POLLUTED"),
        "module": "warm_pollution" in sys.modules,
        "json": json.dumps({"a": 1}),
    }
    return json.dumps(seen, sort_keys=True)


@workflow
def polluting() -> str:
    return pollute()


@workflow
def crashing(how: str) -> int:
    return crash(how=how)


@workflow
def inspecting() -> str:
    return inspect()
