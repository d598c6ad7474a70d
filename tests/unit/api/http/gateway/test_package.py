"""The gateway package exports what the server wires and the tests use, and nothing else."""

from __future__ import annotations

import flyteplane.api.http.gateway as gateway


def test_exported_names_are_pinned() -> None:
    assert sorted(gateway.__all__) == ["Binding", "Gateway", "GatewayRoute", "all_bindings", "bindings_of"]
