"""Conversions between protobuf timestamps/durations and the naive-UTC datetimes the store keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from flyteplane.errors import InvalidArgument

__all__ = ["duration", "duration_ns", "is_set", "now", "timestamp", "to_datetime"]


def now() -> datetime:
    """The store's clock: naive UTC (as `store.models.utcnow`, the columns' default)."""
    return datetime.now(UTC).replace(tzinfo=None)


def is_set(stamp: Timestamp) -> bool:
    return bool(stamp.seconds or stamp.nanos)


def to_datetime(stamp: Timestamp, field: str = "timestamp") -> datetime:
    """A proto timestamp as naive UTC, at microsecond precision (what both databases keep).

    A value outside years 1-9999 is the caller's mistake, reported as such instead of an overflow."""
    try:
        return datetime(1970, 1, 1) + timedelta(seconds=stamp.seconds, microseconds=stamp.nanos // 1000)
    except OverflowError:
        raise InvalidArgument(f"invalid value for {field}: seconds:{stamp.seconds} nanos:{stamp.nanos}") from None


def timestamp(moment: datetime) -> Timestamp:
    """A naive-UTC (or aware) datetime as a proto timestamp."""
    stamp = Timestamp()
    stamp.FromDatetime(moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None))
    return stamp


def duration_ns(start: datetime, end: datetime) -> int:
    delta = end - start
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def duration(nanoseconds: int) -> Duration:
    value = Duration()
    value.FromNanoseconds(nanoseconds)
    return value
