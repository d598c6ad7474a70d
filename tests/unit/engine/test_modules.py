"""The engine's module boundaries: every module names its public API in `__all__`, everything imported from an
engine module is in that list, and node handlers reach the runner only through the ScopeRunner protocol."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
from pathlib import Path

import flyteplane.engine

ROOT = Path(__file__).resolve().parents[3]
ENGINE = ROOT / "src" / "flyteplane" / "engine"


def engine_modules() -> list[str]:
    names = ["flyteplane.engine"]
    for info in pkgutil.walk_packages(flyteplane.engine.__path__, "flyteplane.engine."):
        names.append(info.name)
    return sorted(names)


def test_every_engine_module_names_its_public_api() -> None:
    for name in engine_modules():
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        assert isinstance(exported, list), f"{name} has no __all__"
        assert len(set(exported)) == len(exported), name
        for public in exported:
            assert not public.startswith("_"), f"{name} exports the private name {public}"
            assert hasattr(module, public), f"{name}.__all__ names {public}, which it does not define"


def imported_names(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every `from flyteplane.engine... import name` in the file."""
    tree = ast.parse(path.read_text())
    return [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("flyteplane.engine")
        for alias in node.names
    ]


def is_submodule(module_name: str, name: str) -> bool:
    package = importlib.import_module(module_name)
    return hasattr(package, "__path__") and importlib.util.find_spec(f"{module_name}.{name}") is not None


def test_what_other_code_imports_from_an_engine_module_is_in_its_all() -> None:
    files = [p for folder in ("src", "tests", "bench") for p in (ROOT / folder).rglob("*.py")]
    missing = [
        f"{path.relative_to(ROOT)}: {module_name}.{name}"
        for path in files
        for module_name, name in imported_names(path)
        if not is_submodule(module_name, name) and name not in importlib.import_module(module_name).__all__
    ]
    assert missing == []


def test_node_handlers_do_not_import_the_runner_and_no_engine_module_hides_an_import_cycle() -> None:
    for path in (ENGINE / "nodes").glob("*.py"):
        modules = {module for module, _ in imported_names(path)}
        assert modules.isdisjoint({"flyteplane.engine.runner", "flyteplane.engine.round", "flyteplane.engine.engine"})
    for path in ENGINE.rglob("*.py"):
        guarded = re.findall(r"if TYPE_CHECKING:.*?\n((?:    .*\n)+)", path.read_text())
        assert not any("flyteplane" in block for block in guarded), f"{path.relative_to(ROOT)} breaks an import cycle"
