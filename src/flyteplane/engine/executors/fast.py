"""Fast-registered code, provided by the executor itself instead of by a `pyflyte-fast-execute` process.

`pyflyte-fast-execute --additional-distribution <tarball> --dest-dir <dir> -- <command>` downloads the tarball,
unpacks it into `<dir>`, then runs `<command>` as a *second* Python process, with `--dynamic-addl-distro
<tarball> --dynamic-dest-dir <dir>` inserted before each `--resolver` and `<dir>` appended to PYTHONPATH. Each
of those interpreters imports flytekit, which costs most of a task's run time; the executor instead unpacks the
tarball once into its bundle cache (bundles.py) and starts `<command>` directly with that folder as `<dir>`, with
the same result for the task.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["FastCommand", "python_path", "unwrap_fast_execute"]

FAST_EXECUTE = "pyflyte-fast-execute"


@dataclass(frozen=True)
class FastCommand:
    argv: list[str]  # the task command to run directly
    distribution: str  # the code tarball to unpack first ("" when none was given)


def _option(args: Sequence[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg[len(name) + 1 :]
    return None


def unwrap_fast_execute(argv: Sequence[str], dest_dir: str) -> FastCommand | None:
    """The command `pyflyte-fast-execute` would end up running in `dest_dir`; None for other commands."""
    if not argv or os.path.basename(argv[0]) != FAST_EXECUTE or "--" not in argv:
        return None
    separator = list(argv).index("--")
    distribution = _option(argv[1:separator], "--additional-distribution") or ""
    inner: list[str] = []
    for arg in argv[separator + 1 :]:
        if arg == "--resolver" and distribution:
            inner += ["--dynamic-addl-distro", distribution, "--dynamic-dest-dir", dest_dir]
        inner.append(arg)
    if not inner:
        return None
    return FastCommand(inner, distribution)


def python_path(existing: str | None, dest_dir: str) -> str:
    """PYTHONPATH with the unpacked code last, as `pyflyte-fast-execute` sets it."""
    resolved = os.path.realpath(os.path.expanduser(dest_dir))
    return f"{existing}{os.pathsep}{resolved}" if existing else resolved
