"""Fast-registered code, unpacked by the executor itself instead of by a `pyflyte-fast-execute` process.

`pyflyte-fast-execute --additional-distribution <tarball> --dest-dir <dir> -- <command>` downloads the tarball,
unpacks it into `<dir>`, then runs `<command>` as a *second* Python process, with `--dynamic-addl-distro
<tarball> --dynamic-dest-dir <dir>` inserted before each `--resolver` and `<dir>` appended to PYTHONPATH. Each
of those interpreters imports flytekit, which costs most of a task's run time; doing the download here and
starting `<command>` directly halves it, with the same result for the task.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass

import fsspec

__all__ = ["FastCommand", "UnpackError", "python_path", "unpack_distribution", "unwrap_fast_execute"]

FAST_EXECUTE = "pyflyte-fast-execute"
PICKLED = "pkl.gz"  # flytekit's interactive-mode distribution: downloaded, never unpacked


class UnpackError(Exception):
    """The distribution cannot be fetched or is not one flytekit would accept."""


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


def unpack_distribution(url: str, dest_dir: str) -> None:
    """Fetches the distribution (a local path or any fsspec URL) and unpacks it into `dest_dir`."""
    name = os.path.basename(url.rstrip("/"))
    os.makedirs(dest_dir, exist_ok=True)
    try:
        with fsspec.open(url, "rb") as source:
            if name.endswith(".tar.gz"):
                with tarfile.open(fileobj=source, mode="r|gz") as archive:
                    archive.extractall(dest_dir, filter="data")
            elif name == PICKLED:
                with open(os.path.join(dest_dir, name), "wb") as target:
                    shutil.copyfileobj(source, target)
            else:
                raise UnpackError(f"Unrecognized additional distribution format for {url}")
    except FileNotFoundError:
        raise UnpackError(f"task execution code was not found at {url}") from None
    except (OSError, tarfile.TarError, ValueError) as e:
        raise UnpackError(f"cannot unpack the task's code from {url}: {e}") from None
