"""The environment a local attempt runs in: which Python stands in for the task's image, and which variables.

Images are not pulled. A mapping from image (glob patterns allowed) to a local virtualenv or interpreter decides
whose `bin/` leads PATH, so `pyflyte-execute` and friends resolve there. Variables start from a clean set (never
the server's own secrets), then the configured base (e.g. blob store credentials), the template's `container.env`
and finally the engine's per-attempt variables, which win as in propeller.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flyteplane.errors import InvalidArgument

__all__ = ["DEFAULT_NAME", "PythonEnvironment", "PythonEnvironments", "attempt_environment"]

INHERITED = ("HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR")
"""Server variables a task may rely on that carry no secrets (plus PATH and every LC_*)."""

ARRAY_INDEX_VAR = "FLYTE_K8S_ARRAY_INDEX"
ARRAY_INDEX_VAR_NAME = "BATCH_JOB_ARRAY_INDEX_VAR_NAME"


DEFAULT_NAME = "default"
"""The name of the server's own Python among the environments (e.g. as a key of `warm_imports`)."""


@dataclass(frozen=True)
class PythonEnvironment:
    bin_dir: str
    virtualenv: str | None  # set as VIRTUAL_ENV when the environment is a venv
    name: str = field(default=DEFAULT_NAME, compare=False)  # the location as configured in python_envs, or "default"


def _resolve(location: str, name: str) -> PythonEnvironment:
    """A venv directory, a directory of executables, or an interpreter path."""
    path = Path(location).expanduser()
    if path.is_dir():
        if (path / "bin").is_dir():
            return PythonEnvironment(str((path / "bin").absolute()), str(path.absolute()), name)
        return PythonEnvironment(str(path.absolute()), None, name)
    if path.is_file() and os.access(path, os.X_OK):
        bin_dir = path.absolute().parent
        venv = bin_dir.parent if (bin_dir.parent / "pyvenv.cfg").is_file() else None
        return PythonEnvironment(str(bin_dir), str(venv) if venv else None, name)
    raise InvalidArgument(f"python environment [{location}] is neither a virtualenv, a directory nor an interpreter")


class PythonEnvironments:
    """Image -> local Python environment: an exact image name wins, then the first matching glob pattern."""

    def __init__(self, mapping: Mapping[str, str] | None, default: str | None = None) -> None:
        self._patterns = [(pattern, _resolve(location, location)) for pattern, location in (mapping or {}).items()]
        self._exact = dict(self._patterns)
        # sys.executable's own directory, not its symlink target: a venv's python links outside the venv.
        self._default = _resolve(default or os.path.abspath(sys.executable), DEFAULT_NAME)

    @property
    def default(self) -> PythonEnvironment:
        return self._default

    def every(self) -> list[PythonEnvironment]:
        """The server's own Python first, then each configured environment once (what `flyteplane doctor` checks)."""
        found = [self._default]
        for _pattern, environment in self._patterns:
            if environment not in found:
                found.append(environment)
        return found

    def for_image(self, image: str) -> PythonEnvironment:
        if image in self._exact:
            return self._exact[image]
        for pattern, environment in self._patterns:
            if fnmatch.fnmatchcase(image, pattern):
                return environment
        return self._default


def attempt_environment(
    python: PythonEnvironment,
    *,
    tmpdir: str,
    base: Mapping[str, str],
    container_env: Mapping[str, str],
    attempt_env: Mapping[str, str],
    server_env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The complete environment of the task process."""
    server_env = os.environ if server_env is None else server_env
    env = {k: v for k, v in server_env.items() if k in INHERITED or k.startswith("LC_")}
    env["PATH"] = server_env.get("PATH") or os.defpath
    env["TMPDIR"] = tmpdir  # flytekit's scratch directories go away with the attempt, not into /tmp forever
    env["PYTHONUNBUFFERED"] = "1"  # logs are readable while the task runs
    if python.virtualenv:
        env["VIRTUAL_ENV"] = python.virtualenv
    env.update(base)
    env.update(container_env)
    env.update(attempt_env)
    if not env["PATH"].startswith(python.bin_dir + os.pathsep):
        env["PATH"] = python.bin_dir + os.pathsep + env["PATH"]
    if ARRAY_INDEX_VAR in env:
        env.setdefault(ARRAY_INDEX_VAR_NAME, ARRAY_INDEX_VAR)
    return env
