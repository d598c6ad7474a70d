"""Latency sampling and its summary: warm-up, N timed calls, p50/p99/mean in milliseconds."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import grpc

Request = TypeVar("Request")


@dataclass
class Samples:
    """Durations of the calls that succeeded, plus what went wrong with the others."""

    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def fail(self, exc: grpc.RpcError) -> None:
        self.errors += 1
        if not self.first_error:
            code = exc.code() if isinstance(exc, grpc.Call) else None
            details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
            self.first_error = f"{code.name if code else 'ERROR'}: {details}"


@dataclass(frozen=True)
class Measurement:
    """One benchmark's summary; `baseline_ratio` is its p50 over the run's no-op baseline p50."""

    name: str
    calls: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    baseline_ratio: float
    errors: int = 0
    first_error: str = ""

    def as_json(self) -> dict[str, Any]:
        """Plain JSON, microsecond precision; a figure with no successful call behind it is null, not NaN."""
        return {
            key: (None if math.isnan(value) else round(value, 4)) if isinstance(value, float) else value
            for key, value in asdict(self).items()
        }


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks, so p99 of 200 samples is not just the maximum."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(name: str, samples: Samples, baseline_p50_ms: float | None) -> Measurement:
    millis = [s * 1000.0 for s in samples.seconds]
    p50 = percentile(millis, 0.50)
    ratio = p50 / baseline_p50_ms if baseline_p50_ms else 1.0
    return Measurement(
        name=name,
        calls=len(millis),
        p50_ms=p50,
        p99_ms=percentile(millis, 0.99),
        mean_ms=statistics.fmean(millis) if millis else float("nan"),
        baseline_ratio=ratio,
        errors=samples.errors,
        first_error=samples.first_error,
    )


def sample(
    rpc: Callable[[Request], Any],
    request_for: Callable[[int], Request],
    *,
    warmup: int,
    calls: int,
) -> Samples:
    """Times `rpc` alone (requests are built before the clock starts); call i gets `request_for(i)`, the
    warm-up taking the first indices, so callers can make every request distinct. The client's garbage
    collector is paused while timing, so its pauses are not billed to the server. Failed calls, warm-up
    included, are counted and not timed."""
    samples = Samples()
    for index in range(warmup):
        try:
            rpc(request_for(index))
        except grpc.RpcError as exc:
            samples.fail(exc)
    gc.collect()
    gc.disable()
    try:
        for index in range(warmup, warmup + calls):
            request = request_for(index)
            started = time.perf_counter()
            try:
                rpc(request)
            except grpc.RpcError as exc:
                samples.fail(exc)
                continue
            samples.seconds.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return samples
