"""Structured logs: which execution a line is about, and one JSON object per line when asked.

The engine evaluates many executions on a few threads; a line such as "evaluating ... failed" is only useful
with the execution it is about. `execution_context` sets a context variable for the duration of an evaluation
(context variables are per thread, so workers never see each other's), and a filter on the handler copies it
onto every record as `execution_id`. `log_format: json` writes each record as one JSON object (time, level,
logger, message, execution_id, exception) for log shippers; `text` keeps the familiar single line.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

__all__ = [
    "ExecutionFilter",
    "JsonFormatter",
    "TextFormatter",
    "configure_logging",
    "current_execution",
    "execution_context",
]

_EXECUTION: contextvars.ContextVar[str] = contextvars.ContextVar("flyteplane_execution", default="")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def current_execution() -> str:
    """The execution this thread is working on ("project:domain:name"), or ""."""
    return _EXECUTION.get()


@contextlib.contextmanager
def execution_context(execution: str) -> Iterator[None]:
    """Every log line of this thread names `execution` until the block ends (nesting restores the outer one)."""
    token = _EXECUTION.set(execution)
    try:
        yield
    finally:
        _EXECUTION.reset(token)


class ExecutionFilter(logging.Filter):
    """Puts the current execution on each record (`record.execution_id`, "" outside an evaluation)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "execution_id", ""):
            record.execution_id = _EXECUTION.get()
        return True


class TextFormatter(logging.Formatter):
    """The usual line, with `execution=<id>` appended when the line is about an execution."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        execution = getattr(record, "execution_id", "")
        return f"{line} execution={execution}" if execution else line


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, execution_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "thread": record.threadName,
        }
        execution = getattr(record, "execution_id", "")
        if execution:
            entry["execution_id"] = execution
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, log_format: str, stream: TextIO | None = None) -> logging.Handler:
    """Sets up the root logger of a flyteplane process: `log_format` is "text" or "json". Returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ExecutionFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
