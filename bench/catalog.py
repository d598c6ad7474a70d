"""Which tasks the benchmark database holds: `count` rows over `names` task names, each with many versions.

Row k is name `k % names` at version `k // names`, inserted in that order, so ids and created_at grow together
as they would when whole versions of a project are registered one after another.
"""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.core import identifier_pb2

PROJECT = "flytesnacks"
DOMAIN = "development"
NAME_PREFIX = "bench.sample_task.normalize"


@dataclass(frozen=True)
class Catalog:
    count: int
    names: int

    def name(self, row: int) -> str:
        return f"{NAME_PREFIX}_{row % self.names:04d}"

    def version(self, row: int) -> str:
        return f"v{row // self.names:05d}"

    def identifier(self, row: int) -> identifier_pb2.Identifier:
        return identifier_pb2.Identifier(
            resource_type=identifier_pb2.TASK,
            project=PROJECT,
            domain=DOMAIN,
            name=self.name(row),
            version=self.version(row),
        )
