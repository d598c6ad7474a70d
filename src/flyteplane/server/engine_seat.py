"""One engine per home: a lock held while the engine runs, and an owner id that survives restarts.

The id lets a restarted engine void the leases its previous incarnation left (after a kill -9) instead of
waiting for them to lapse, without touching leases of engines on other machines that share the database.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from pathlib import Path

from flyteplane.errors import FailedPrecondition

__all__ = ["EngineSeat"]


class EngineSeat:
    def __init__(self, home: Path) -> None:
        self.home = home
        self._lock_fd: int | None = None

    def take(self) -> str:
        """Holds the home's engine lock and returns this home's engine owner id; FailedPrecondition when another
        process runs an engine on this home."""
        fd = os.open(self.home / "engine.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise FailedPrecondition(
                f"an engine already runs on home {self.home} (pid {holder}): run one engine per home "
                "(start `flyteplane serve --no-engine` next to a `flyteplane engine`, or give each its own --home)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd
        return self._owner_id()

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing drops the flock
            self._lock_fd = None

    def _owner_id(self) -> str:
        path = self.home / "engine.id"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            owner = uuid.uuid4().hex[:16]
            temporary = path.with_suffix(".tmp")
            temporary.write_text(owner)
            os.replace(temporary, path)
            return owner
