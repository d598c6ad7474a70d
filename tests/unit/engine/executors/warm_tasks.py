"""flytekit tasks for the warm pool's tests: they report what process they run in, pollute it, or end it badly."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import tempfile
import time

from flytekit import task

CALLS = 0  # a module global: each attempt must find it untouched by the ones before


@task
def whoami() -> str:
    """Where and how this attempt runs, as JSON."""
    global CALLS
    CALLS += 1
    with open("/proc/self/cmdline", "rb") as f:
        cmdline = f.read().split(b"\0")
    return json.dumps(
        {
            "pid": os.getpid(),
            "pgid": os.getpgid(0),
            "sid": os.getsid(0),
            "cwd": os.getcwd(),
            "tmp": tempfile.gettempdir(),
            "argv0": sys.argv[0],
            "cmdline": [part.decode() for part in cmdline if part],
            "calls": CALLS,
            "polluted_env": os.environ.get("POLLUTED"),
            "polluted_module": "warm_pollution" in sys.modules,
            "json_dumps_patched": getattr(json.dumps, "patched", False),
            "polluted_path": any(entry.startswith("/polluted/") for entry in sys.path),
            "stdin": sys.stdin.read(),
        }
    )


@task
def pollute() -> str:
    """Changes everything a task could change in its interpreter."""
    global CALLS
    CALLS += 100
    os.environ["POLLUTED"] = "yes"
    sys.modules["warm_pollution"] = sys  # type: ignore[assignment]
    original = json.dumps

    def patched(*args: object, **kwargs: object) -> str:
        return original(*args, **kwargs)  # type: ignore[arg-type]

    patched.patched = True  # type: ignore[attr-defined]
    json.dumps = patched  # type: ignore[assignment]
    sys.path.extend(f"/polluted/{i}" for i in range(10))
    return "polluted"


@task
def crash(how: str) -> int:
    if how == "segfault":
        ctypes.string_at(0)
    if how == "exit":
        os._exit(3)
    return 0


@task
def linger(pid_file: str) -> int:
    """Starts a grandchild, then sleeps; both must die when the attempt is stopped."""
    child = subprocess.Popen(["sleep", "60"])
    with open(pid_file, "w") as f:
        f.write(f"{os.getpid()} {child.pid}")
    time.sleep(60)
    return 0


@task
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
