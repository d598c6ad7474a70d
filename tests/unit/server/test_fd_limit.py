"""The connection cap fits in the open files limit: three descriptors per connection beside a reserve."""

from __future__ import annotations

import resource

from flyteplane.server.fd_limit import connection_budget, raise_fd_limit


def test_the_configured_cap_stands_when_the_limit_is_large() -> None:
    assert connection_budget(4096, 1 << 20) == 4096


def test_a_small_limit_lowers_the_cap_and_keeps_a_reserve() -> None:
    assert connection_budget(4096, 1024) == (1024 - 128) // 3
    assert connection_budget(4096, 300) == (300 - 64) // 3
    assert connection_budget(4096, 10) == 1  # never zero: a server that can serve nobody is no server


def test_raising_the_limit_never_lowers_it() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert raise_fd_limit() >= soft
