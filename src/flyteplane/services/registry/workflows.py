"""Workflows (flyteadmin §2.3): compile against registered tasks and launch plans, store the closure."""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.admin import common_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, interface_pb2
from sqlalchemy.orm import Session

from flyteplane.compiler import CompileErrors, LaunchPlanInterface, compile_workflow, get_requirements
from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.common.validation import (
    id_text,
    validate_identifier,
    validate_project_domain,
    validate_spec_size,
)
from flyteplane.services.registry import digests
from flyteplane.services.registry.description_entities import DescriptionEntityService
from flyteplane.services.registry.tasks import timestamp
from flyteplane.services.registry.versioned import VersionedKind
from flyteplane.store.db import Database
from flyteplane.store.repositories import versioned
from flyteplane.store.repositories.versioned import WorkflowRow

WORKFLOWS = VersionedKind(
    table=versioned.WORKFLOWS, resource_type=identifier_pb2.WORKFLOW, kind="workflow", list_rpc="ListWorkflows"
)


def _identity(identifier: identifier_pb2.Identifier) -> tuple[str, str, str, str]:
    return (identifier.project, identifier.domain, identifier.name, identifier.version)


@dataclass(eq=False)
class WorkflowService:
    db: Database
    settings: Settings
    descriptions: DescriptionEntityService

    def _load_requirements(
        self, session: Session, template: workflow_pb2.WorkflowSpec
    ) -> tuple[list[object], list[LaunchPlanInterface]]:
        """Loads every task and launch plan the workflow references, in two queries."""
        needs = get_requirements(template.template, list(template.sub_workflows))
        tasks = []
        if needs.task_ids:
            found = versioned.TASKS.find_all(session, [_identity(task_id) for task_id in needs.task_ids])
            for task_id in needs.task_ids:
                if _identity(task_id) not in found:
                    raise NotFound(f"missing entity of type TASK with identifier [{id_text(task_id)}]")
            for key in sorted(found):
                tasks.append(task_pb2.TaskClosure.FromString(found[key].closure).compiled_task.template)
        launch_plans = []
        if needs.launch_plan_ids:
            lps = versioned.LAUNCH_PLANS.find_all(session, [_identity(lp_id) for lp_id in needs.launch_plan_ids])
            for lp_id in needs.launch_plan_ids:
                row = lps.get(_identity(lp_id))
                if row is None:
                    raise NotFound(f"missing entity of type LAUNCH_PLAN with identifier [{id_text(lp_id)}]")
                closure = launch_plan_pb2.LaunchPlanClosure.FromString(row.closure)
                launch_plans.append(
                    LaunchPlanInterface(
                        id=lp_id,
                        expected_inputs=closure.expected_inputs,
                        expected_outputs=closure.expected_outputs,
                    )
                )
        return tasks, launch_plans

    def create_workflow(self, req: workflow_pb2.WorkflowCreateRequest) -> workflow_pb2.WorkflowCreateResponse:
        validate_identifier(req.id, identifier_pb2.WORKFLOW, present=req.HasField("id"))
        with self.db.read() as session:
            validate_project_domain(session, req.id.project, req.id.domain, self.settings.domains)
            if not req.HasField("spec") or not req.spec.HasField("template"):
                raise InvalidArgument("missing spec")
            validate_spec_size("spec", req.spec, self.settings.max_spec_bytes)
            spec = workflow_pb2.WorkflowSpec()
            spec.CopyFrom(req.spec)
            spec.template.id.CopyFrom(req.id)
            try:
                tasks, launch_plans = self._load_requirements(session, spec)
                compiled = compile_workflow(spec.template, list(spec.sub_workflows), tasks, launch_plans)  # type: ignore[arg-type]
            except (CompileErrors, NotFound) as exc:
                raise InvalidArgument(f"failed to compile workflow for [{id_text(req.id)}] with err: {exc}") from exc
        node_count = len(compiled.primary.template.nodes) - 2
        if node_count > self.settings.max_workflow_nodes:
            raise InvalidArgument(
                f"number of nodes in workflow [{id_text(req.id)}] exceeds limit "
                f"({node_count} > {self.settings.max_workflow_nodes})"
            )
        values = {
            "typed_interface": compiled.primary.template.interface.SerializeToString(),
            "closure": compiled.SerializeToString(),
            "digest": digests.digest(compiled),
            "short_description": req.spec.description.short_description,
        }
        describe = self.descriptions.recorder(req.id, req.spec)
        WORKFLOWS.insert_or_compare(self.db, req.id, values, compiled, self._compiled_of, describe)
        return workflow_pb2.WorkflowCreateResponse()

    @staticmethod
    def _compiled_of(row: WorkflowRow) -> compiler_pb2.CompiledWorkflowClosure:
        return compiler_pb2.CompiledWorkflowClosure.FromString(row.closure)

    def _to_proto(self, row: WorkflowRow) -> workflow_pb2.Workflow:
        closure = workflow_pb2.WorkflowClosure(
            compiled_workflow=self._compiled_of(row), created_at=timestamp(row.created_at)
        )
        return workflow_pb2.Workflow(
            id=WORKFLOWS.identifier(row), closure=closure, short_description=row.short_description
        )

    @staticmethod
    def _listed(row: WorkflowRow) -> workflow_pb2.Workflow:
        """List results carry only the interface of the compiled workflow, as flyteadmin's do."""
        closure = workflow_pb2.WorkflowClosure(created_at=timestamp(row.created_at))
        closure.compiled_workflow.primary.template.interface.CopyFrom(
            interface_pb2.TypedInterface.FromString(row.typed_interface)
        )
        return workflow_pb2.Workflow(
            id=WORKFLOWS.identifier(row), closure=closure, short_description=row.short_description
        )

    def get_workflow(self, req: common_pb2.ObjectGetRequest) -> workflow_pb2.Workflow:
        validate_identifier(req.id, identifier_pb2.WORKFLOW, present=req.HasField("id"))
        with self.db.read() as session:
            return self._to_proto(WORKFLOWS.get(session, req.id))

    def list_workflows(self, req: common_pb2.ResourceListRequest) -> workflow_pb2.WorkflowList:
        workflows, token = WORKFLOWS.list_protos(self.db, req, self._listed)
        return workflow_pb2.WorkflowList(workflows=workflows, token=token)

    def list_workflow_ids(
        self, req: common_pb2.NamedEntityIdentifierListRequest
    ) -> common_pb2.NamedEntityIdentifierList:
        return WORKFLOWS.list_ids(self.db, req)
