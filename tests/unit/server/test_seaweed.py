"""The SeaweedFS helpers that need no server: reading listening sockets from /proc, finding `weed`."""

from __future__ import annotations

import os
import socket

from flyteplane.server.seaweed import _address, free_port, listening_addresses, weed_binary


def test_proc_addresses_decode_as_the_kernel_prints_them() -> None:
    assert _address("0100007F", 4) == "127.0.0.1"
    assert _address("00000000", 4) == "0.0.0.0"
    assert _address("00000000000000000000000001000000", 16) == "::1"


def test_a_listening_socket_of_this_process_is_found_with_its_address() -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        assert ("127.0.0.1", port) in listening_addresses(os.getpid())
    assert ("127.0.0.1", port) not in listening_addresses(os.getpid())


def test_weed_is_found_beside_this_python_when_installed() -> None:
    assert os.access(weed_binary(), os.X_OK)
