"""Writes `raw_methods.pyi`: the raw clients' methods with their request and response types, from the descriptors.

    python -m flyteplane.client.raw_stub           # rewrites src/flyteplane/client/raw_methods.pyi
    python -m flyteplane.client.raw_stub --check   # exits 1 when the committed stub is stale

`raw_methods.py` builds the methods at import time from flyteidl's service descriptors; a type checker cannot
follow that, so this stub states, for each RPC, `RpcMethod[Request, Response]`. `RpcMethod`'s `__get__` turns that
into a blocking method on the synchronous raw client and an awaitable one on the asyncio client. The text is
already as `ruff format` writes it.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from flyteplane.client.rpcs import ALL_SERVICES, RpcSpec

__all__ = ["STUB_PATH", "main", "render"]

STUB_PATH = Path(__file__).with_name("raw_methods.pyi")
LINE_LENGTH = 120  # ruff's, from pyproject.toml
INDENT = "    "

HEADER = '''\
# Generated from flyteidl's service descriptors by `python -m flyteplane.client.raw_stub`: do not edit.
"""Types of `raw_methods`: each RPC's method with its request and response messages."""
'''


def _qualified(message_type: Any) -> tuple[str, str]:
    """(`flyteidl.admin`, `task_pb2.TaskCreateRequest`) for flyteidl.admin.task_pb2.TaskCreateRequest."""
    package, _, module = message_type.__module__.rpartition(".")
    return package, f"{module}.{message_type.__qualname__}"


def _import_lines(specs: list[RpcSpec]) -> list[str]:
    modules: dict[str, set[str]] = defaultdict(set)
    for spec in specs:
        for message_type in (spec.request_type, spec.response_type):
            package, name = _qualified(message_type)
            modules[package].add(name.partition(".")[0])
    lines = []
    for package in sorted(modules):
        names = sorted(modules[package])
        single = f"from {package} import {', '.join(names)}"
        if len(single) <= LINE_LENGTH:
            lines.append(single)
        else:
            lines += [f"from {package} import (", *(f"{INDENT}{name}," for name in names), ")"]
    return lines


def _method_lines(spec: RpcSpec) -> list[str]:
    request, response = _qualified(spec.request_type)[1], _qualified(spec.response_type)[1]
    declaration = f"{INDENT}{spec.method_name}: RpcMethod["
    one_line = f"{declaration}{request}, {response}]"
    if len(one_line) <= LINE_LENGTH:
        lines = [one_line]
    elif len(f"{INDENT * 2}{request}, {response}") <= LINE_LENGTH:
        lines = [declaration, f"{INDENT * 2}{request}, {response}", f"{INDENT}]"]
    else:
        lines = [declaration, f"{INDENT * 2}{request},", f"{INDENT * 2}{response},", f"{INDENT}]"]
    return [*lines, f"{INDENT}{spec.name} = {spec.method_name}"]


def render() -> str:
    """The stub's text, from the descriptors of the five services."""
    specs = [spec for service in ALL_SERVICES for spec in service.rpcs]
    lines = [
        HEADER,
        *_import_lines(specs),
        "",
        "from flyteplane.client.rpc_method import RpcMethod",
        "",
        '__all__ = ["RawRpcMethods"]',
        "",
        "class RawRpcMethods:",
        f'{INDENT}"""Every RPC of the five services, as a method."""',
    ]
    for service in ALL_SERVICES:
        lines += ["", f"{INDENT}# {service.name}"]
        for spec in service.rpcs:
            lines += _method_lines(spec)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flyteplane.client.raw_stub", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed stub is stale")
    parser.add_argument("--output", type=Path, default=STUB_PATH, help=f"where to write (default: {STUB_PATH})")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python -m flyteplane.client.raw_stub", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
