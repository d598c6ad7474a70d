"""Test doubles for the scheduler's ports: a clock the test moves, and an Admin that records executions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flyteidl.admin import execution_pb2

from flyteplane.errors import AlreadyExists


class FakeClock:
    """Stands still until the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.moment = start if start.tzinfo else start.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def real_seconds(self, clock_seconds: float) -> float:
        return clock_seconds

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


class RecordingAdmin:
    """CreateExecution as admin answers it: names are unique, a second create is ALREADY_EXISTS."""

    def __init__(self) -> None:
        self.created: list[execution_pb2.ExecutionCreateRequest] = []
        self.attempts = 0
        self.failures: list[Exception] = []  # raised (first first) before anything is created

    def __call__(self, request: execution_pb2.ExecutionCreateRequest) -> None:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        if any(existing.name == request.name for existing in self.created):
            raise AlreadyExists(f"value with matching already exists (execution [{request.name}])")
        self.created.append(request)

    @property
    def scheduled_times(self) -> list[datetime]:
        return [request.spec.metadata.scheduled_at.ToDatetime(UTC) for request in self.created]
