"""Rendering: the Jinja environment (templates ship in the package), and the small formatting rules every page
shares: phase names and their colour classes, times, durations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flyteidl.core import execution_pb2 as core_execution
from google.protobuf import duration_pb2, timestamp_pb2
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

__all__ = [
    "TERMINAL_WORKFLOW",
    "Views",
    "duration_text",
    "node_phase",
    "task_phase",
    "time_text",
    "workflow_phase",
]

HERE = Path(__file__).parent
TERMINAL_WORKFLOW = {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}


def workflow_phase(phase: int) -> str:
    return str(core_execution.WorkflowExecution.Phase.Name(phase))


def node_phase(phase: int) -> str:
    return str(core_execution.NodeExecution.Phase.Name(phase))


def task_phase(phase: int) -> str:
    return str(core_execution.TaskExecution.Phase.Name(phase))


def time_text(stamp: timestamp_pb2.Timestamp | None) -> str:
    if stamp is None or (stamp.seconds == 0 and stamp.nanos == 0):
        return ""
    return stamp.ToDatetime(tzinfo=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def seconds_of(duration: duration_pb2.Duration | timedelta) -> float:
    if isinstance(duration, timedelta):
        return duration.total_seconds()
    return duration.seconds + duration.nanos / 1e9


def duration_text(duration: duration_pb2.Duration | timedelta | float | None) -> str:
    if duration is None:
        return ""
    seconds = duration if isinstance(duration, float) else seconds_of(duration)
    if seconds <= 0:
        return ""
    if seconds < 60:
        return f"{seconds:.2f}s" if seconds < 10 else f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m"


def running_duration(started: timestamp_pb2.Timestamp, duration: duration_pb2.Duration, phase: str) -> str:
    """The recorded duration once ended; while running, the time since it started."""
    if phase in TERMINAL_WORKFLOW or not started.seconds:
        return duration_text(duration)
    return duration_text(datetime.now(timezone.utc) - started.ToDatetime(tzinfo=timezone.utc))


def phase_class(phase: str) -> str:
    """The colour class of a phase: one palette for workflows, nodes and task attempts."""
    return {
        "SUCCEEDED": "ok",
        "RECOVERED": "ok",
        "FAILED": "bad",
        "FAILING": "bad",
        "RETRYABLE_FAILURE": "bad",
        "TIMED_OUT": "bad",
        "ABORTED": "aborted",
        "ABORTING": "aborted",
        "RUNNING": "run",
        "SUCCEEDING": "run",
        "DYNAMIC_RUNNING": "run",
        "QUEUED": "queued",
        "INITIALIZING": "queued",
        "WAITING_FOR_RESOURCES": "queued",
        "SKIPPED": "skipped",
        "PAUSED": "paused",
    }.get(phase, "idle")


class Views:
    """Templates from the package, autoescaped; `page` renders one as a response."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            time=time_text,
            duration=duration_text,
            phase_class=phase_class,
            wf_phase=workflow_phase,
            node_phase=node_phase,
            task_phase=task_phase,
            q=lambda value: quote(str(value), safe=""),
        )

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.render(template, **context), status_code=status)
