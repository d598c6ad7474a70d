"""raw_methods.pyi is generated from flyteidl's service descriptors (test_typing checks what mypy sees through it)."""

from __future__ import annotations

from pathlib import Path

from flyteplane.client import raw_stub
from flyteplane.client.rpcs import ALL_SERVICES


def test_the_committed_stub_is_what_the_descriptors_give() -> None:
    assert raw_stub.STUB_PATH.read_text() == raw_stub.render(), "stale: run python -m flyteplane.client.raw_stub"


def test_the_stub_types_every_rpc_under_both_names() -> None:
    stub = raw_stub.render()
    for service in ALL_SERVICES:
        for spec in service.rpcs:
            assert f"    {spec.method_name}: RpcMethod[" in stub
            assert f"    {spec.name} = {spec.method_name}\n" in stub
    assert "    get_task: RpcMethod[common_pb2.ObjectGetRequest, task_pb2.Task]\n" in stub


def test_check_fails_on_a_stale_stub_and_writing_repairs_it(tmp_path: Path) -> None:
    stub = tmp_path / "raw_methods.pyi"
    stub.write_text("# stale\n")
    assert raw_stub.main(["--check", "--output", str(stub)]) == 1
    assert raw_stub.main(["--output", str(stub)]) == 0
    assert raw_stub.main(["--check", "--output", str(stub)]) == 0
    assert stub.read_text() == raw_stub.render()
