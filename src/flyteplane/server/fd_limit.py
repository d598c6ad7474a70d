"""File descriptors: the front door's connection cap must fit in the process's limit, or accept() fails for all.

Each served connection holds up to three descriptors (the client's socket, the front door's socket to a backend,
and the backend's end of it); the rest of the server (database, task processes' pipes, gRPC's threads) needs a
reserve of its own.
"""

from __future__ import annotations

import logging
import resource

log = logging.getLogger(__name__)

FDS_PER_CONNECTION = 3
MIN_RESERVE = 64
MAX_RESERVE = 512
LARGE = 1 << 20  # Linux's default ceiling (fs.nr_open) when the hard limit is unlimited


def raise_fd_limit() -> int:
    """Raises the soft limit on open files to the hard one, as Go programs do at start; returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = LARGE if hard == resource.RLIM_INFINITY else hard
    if soft == resource.RLIM_INFINITY:
        return LARGE
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.debug("cannot raise the open files limit to %d: %s", target, exc)
    return soft


def connection_budget(max_connections: int, fd_limit: int) -> int:
    """The connections that fit in `fd_limit` beside the reserve, at most `max_connections` and at least one."""
    reserve = min(MAX_RESERVE, max(MIN_RESERVE, fd_limit // 8))
    return max(1, min(max_connections, (fd_limit - reserve) // FDS_PER_CONNECTION))
