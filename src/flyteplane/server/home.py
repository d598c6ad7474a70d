"""The home folder holds the database, the signing secret, blobs and task files: only the server's user may read it.

Under the usual umask 022 everything would be world-readable (issue 9), so a running server creates with umask 077
(0700 folders, 0600 files; task processes inherit it), and an existing home is tightened at start: the folder
itself, which guards everything in it, and the files a server of any age left at its top.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# What earlier servers created at the top of a home under a looser umask.
KNOWN_FILES = ("flyteplane.db", "flyteplane.db-wal", "flyteplane.db-shm", "secret.key")
KNOWN_DIRS = ("blobs", "attempts")


_umask_lock = threading.Lock()
_umask_holders = 0
_umask_before = 0


def hold_private_umask() -> None:
    """Sets umask 077 for this process while any server in it runs; in-process servers (flyteplane.testing) then
    give their host process its own umask back when the last of them stops."""
    global _umask_holders, _umask_before
    with _umask_lock:
        if _umask_holders == 0:
            _umask_before = os.umask(PRIVATE_UMASK)
        _umask_holders += 1


def release_private_umask() -> None:
    global _umask_holders
    with _umask_lock:
        if _umask_holders == 0:
            return
        _umask_holders -= 1
        if _umask_holders == 0:
            os.umask(_umask_before)


def prepare_home(home: Path) -> None:
    """Creates the home owner-only, or tightens an existing one the server's user owns."""
    home.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    info = home.stat()
    if info.st_uid != os.geteuid() or info.st_mode & stat.S_ISVTX:
        # Not ours, or a shared sticky folder such as /tmp: changing its mode would hurt others.
        log.warning("home %s is not a private folder of this user; its files may be readable by others", home)
        return
    _tighten(home, PRIVATE_DIR)
    for name in KNOWN_DIRS:
        _tighten(home / name, PRIVATE_DIR)
    for name in KNOWN_FILES:
        _tighten(home / name, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink() or current & ~mode == 0:
            return
        path.chmod(current & mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("cannot make %s private: %s", path, exc.strerror or exc)
