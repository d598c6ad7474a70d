"""How a task execution's closure absorbs successive events: logs, reasons, custom info and plugin metadata.

Plugins report incrementally, so flyteadmin merges rather than replaces: a log is replaced by one with the
same URI or name, custom_info is JSON-merge-patched, sub-task (external resource) reports are merged by index
and attempt. Logs are shown or hidden by phase as the plugin asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flyteidl.admin import task_execution_pb2
from flyteidl.core import catalog_pb2, execution_pb2
from flyteidl.event import event_pb2
from google.protobuf import json_format, struct_pb2

from flyteplane.services.executions.phases import TASK_TERMINAL

__all__ = [
    "add_reasons",
    "filter_logs_by_phase",
    "merge_custom_info",
    "merge_logs",
    "merge_metadata",
    "sorted_external_resources",
]

TaskPhase = execution_pb2.TaskExecution
_PENDING = (TaskPhase.QUEUED, TaskPhase.INITIALIZING)


def merge_logs(existing: Sequence[Any], latest: Sequence[Any]) -> list[Any]:
    """The latest logs first, then the earlier ones no latest log replaces (same URI or non-empty name)."""
    if not latest:
        return list(existing)
    uris = {log.uri for log in latest}
    names = {log.name for log in latest if log.name}
    return [*latest, *(log for log in existing if log.uri not in uris and log.name not in names)]


def filter_logs_by_phase(logs: Iterable[Any], phase: int) -> list[Any]:
    """Hide logs flagged `hide_once_finished` when terminal, and unflagged ones while pending."""
    kept = []
    for log in logs:
        if phase in TASK_TERMINAL and log.HideOnceFinished:
            continue
        if phase in _PENDING and not log.ShowWhilePending:
            continue
        kept.append(log)
    return kept


def add_reasons(
    closure: task_execution_pb2.TaskExecutionClosure, event: event_pb2.TaskExecutionEvent, *, first: bool
) -> None:
    """Reasons accumulate; a bare `reason` string counts once per change."""
    if event.reasons:
        closure.reasons.extend(
            task_execution_pb2.Reason(occurred_at=reason.occurred_at, message=reason.reason) for reason in event.reasons
        )
        closure.reason = event.reasons[-1].reason
    elif event.reason:
        if first or closure.reason != event.reason:
            closure.reasons.append(task_execution_pb2.Reason(occurred_at=event.occurred_at, message=event.reason))
        closure.reason = event.reason


def merge_custom_info(existing: struct_pb2.Struct | None, latest: struct_pb2.Struct | None) -> struct_pb2.Struct | None:
    """RFC 7386 JSON merge patch of the latest custom_info onto the stored one."""
    if existing is None:
        return latest
    if latest is None:
        return existing
    merged = _merge_patch(json_format.MessageToDict(existing), json_format.MessageToDict(latest))
    result = struct_pb2.Struct()
    json_format.ParseDict(merged, result)
    return result


def _merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def sorted_external_resources(resources: Iterable[Any]) -> list[Any]:
    return sorted(resources, key=lambda resource: (resource.index, resource.retry_attempt))


def merge_metadata(
    existing: event_pb2.TaskExecutionMetadata | None, latest: event_pb2.TaskExecutionMetadata | None
) -> event_pb2.TaskExecutionMetadata | None:
    """Plugin metadata: names and plugin id when given, pool info replaced, sub-task reports merged."""
    if existing is None:
        return latest
    if latest is None:
        return existing
    merged = event_pb2.TaskExecutionMetadata()
    merged.CopyFrom(existing)
    if latest.generated_name:
        merged.generated_name = latest.generated_name
    resources = _merge_external_resources(list(existing.external_resources), list(latest.external_resources))
    del merged.external_resources[:]
    merged.external_resources.extend(resources)
    del merged.resource_pool_info[:]
    merged.resource_pool_info.extend(latest.resource_pool_info)
    if latest.plugin_identifier:
        merged.plugin_identifier = latest.plugin_identifier
    if latest.instance_class != event_pb2.TaskExecutionMetadata.DEFAULT:
        merged.instance_class = latest.instance_class
    return merged


def _merge_external_resources(existing: list[Any], latest: list[Any]) -> list[Any]:
    by_key = {(resource.index, resource.retry_attempt): resource for resource in existing}
    for resource in latest:
        key = (resource.index, resource.retry_attempt)
        previous = by_key.get(key)
        by_key[key] = resource if previous is None else _merge_external_resource(previous, resource)
    return sorted_external_resources(by_key.values())


def _merge_external_resource(existing: Any, latest: Any) -> Any:
    merged = event_pb2.ExternalResourceInfo()
    merged.CopyFrom(existing)
    if latest.external_id:
        merged.external_id = latest.external_id
    merged.phase = latest.phase
    if latest.cache_status != catalog_pb2.CACHE_DISABLED:
        merged.cache_status = latest.cache_status
    logs = merge_logs(list(existing.logs), list(latest.logs))
    del merged.logs[:]
    merged.logs.extend(logs)
    if latest.HasField("custom_info"):
        merged.custom_info.CopyFrom(latest.custom_info)
    return merged
