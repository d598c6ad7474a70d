"""Task caching (what datacatalog does for propeller, §8.6): outputs keyed by task signature and inputs.

The key is (project, domain, `flyte_task-<name>`, `<cache version>-<inputs hash>-<outputs hash>`, tag of the
input values). The task version is not part of the key, as in Flyte: bump `cache_version` to invalidate.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flyteidl.core import catalog_pb2, identifier_pb2, interface_pb2, literals_pb2, tasks_pb2
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from flyteplane.store.db import Database
from flyteplane.store.models import CachedOutput

__all__ = ["CacheKey", "TaskCache", "cache_key"]

RESERVATION = timedelta(seconds=30)


def _hash(message: object) -> str:
    data = message.SerializeToString(deterministic=True)  # type: ignore[attr-defined]
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def _strip_values_with_hash(literal: literals_pb2.Literal) -> literals_pb2.Literal:
    """A literal that carries its own hash (e.g. a file with HashMethod) is keyed by that hash alone."""
    if literal.hash:
        return literals_pb2.Literal(hash=literal.hash)
    if literal.HasField("collection"):
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[_strip_values_with_hash(item) for item in literal.collection.literals]
            )
        )
    if literal.HasField("map"):
        result = literals_pb2.Literal()
        for key, item in literal.map.literals.items():
            result.map.literals[key].CopyFrom(_strip_values_with_hash(item))
        return result
    return literal


@dataclass(frozen=True)
class CacheKey:
    project: str
    domain: str
    name: str
    version: str
    tag: str

    def catalog_metadata(self, task_id: identifier_pb2.Identifier) -> catalog_pb2.CatalogMetadata:
        return catalog_pb2.CatalogMetadata(
            dataset_id=identifier_pb2.Identifier(
                resource_type=identifier_pb2.DATASET,
                project=self.project,
                domain=self.domain,
                name=self.name,
                version=self.version,
            ),
            artifact_tag=catalog_pb2.CatalogArtifactTag(name=self.tag),
        )


def cache_key(task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap) -> CacheKey:
    ignored = set(task.metadata.cache_ignore_input_vars)
    keyed = literals_pb2.LiteralMap()
    for name, literal in inputs.literals.items():
        if name not in ignored:
            keyed.literals[name].CopyFrom(_strip_values_with_hash(literal))
    interface = task.interface
    signature = f"{_hash(interface.inputs or interface_pb2.VariableMap())[:8]}-{_hash(interface.outputs)[:8]}"
    return CacheKey(
        project=task.id.project,
        domain=task.id.domain,
        name=f"flyte_task-{task.id.name}",
        version=f"{task.metadata.discovery_version}-{signature}",
        tag=f"flyte_cached-{_hash(keyed)}",
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class TaskCache:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _where(self, key: CacheKey):  # type: ignore[no-untyped-def]
        return (
            CachedOutput.dataset_project == key.project,
            CachedOutput.dataset_domain == key.domain,
            CachedOutput.dataset_name == key.name,
            CachedOutput.dataset_version == key.version,
            CachedOutput.tag == key.tag,
        )

    @staticmethod
    def _new_row(key: CacheKey, **values: Any) -> CachedOutput:
        return CachedOutput(
            dataset_project=key.project,
            dataset_domain=key.domain,
            dataset_name=key.name,
            dataset_version=key.version,
            tag=key.tag,
            **values,
        )

    def get(self, key: CacheKey) -> literals_pb2.LiteralMap | None:
        with self.db.read() as session:
            data = session.scalar(select(CachedOutput.outputs).where(*self._where(key)))
        return literals_pb2.LiteralMap.FromString(data) if data is not None else None

    def put(
        self, key: CacheKey, outputs: literals_pb2.LiteralMap, *, task_version: str, source: tuple[str, str]
    ) -> None:
        values = {
            "outputs": outputs.SerializeToString(),
            "task_version": task_version,
            "source_execution": source[0],
            "source_node": source[1],
            "reservation_owner": "",
            "reservation_expires_at": None,
        }
        with self.db.transaction() as session:
            updated = session.execute(update(CachedOutput).where(*self._where(key)).values(**values))
            if updated.rowcount:  # type: ignore[attr-defined]
                return
        try:
            with self.db.transaction() as session:
                session.add(self._new_row(key, **values))
        except IntegrityError:
            with self.db.transaction() as session:
                session.execute(update(CachedOutput).where(*self._where(key)).values(**values))

    def reserve(self, key: CacheKey, owner: str) -> bool:
        """True when `owner` may compute the value (nobody else holds a live reservation)."""
        now = _now()
        with self.db.transaction() as session:
            claimed = session.execute(
                update(CachedOutput)
                .where(
                    *self._where(key),
                    CachedOutput.outputs.is_(None),
                    or_(
                        CachedOutput.reservation_owner == owner,
                        CachedOutput.reservation_owner == "",
                        CachedOutput.reservation_expires_at < now,
                    ),
                )
                .values(reservation_owner=owner, reservation_expires_at=now + RESERVATION)
            )
            if claimed.rowcount:  # type: ignore[attr-defined]
                return True
            if session.scalar(select(CachedOutput.id).where(*self._where(key))) is not None:
                return False
        try:
            with self.db.transaction() as session:
                session.add(
                    self._new_row(key, outputs=None, reservation_owner=owner, reservation_expires_at=now + RESERVATION)
                )
            return True
        except IntegrityError:
            return False
