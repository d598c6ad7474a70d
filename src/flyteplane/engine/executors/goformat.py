"""Values rendered the way Go prints them, because Flyte's template substitution is Go's `fmt.Sprintf("%v")`.

A task written against real Flyte may parse `{{.Inputs.x}}` in its command line, so floats, durations,
timestamps and decoded msgpack values must read exactly as propeller would write them.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

__all__ = ["go_duration", "go_float", "go_value", "rfc3339_nano"]

_NANOS_PER_SECOND = 1_000_000_000


def go_float(value: float) -> str:
    """`%v` of a float64: shortest round-trip digits, exponent form below 1e-4 and from 1e6 (`%g` rules)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    point = len(digit_tuple) + exponent  # value = 0.<digits> * 10**point
    prefix = "-" if sign else ""
    decimal_exponent = point - 1
    if decimal_exponent < -4 or decimal_exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if decimal_exponent < 0 else '+'}{abs(decimal_exponent):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return prefix + digits + "0" * (point - len(digits))
    return f"{prefix}{digits[:point]}.{digits[point:]}"


def go_duration(nanoseconds: int) -> str:
    """Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`."""
    if nanoseconds == 0:
        return "0s"
    sign = "-" if nanoseconds < 0 else ""
    total = abs(nanoseconds)
    if total < 1_000:
        return f"{sign}{total}ns"
    if total < 1_000_000:
        return f"{sign}{_fraction(total, 3)}µs"
    if total < _NANOS_PER_SECOND:
        return f"{sign}{_fraction(total, 6)}ms"
    hours, rest = divmod(total, 3600 * _NANOS_PER_SECOND)
    minutes, rest = divmod(rest, 60 * _NANOS_PER_SECOND)
    seconds = _fraction(rest, 9) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _fraction(value: int, decimals: int) -> str:
    whole, part = divmod(value, 10**decimals)
    fraction = f"{part:0{decimals}d}".rstrip("0")
    return f"{whole}.{fraction}" if fraction else str(whole)


def rfc3339_nano(seconds: int, nanos: int) -> str:
    """Go's `time.RFC3339Nano` in UTC: trailing zeros of the fraction dropped, no fraction when it is zero."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    fraction = f".{nanos:09d}".rstrip("0") if nanos else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction.rstrip(".") + "Z"


def go_value(value: Any) -> str:
    """`%v` of a value decoded from msgpack into Go's `any`: maps sorted by key, slices space-separated."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return "[" + " ".join(str(b) for b in value) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda item: _map_key_order(item[0]))
        return "map[" + " ".join(f"{go_value(k)}:{go_value(v)}" for k, v in items) + "]"
    return str(value)


def _map_key_order(key: Any) -> tuple[int, Any]:
    """fmt sorts map keys: numbers by value, strings lexically; mixed kinds are grouped by kind."""
    if isinstance(key, bool):
        return (0, key)
    if isinstance(key, (int, float)):
        return (1, key)
    if isinstance(key, str):
        return (2, key)
    return (3, repr(key))
