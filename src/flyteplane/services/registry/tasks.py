"""Tasks (flyteadmin §2.2): validate, compile, store the closure; re-registration is create-or-compare."""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.admin import common_pb2, task_pb2
from flyteidl.core import identifier_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from flyteplane.compiler import CompileErrors, compile_task
from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument
from flyteplane.services.common.validation import validate_identifier, validate_project_domain, validate_spec_size
from flyteplane.services.registry import digests
from flyteplane.services.registry.description_entities import DescriptionEntityService
from flyteplane.services.registry.resources import validate_resources
from flyteplane.services.registry.versioned import VersionedKind
from flyteplane.store.db import Database
from flyteplane.store.repositories import versioned
from flyteplane.store.repositories.versioned import TaskRow

TASKS = VersionedKind(table=versioned.TASKS, resource_type=identifier_pb2.TASK, kind="task", list_rpc="ListTasks")


def timestamp(value: object) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)  # type: ignore[arg-type]
    return stamp


def _closure_of(row: TaskRow) -> task_pb2.TaskClosure:
    return task_pb2.TaskClosure.FromString(row.closure)


@dataclass(eq=False)
class TaskService:
    db: Database
    settings: Settings
    descriptions: DescriptionEntityService

    def _validate(self, req: task_pb2.TaskCreateRequest) -> None:
        validate_identifier(req.id, identifier_pb2.TASK, present=req.HasField("id"))
        with self.db.read() as session:
            validate_project_domain(session, req.id.project, req.id.domain, self.settings.domains)
        if not req.HasField("spec") or not req.spec.HasField("template"):
            raise InvalidArgument("missing spec")
        validate_spec_size("spec", req.spec, self.settings.max_spec_bytes)
        template = req.spec.template
        if not template.type:
            raise InvalidArgument("missing type")
        if not template.HasField("metadata"):
            raise InvalidArgument("missing metadata")
        if template.metadata.HasField("runtime") and not template.metadata.runtime.version:
            raise InvalidArgument("missing runtime version")
        if not template.HasField("interface"):
            raise InvalidArgument("missing typed interface")
        if template.HasField("container"):
            if not template.container.image:
                raise InvalidArgument("missing image")
            validate_resources(template.container.resources, req.id.name)
        elif template.HasField("k8s_pod") and not template.k8s_pod.HasField("pod_spec"):
            raise InvalidArgument("missing pod_spec")

    def create_task(self, req: task_pb2.TaskCreateRequest) -> task_pb2.TaskCreateResponse:
        self._validate(req)
        template = task_pb2.TaskSpec()
        template.CopyFrom(req.spec)
        template.template.id.CopyFrom(req.id)
        try:
            compiled = compile_task(template.template)
        except CompileErrors as exc:
            raise InvalidArgument(f"task failed compilation with {exc}") from exc
        closure = task_pb2.TaskClosure(compiled_task=compiled)
        values = {
            "closure": closure.SerializeToString(),
            "digest": digests.digest(closure),
            "type": template.template.type,
            "short_description": req.spec.description.short_description,
        }
        record_description = self.descriptions.recorder(req.id, req.spec)
        TASKS.insert_or_compare(self.db, req.id, values, closure, _closure_of, record_description)
        return task_pb2.TaskCreateResponse()

    def _to_proto(self, row: TaskRow) -> task_pb2.Task:
        closure = _closure_of(row)
        closure.created_at.CopyFrom(timestamp(row.created_at))
        return task_pb2.Task(id=TASKS.identifier(row), closure=closure, short_description=row.short_description)

    def get_task(self, req: common_pb2.ObjectGetRequest) -> task_pb2.Task:
        with self.db.read() as session:
            return self._to_proto(TASKS.get(session, req.id))

    def list_tasks(self, req: common_pb2.ResourceListRequest) -> task_pb2.TaskList:
        tasks, token = TASKS.list_protos(self.db, req, self._to_proto)
        return task_pb2.TaskList(tasks=tasks, token=token)

    def list_task_ids(self, req: common_pb2.NamedEntityIdentifierListRequest) -> common_pb2.NamedEntityIdentifierList:
        return TASKS.list_ids(self.db, req)
