"""Python types and values covering every core type, nested and Optional, shared by the conversion tests."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any, Optional

UTC = datetime.timezone.utc


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Inner:
    a: int
    when: datetime.datetime
    pause: datetime.timedelta
    color: Color
    maybe: float | None = None


@dataclasses.dataclass
class Outer:
    name: str
    inner: Inner
    inners: list[Inner]
    scores: dict[str, int]
    flags: list[bool] = dataclasses.field(default_factory=list)


INNER = Inner(2, datetime.datetime(2024, 1, 2, 3, 4, 5, 6000), datetime.timedelta(seconds=1.5), Color.BLUE)
OUTER = Outer("o", INNER, [INNER, dataclasses.replace(INNER, maybe=0.25)], {"k": 1}, [True, False])

# (python type, value, the value read back without a Python type, when it differs from the value)
CASES: list[tuple[Any, Any, Any]] = [
    (int, 7, 7),
    (int, -(2**62), -(2**62)),
    (float, 2.5, 2.5),
    (str, "héllo", "héllo"),
    (bool, True, True),
    (bool, False, False),
    (datetime.datetime, datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), None),
    (datetime.timedelta, datetime.timedelta(days=2, microseconds=3), None),
    (type(None), None, None),
    (Optional[int], None, None),  # noqa: UP045 - typing.Optional and X | None are both core
    (int | None, 5, 5),
    (str | None, "x", "x"),
    (list[int], [1, 2, 3], None),
    (list[list[str]], [["a"], [], ["b", "c"]], None),
    (list[int | None], [None, 1], None),
    (dict[str, int], {"a": 1, "b": 2}, None),
    (dict[str, list[float]], {"a": [0.5, 1.0], "b": []}, None),
    (dict[str, dict[str, bool]], {"x": {"y": True}}, None),
    (dict, {"any": [1, "two", {"three": 3.0}], "none": None}, None),
    (Color, Color.RED, "red"),
    (Color | None, Color.BLUE, "blue"),
    (Inner, INNER, {"a": 2, "when": "2024-01-02T03:04:05.006000", "pause": 1.5, "color": "blue", "maybe": None}),
    (Outer, OUTER, None),
    (Outer | None, OUTER, None),
    (list[Inner], [INNER], None),
    (dict[str, Inner], {"i": INNER}, None),
]
