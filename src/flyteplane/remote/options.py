"""Options: per-execution settings (labels, annotations, where raw data goes, ...), with or without flytekit.

`execute(..., options=...)` takes this class or flytekit's `Options` (read by attribute, its models rendered with
`to_flyte_idl()`), so code written for flytekit passes its options unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import security_pb2

__all__ = ["Options", "apply_options"]


@dataclass(frozen=True)
class Options:
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    raw_output_data_prefix: str | None = None
    max_parallelism: int | None = None
    service_account: str | None = None
    notifications: list[Any] = field(default_factory=list)  # admin Notification messages
    disable_notifications: bool | None = None


def _idl(value: Any) -> Any:
    render = getattr(value, "to_flyte_idl", None)
    return render() if callable(render) else value


def _mapping(value: Any) -> dict[str, str]:
    """flytekit's Labels/Annotations models hold `.values`; ours are plain dicts."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {str(k): str(v) for k, v in dict(getattr(value, "values", {}) or {}).items()}


def apply_options(spec: execution_pb2.ExecutionSpec, options: Any) -> None:
    """Writes our Options or flytekit's into an ExecutionSpec (notifications as flytekit sends them)."""
    disabled = getattr(options, "disable_notifications", None) if options is not None else None
    if disabled:
        spec.disable_all = True
    else:
        notifications = [_idl(n) for n in (getattr(options, "notifications", None) or [])]
        spec.notifications.CopyFrom(execution_pb2.NotificationList(notifications=notifications))
    spec.labels.CopyFrom(common_pb2.Labels(values=_mapping(getattr(options, "labels", None))))
    spec.annotations.CopyFrom(common_pb2.Annotations(values=_mapping(getattr(options, "annotations", None))))
    if options is None:
        return
    prefix = getattr(options, "raw_output_data_prefix", None)
    raw_config = getattr(options, "raw_output_data_config", None)
    if prefix:
        spec.raw_output_data_config.output_location_prefix = prefix
    elif raw_config is not None:
        spec.raw_output_data_config.CopyFrom(_idl(raw_config))
    if getattr(options, "max_parallelism", None):
        spec.max_parallelism = int(options.max_parallelism)
    account = getattr(options, "service_account", None)
    security = getattr(options, "security_context", None)
    if account:
        spec.security_context.CopyFrom(
            security_pb2.SecurityContext(run_as=security_pb2.Identity(k8s_service_account=account))
        )
    elif security is not None:
        spec.security_context.CopyFrom(_idl(security))
