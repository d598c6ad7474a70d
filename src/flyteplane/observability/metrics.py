"""Prometheus metrics of one process, served at `/metrics` on the public port.

Each process (and each server a test starts in-process) has its own CollectorRegistry, never the global one, so
two planes in one interpreter never mix their counts. Counters are bumped where things happen (an RPC answered on
either wire, a task attempt started, an expired lease taken over); the executions by phase and the engine queue's
depth are read from the database at scrape time, with indexed counts, so they are right whichever replica or
engine process changed them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping

import grpc
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE", "Metrics", "StoreGauges"]

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# RPCs take from a millisecond (a cached read) to the first-look wait of GetExecution (seconds).
RPC_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class StoreGauges(Collector):
    """Executions by phase and the engine queue's depth, counted when Prometheus scrapes."""

    def __init__(
        self,
        executions_by_phase: Callable[[], Mapping[str, int]],
        queue_depth: Callable[[], Mapping[str, int]],
    ) -> None:
        self._executions_by_phase = executions_by_phase
        self._queue_depth = queue_depth

    def collect(self) -> Iterator[Metric]:
        try:
            phases = self._executions_by_phase()
            depth = self._queue_depth()
        except Exception:  # a scrape must answer even while the database is away; the gauges are left out
            log.warning("counting executions for /metrics failed", exc_info=True)
            return
        executions = GaugeMetricFamily("flyteplane_executions", "Workflow executions by phase", labels=["phase"])
        for phase, count in sorted(phases.items()):
            executions.add_metric([phase], count)
        yield executions
        queue = GaugeMetricFamily(
            "flyteplane_engine_queue_depth",
            "Executions in the engine queue: live (not done) and due (waiting for an engine worker now)",
            labels=["state"],
        )
        for state, count in sorted(depth.items()):
            queue.add_metric([state], count)
        yield queue


class Metrics:
    """The instruments of one process and the registry they live in."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.rpc_requests = Counter(
            "flyteplane_rpc_requests",
            "RPCs answered, by wire (grpc or http), method (Service.Method) and status code",
            ["wire", "method", "code"],
            registry=self.registry,
        )
        self.rpc_latency = Histogram(
            "flyteplane_rpc_duration_seconds",
            "Time to answer an RPC, by wire, method and status code",
            ["wire", "method", "code"],
            buckets=RPC_BUCKETS,
            registry=self.registry,
        )
        self.attempts_started = Counter(
            "flyteplane_task_attempts_started", "Task attempts the engine started", registry=self.registry
        )
        self.lease_takeovers = Counter(
            "flyteplane_engine_lease_takeovers",
            "Executions this process's engine claimed from another owner whose lease had expired",
            registry=self.registry,
        )
        self.notifications_sent = Counter(
            "flyteplane_notifications_sent",
            "Notifications delivered, by channel (email or webhook) and kind (email, slack, pager_duty)",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.notification_failures = Counter(
            "flyteplane_notification_failures",
            "Failed notification deliveries (each is retried with backoff), by channel and kind",
            ["channel", "kind"],
            registry=self.registry,
        )

    def observe_rpc(self, wire: str, method: str, code: grpc.StatusCode, seconds: float) -> None:
        name = code.name
        self.rpc_requests.labels(wire, method, name).inc()
        self.rpc_latency.labels(wire, method, name).observe(seconds)

    def delivered(self, channel: str, kind: str) -> None:
        self.notifications_sent.labels(channel, kind).inc()

    def delivery_failed(self, channel: str, kind: str) -> None:
        self.notification_failures.labels(channel, kind).inc()

    def attempt_started(self, count: int = 1) -> None:
        self.attempts_started.inc(count)

    def lease_taken_over(self) -> None:
        self.lease_takeovers.inc()

    def watch_store(
        self, executions_by_phase: Callable[[], Mapping[str, int]], queue_depth: Callable[[], Mapping[str, int]]
    ) -> None:
        """Adds the scrape-time gauges read from the database."""
        self.registry.register(StoreGauges(executions_by_phase, queue_depth))

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)
