"""Lets the services wake the engine without knowing it: the engine connects after both are built.

A wakeup only shortens the engine's wait (it also polls the store), so a failing listener is logged and never
fails the request that already committed its change.
"""

from __future__ import annotations

import logging
import threading

from flyteidl.core import identifier_pb2

from flyteplane.engine.ports import Wakeup

__all__ = ["WakeupRelay"]

log = logging.getLogger(__name__)


class WakeupRelay:
    """A Wakeup that forwards to every connected listener."""

    def __init__(self) -> None:
        self._listeners: list[Wakeup] = []
        self._lock = threading.Lock()

    def connect(self, listener: Wakeup) -> None:
        with self._lock:
            self._listeners.append(listener)

    def __call__(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(execution)
            except Exception:
                log.exception(
                    "waking the engine for %s/%s/%s failed",
                    execution.project,
                    execution.domain,
                    execution.name,
                )
