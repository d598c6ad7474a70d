from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from flyteplane.scheduler.names import fnv1_64, scheduled_execution_name

AT = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)


def test_fnv1_64_matches_the_reference_vectors() -> None:
    assert fnv1_64(b"") == 0xCBF29CE484222325
    assert fnv1_64(b"a") == 0xAF63BD4C8601B7BE  # FNV-1, not FNV-1a (0xaf63dc4c8601ec8c)


def test_the_name_is_f_and_the_little_endian_hash_of_the_identifier_and_unix_seconds() -> None:
    digest = fnv1_64(f"p:d:lp:v1:{int(AT.timestamp())}".encode())
    expected = "f" + digest.to_bytes(8, "little").hex() + "000"
    assert scheduled_execution_name("p", "d", "lp", "v1", AT) == expected


def test_names_are_twenty_characters_valid_as_execution_names() -> None:
    name = scheduled_execution_name("flytesnacks", "development", "nightly", "abc", AT)
    assert len(name) == 20
    assert re.fullmatch(r"^[a-z][a-z\-0-9]*$", name)


def test_the_same_time_gives_the_same_name_whatever_its_zone_or_fraction_of_a_second() -> None:
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    assert scheduled_execution_name("p", "d", "lp", "v1", paris) == scheduled_execution_name("p", "d", "lp", "v1", AT)
    later = AT + timedelta(microseconds=999_999)
    assert scheduled_execution_name("p", "d", "lp", "v1", later) == scheduled_execution_name("p", "d", "lp", "v1", AT)
    naive = AT.replace(tzinfo=None)
    assert scheduled_execution_name("p", "d", "lp", "v1", naive) == scheduled_execution_name("p", "d", "lp", "v1", AT)


def test_another_time_or_version_gives_another_name() -> None:
    base = scheduled_execution_name("p", "d", "lp", "v1", AT)
    assert scheduled_execution_name("p", "d", "lp", "v1", AT + timedelta(seconds=1)) != base
    assert scheduled_execution_name("p", "d", "lp", "v2", AT) != base
    assert scheduled_execution_name("p", "e", "lp", "v1", AT) != base
