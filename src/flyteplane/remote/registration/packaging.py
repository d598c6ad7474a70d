"""Packaging the code of Python-defined entities, so what is registered can run: archive, upload, version.

Two archives, as flytekit makes them: the script-mode archive holds only the modules of the entity's project
that are loaded (its module and what it imports from the same source tree), and the fast-registration archive
holds the whole source tree. Either is uploaded through the data proxy and named in the tasks' fast-execute
arguments. The version, when not given, is a digest of the archive and the serialization settings, so the same
code registers as the same version and changed code as a new one.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CodeLocation", "archive", "code_location", "version_from_hash"]


@dataclass(frozen=True)
class CodeLocation:
    """Where an entity's code lives: the project root (first ancestor without `__init__.py`) and its module."""

    source_path: str
    module_name: str


def _project_root(module_file: Path) -> Path:
    root = module_file.resolve().parent
    while (root / "__init__.py").exists():
        root = root.parent
    return root


def _module_of(entity: Any) -> str:
    from flytekit.core.launch_plan import LaunchPlan

    target = entity.workflow if isinstance(entity, LaunchPlan) else entity  # a launch plan's code is its workflow's
    module = getattr(target, "instantiated_in", None)
    function = getattr(target, "task_function", None) or getattr(target, "_workflow_function", None)
    if function is not None:
        module = function.__module__
    if not module or module == "__main__":
        name = str(getattr(target, "name", ""))
        module = name.rsplit(".", 1)[0] if "." in name else ""
    return str(module)


def code_location(entity: Any) -> CodeLocation:
    """The source tree and module of a task, workflow or launch plan defined in an importable module."""
    module_name = _module_of(entity)
    module = sys.modules.get(module_name)
    module_file = getattr(module, "__file__", None)
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if module is None and main_file and module_name and Path(main_file).stem == module_name.rsplit(".", 1)[-1]:
        module_file = main_file  # defined in the script being run (`python flows.py`), named by flytekit for its path
    if not module_name or module_file is None:
        raise ValueError(
            f"cannot tell which source file defines {getattr(entity, 'name', entity)!r}; pass "
            "serialization_settings (with the code already in the image), or use register_script(source_path=...)"
        )
    return CodeLocation(str(_project_root(Path(module_file))), module_name)


def archive(location: CodeLocation, folder: str, fast_package_options: Any = None) -> Path:
    """The code archive in `folder`: script mode by default, the whole tree when the options copy files."""
    from flytekit.constants import CopyFileDetection
    from flytekit.tools.fast_registration import fast_package
    from flytekit.tools.script_mode import compress_scripts, get_all_modules

    copy = getattr(fast_package_options, "copy_style", None)
    if fast_package_options is not None and copy != CopyFileDetection.NO_COPY:
        return Path(fast_package(Path(location.source_path), Path(folder), False, fast_package_options))
    path = Path(folder) / "script_mode.tar.gz"
    compress_scripts(location.source_path, str(path), get_all_modules(location.source_path, location.module_name))
    return path


def version_from_hash(md5: bytes, settings: Any, *context: str) -> str:
    """A registration version from the uploaded code's md5, the serialization settings and flytekit's version."""
    import flytekit

    digest = hashlib.md5(md5)
    digest.update(settings.to_json().encode())
    digest.update(str(flytekit.__version__).encode())
    for item in context:
        digest.update(item.encode())
    return base64.urlsafe_b64encode(digest.digest()).decode("ascii").rstrip("=")
