"""The home folder is the server's user's alone: created 0700, tightened when found readable, never a shared one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from flyteplane.server.home import hold_private_umask, prepare_home, release_private_umask


def current_umask() -> int:
    value = os.umask(0)
    os.umask(value)
    return value


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_home_is_created_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "a" / "home"
    prepare_home(home)
    assert mode(home) == 0o700


def test_an_existing_home_and_the_files_servers_left_in_it_are_tightened(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "blobs").mkdir(parents=True)
    home.chmod(0o755)
    (home / "blobs").chmod(0o775)
    for name in ("flyteplane.db", "flyteplane.db-wal", "secret.key"):
        (home / name).write_bytes(b"x")
        (home / name).chmod(0o644)
    prepare_home(home)
    assert mode(home) == 0o700
    assert mode(home / "blobs") == 0o700
    assert {mode(home / name) for name in ("flyteplane.db", "flyteplane.db-wal", "secret.key")} == {0o600}


def test_a_shared_sticky_folder_is_left_as_it_is(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    prepare_home(shared)
    assert mode(shared) == 0o1777


def test_the_private_umask_lasts_while_any_server_holds_it() -> None:
    before = os.umask(0o022)
    try:
        hold_private_umask()
        hold_private_umask()  # a second in-process server
        release_private_umask()
        assert current_umask() == 0o077
        release_private_umask()
        assert current_umask() == 0o022
    finally:
        os.umask(before)
