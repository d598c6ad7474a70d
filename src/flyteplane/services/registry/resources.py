"""Container resource checks at task registration (flyteadmin §2.2), with Kubernetes quantity parsing."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flyteidl.core import tasks_pb2

from flyteplane.errors import InvalidArgument

Resources = tasks_pb2.Resources
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIX: dict[str | None, Decimal] = {
    None: Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    # k, M, G, T, P, E are powers of 1000; Ki, Mi, Gi, Ti, Pi, Ei powers of 1024.
    **{suffix: Decimal(10) ** (3 * power) for power, suffix in enumerate("kMGTPE", start=1)},
    **{suffix + "i": Decimal(2) ** (10 * power) for power, suffix in enumerate("KMGTPE", start=1)},
}
CHECKED = (Resources.CPU, Resources.MEMORY, Resources.GPU, Resources.EPHEMERAL_STORAGE)


def parse_quantity(text: str) -> Decimal:
    """A Kubernetes quantity ("500m", "2Gi", "1e3") as a number; ValueError when it is not one."""
    match = _QUANTITY.match(text.strip())
    if not match:
        raise ValueError(f"quantities must match the regular expression '{_QUANTITY.pattern}'")
    try:
        return Decimal(match.group(1)) * _SUFFIX[match.group(2)]
    except InvalidOperation as exc:
        raise ValueError(str(exc)) from exc


def _by_name(entries: list[tasks_pb2.Resources.ResourceEntry], kind: str, task: str) -> dict[int, tuple[str, Decimal]]:
    seen: dict[int, tuple[str, Decimal]] = {}
    for entry in entries:
        if entry.name not in CHECKED:
            continue
        name = Resources.ResourceName.Name(entry.name)
        if entry.name in seen:
            raise InvalidArgument(f"can't specify {name} {kind} for task [{task}] multiple times")
        try:
            value = parse_quantity(entry.value)
        except ValueError as exc:
            raise InvalidArgument(f"Parsing of {name} {kind} [{entry.value}] for task [{task}] failed: {exc}") from exc
        if entry.name == Resources.GPU and value != value.to_integral_value():
            raise InvalidArgument(f"gpu {kind} [{entry.value}] for task [{task}] must be a whole number")
        seen[entry.name] = (entry.value, value)
    return seen


def validate_resources(resources: tasks_pb2.Resources, task: str) -> None:
    """Each resource at most once per list, parseable, and requests no greater than limits."""
    requests = _by_name(list(resources.requests), "request", task)
    limits = _by_name(list(resources.limits), "limit", task)
    for name, (request_text, request) in requests.items():
        if name not in limits:
            continue
        limit_text, limit = limits[name]
        label = Resources.ResourceName.Name(name).lower()
        if name == Resources.GPU and request != limit:
            raise InvalidArgument(
                f"For extended resource 'gpu' the default value must equal the limit value for task [{task}]"
            )
        if request > limit:
            raise InvalidArgument(
                f"Requested {label} default [{request_text}] is greater than the limit [{limit_text}]. "
                "Please fix your configuration"
            )
