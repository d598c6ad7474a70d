"""One request per HTTP binding of every annotated RPC, built over the test world.

`same` cases send the very same request over HTTP and gRPC: reads, and writes that are idempotent or refused
without changing anything. `twin` cases change state, so each wire gets its own request, alike but for a unique
token (a name or version); the answers must then be equal with the token blanked out, and so must what each
created (`effect`, read back over gRPC). `cleanup` stops what a twin started.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import grpc
from flyteidl.admin import (
    common_pb2,
    description_entity_pb2,
    event_pb2,
    execution_pb2,
    launch_plan_pb2,
    matchable_resource_pb2,
    node_execution_pb2,
    project_attributes_pb2,
    project_domain_attributes_pb2,
    project_pb2,
    signal_pb2,
    task_execution_pb2,
    task_pb2,
    version_pb2,
    workflow_attributes_pb2,
    workflow_pb2,
)
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.event import event_pb2 as core_event_pb2
from flyteidl.service import auth_pb2, dataproxy_pb2, identity_pb2
from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.message import Message
from tests.integration.gateway.world import DOMAIN, EXTRA_SIGNAL, FLOW, QUEUE, World, integers

Build = Callable[[World, str], list[Message]]


@dataclass(frozen=True)
class Case:
    build: Build  # one request per binding of the RPC, in binding order; the str is the twin token
    twin: bool = False
    effect: Callable[[World, str], Message] | None = None
    cleanup: Callable[[World, str], None] | None = None
    codes: tuple[grpc.StatusCode, ...] = ()  # the answer expected on both wires, per binding; OK if not given

    def code(self, index: int) -> grpc.StatusCode:
        return self.codes[index] if index < len(self.codes) else grpc.StatusCode.OK


def same(build: Callable[[World], Message | list[Message]], *codes: grpc.StatusCode) -> Case:
    def requests(world: World, _token: str) -> list[Message]:
        built = build(world)
        return built if isinstance(built, list) else [built]

    return Case(requests, codes=codes)


def twin(
    build: Callable[[World, str], Message],
    effect: Callable[[World, str], Message] | None = None,
    cleanup: Callable[[World, str], None] | None = None,
) -> Case:
    return Case(lambda world, token: [build(world, token)], True, effect, cleanup)


def now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc))
    return stamp


def named(world: World, name: str) -> common_pb2.NamedEntityIdentifier:
    return common_pb2.NamedEntityIdentifier(project=world.project, domain=DOMAIN, name=f"{FLOW}.{name}")


def in_project(world: World) -> common_pb2.NamedEntityIdentifier:
    return common_pb2.NamedEntityIdentifier(project=world.project, domain=DOMAIN)


def versioned(identifier: identifier_pb2.Identifier, version: str) -> identifier_pb2.Identifier:
    copy = identifier_pb2.Identifier()
    copy.CopyFrom(identifier)
    copy.version = version
    return copy


def listing(identifier: common_pb2.NamedEntityIdentifier) -> common_pb2.ResourceListRequest:
    return common_pb2.ResourceListRequest(
        id=identifier, limit=20, sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING)
    )


# --- registry: tasks, workflows, launch plans -------------------------------------------------------------------


def create_task(world: World, token: str) -> Message:
    template = world.admin.GetTask(common_pb2.ObjectGetRequest(id=world.task)).closure.compiled_task.template
    template.id.version = token
    return task_pb2.TaskCreateRequest(id=template.id, spec=task_pb2.TaskSpec(template=template))


def create_workflow(world: World, token: str) -> Message:
    compiled = world.admin.GetWorkflow(common_pb2.ObjectGetRequest(id=world.workflow)).closure.compiled_workflow
    template = compiled.primary.template
    template.id.version = token
    return workflow_pb2.WorkflowCreateRequest(id=template.id, spec=workflow_pb2.WorkflowSpec(template=template))


def create_launch_plan(world: World, token: str) -> Message:
    spec = world.admin.GetLaunchPlan(common_pb2.ObjectGetRequest(id=world.launch_plan)).spec
    return launch_plan_pb2.LaunchPlanCreateRequest(id=versioned(world.launch_plan, token), spec=spec)


def read_back(kind: str) -> Callable[[World, str], Message]:
    """The entity a create made, without the time it was made at."""

    def read(world: World, token: str) -> Message:
        base = {"task": world.task, "workflow": world.workflow, "launch_plan": world.launch_plan}[kind]
        getter = {"task": world.admin.GetTask, "workflow": world.admin.GetWorkflow}.get(kind, world.admin.GetLaunchPlan)
        found = getter(common_pb2.ObjectGetRequest(id=versioned(base, token)))
        found.closure.ClearField("created_at")
        if kind == "launch_plan":
            found.closure.ClearField("updated_at")
        return found

    return read


# --- executions --------------------------------------------------------------------------------------------------


def create_execution(world: World, token: str) -> Message:
    plan = identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN,
        project=world.scratch,
        domain=DOMAIN,
        name=f"{FLOW}.echo",
        version="v1",
    )
    spec = execution_pb2.ExecutionSpec(
        launch_plan=plan, metadata=execution_pb2.ExecutionMetadata(mode=execution_pb2.ExecutionMetadata.MANUAL)
    )
    return execution_pb2.ExecutionCreateRequest(
        project=world.scratch, domain=DOMAIN, name=token, spec=spec, inputs=integers(x=4)
    )


def scratch_execution(world: World, token: str) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(project=world.scratch, domain=DOMAIN, name=token)


def spec_of(world: World, token: str) -> Message:
    return world.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=scratch_execution(world, token))).spec


def stop(world: World, token: str) -> None:
    world.terminate(scratch_execution(world, token))


def napping_to_terminate(world: World, token: str) -> Message:
    """A fresh execution of a long nap, stopped over the wire under test."""
    world.launch(world.scratch, token, "napping", integers(seconds=600))
    return execution_pb2.ExecutionTerminateRequest(id=scratch_execution(world, token), cause="stopped by the test")


def terminated(world: World, token: str) -> Message:
    ended = world.wait(scratch_execution(world, token))
    return execution_pb2.ExecutionClosure(phase=ended.closure.phase)


# --- events: the finished execution refuses them (FAILED_PRECONDITION) and stays as it was -------------------------


def workflow_event(world: World) -> Message:
    return event_pb2.WorkflowExecutionEventRequest(
        request_id="gateway",
        event=core_event_pb2.WorkflowExecutionEvent(
            execution_id=world.finished,
            producer_id="propeller",
            phase=core_execution_pb2.WorkflowExecution.RUNNING,
            occurred_at=now(),
        ),
    )


def node_event(world: World) -> Message:
    return event_pb2.NodeExecutionEventRequest(
        request_id="gateway",
        event=core_event_pb2.NodeExecutionEvent(
            id=world.node,
            producer_id="propeller",
            phase=core_execution_pb2.NodeExecution.RUNNING,
            occurred_at=now(),
            input_uri="s3://nowhere/inputs.pb",
        ),
    )


def task_event(world: World) -> Message:
    return event_pb2.TaskExecutionEventRequest(
        request_id="gateway",
        event=core_event_pb2.TaskExecutionEvent(
            task_id=world.attempt.task_id,
            parent_node_execution_id=world.attempt.node_execution_id,
            retry_attempt=world.attempt.retry_attempt,
            producer_id="propeller",
            phase=core_execution_pb2.TaskExecution.RUNNING,
            occurred_at=now(),
        ),
    )


# --- matchable attributes ------------------------------------------------------------------------------------------


def fresh_project(world: World, token: str) -> None:
    world.admin.RegisterProject(project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id=token, name=token)))


def delete_project_domain_attributes(world: World, token: str) -> Message:
    fresh_project(world, token)
    world.admin.UpdateProjectDomainAttributes(project_domain_update(token))
    return project_domain_attributes_pb2.ProjectDomainAttributesDeleteRequest(
        project=token, domain=DOMAIN, resource_type=matchable_resource_pb2.EXECUTION_QUEUE
    )


def delete_project_attributes(world: World, token: str) -> Message:
    fresh_project(world, token)
    world.admin.UpdateProjectAttributes(project_update(token))
    return project_attributes_pb2.ProjectAttributesDeleteRequest(
        project=token, resource_type=matchable_resource_pb2.EXECUTION_QUEUE
    )


def delete_workflow_attributes(world: World, token: str) -> Message:
    fresh_project(world, token)
    world.admin.UpdateWorkflowAttributes(workflow_update(token))
    return workflow_attributes_pb2.WorkflowAttributesDeleteRequest(
        project=token,
        domain=DOMAIN,
        workflow=f"{FLOW}.arithmetic",
        resource_type=matchable_resource_pb2.EXECUTION_QUEUE,
    )


def project_domain_update(project: str) -> Message:
    return project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest(
        attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
            project=project, domain=DOMAIN, matching_attributes=QUEUE
        )
    )


def project_update(project: str) -> Message:
    return project_attributes_pb2.ProjectAttributesUpdateRequest(
        attributes=project_attributes_pb2.ProjectAttributes(project=project, matching_attributes=QUEUE)
    )


def workflow_update(project: str) -> Message:
    return workflow_attributes_pb2.WorkflowAttributesUpdateRequest(
        attributes=workflow_attributes_pb2.WorkflowAttributes(
            project=project, domain=DOMAIN, workflow=f"{FLOW}.arithmetic", matching_attributes=QUEUE
        )
    )


def ten_minutes() -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=600)


CASES: dict[str, Case] = {
    # AdminService: tasks, workflows, launch plans
    "CreateTask": twin(create_task, read_back("task")),
    "GetTask": same(lambda w: common_pb2.ObjectGetRequest(id=w.task)),
    "ListTaskIds": same(
        lambda w: common_pb2.NamedEntityIdentifierListRequest(project=w.project, domain=DOMAIN, limit=50)
    ),
    "ListTasks": same(lambda w: [listing(named(w, "double")), listing(in_project(w))]),
    "CreateWorkflow": twin(create_workflow, read_back("workflow")),
    "GetWorkflow": same(lambda w: common_pb2.ObjectGetRequest(id=w.workflow)),
    "ListWorkflowIds": same(
        lambda w: common_pb2.NamedEntityIdentifierListRequest(project=w.project, domain=DOMAIN, limit=50)
    ),
    "ListWorkflows": same(lambda w: [listing(named(w, "arithmetic")), listing(in_project(w))]),
    "CreateLaunchPlan": twin(create_launch_plan, read_back("launch_plan")),
    "GetLaunchPlan": same(lambda w: common_pb2.ObjectGetRequest(id=w.launch_plan)),
    "GetActiveLaunchPlan": same(lambda w: launch_plan_pb2.ActiveLaunchPlanRequest(id=named(w, "arithmetic"))),
    "ListActiveLaunchPlans": same(
        lambda w: launch_plan_pb2.ActiveLaunchPlanListRequest(project=w.project, domain=DOMAIN, limit=10)
    ),
    "ListLaunchPlanIds": same(
        lambda w: common_pb2.NamedEntityIdentifierListRequest(project=w.project, domain=DOMAIN, limit=50)
    ),
    "ListLaunchPlans": same(lambda w: [listing(named(w, "arithmetic")), listing(in_project(w))]),
    "UpdateLaunchPlan": same(
        lambda w: launch_plan_pb2.LaunchPlanUpdateRequest(id=w.launch_plan, state=launch_plan_pb2.ACTIVE)
    ),
    # executions
    "CreateExecution": twin(create_execution, spec_of, stop),
    "RelaunchExecution": twin(
        lambda w, t: execution_pb2.ExecutionRelaunchRequest(id=w.scratch_finished, name=t), spec_of, stop
    ),
    "RecoverExecution": twin(
        lambda w, t: execution_pb2.ExecutionRecoverRequest(id=w.scratch_finished, name=t), spec_of, stop
    ),
    "GetExecution": same(lambda w: execution_pb2.WorkflowExecutionGetRequest(id=w.finished)),
    "UpdateExecution": same(
        lambda w: execution_pb2.ExecutionUpdateRequest(id=w.finished, state=execution_pb2.EXECUTION_ACTIVE)
    ),
    "GetExecutionData": same(lambda w: execution_pb2.WorkflowExecutionGetDataRequest(id=w.finished)),
    "ListExecutions": same(
        lambda w: common_pb2.ResourceListRequest(
            id=in_project(w),
            limit=10,
            filters="value_in(phase,SUCCEEDED;FAILED)",
            sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.ASCENDING),
        )
    ),
    "TerminateExecution": twin(napping_to_terminate, terminated),
    "GetExecutionMetrics": same(lambda w: execution_pb2.WorkflowExecutionGetMetricsRequest(id=w.finished, depth=4)),
    # node and task executions
    "GetNodeExecution": same(lambda w: node_execution_pb2.NodeExecutionGetRequest(id=w.node)),
    "GetDynamicNodeWorkflow": same(lambda w: node_execution_pb2.GetDynamicNodeWorkflowRequest(id=w.dynamic_node)),
    "ListNodeExecutions": same(
        lambda w: node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=w.finished, limit=10)
    ),
    "ListNodeExecutionsForTask": same(
        lambda w: node_execution_pb2.NodeExecutionForTaskListRequest(task_execution_id=w.dynamic_attempt, limit=10)
    ),
    "GetNodeExecutionData": same(lambda w: node_execution_pb2.NodeExecutionGetDataRequest(id=w.node)),
    "GetTaskExecution": same(lambda w: task_execution_pb2.TaskExecutionGetRequest(id=w.attempt)),
    "ListTaskExecutions": same(
        lambda w: task_execution_pb2.TaskExecutionListRequest(node_execution_id=w.node, limit=10)
    ),
    "GetTaskExecutionData": same(lambda w: task_execution_pb2.TaskExecutionGetDataRequest(id=w.attempt)),
    "CreateWorkflowEvent": same(workflow_event, grpc.StatusCode.FAILED_PRECONDITION),
    "CreateNodeEvent": same(node_event, grpc.StatusCode.FAILED_PRECONDITION),
    "CreateTaskEvent": same(task_event, grpc.StatusCode.FAILED_PRECONDITION),
    # projects, domains, version
    "RegisterProject": twin(
        lambda w, t: project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id=t, name=t, description="d")),
        lambda w, t: w.admin.GetProject(project_pb2.ProjectGetRequest(id=t)),
    ),
    "UpdateProject": same(
        lambda w: project_pb2.Project(id=w.project, name=w.project, description="read by the HTTP API tests")
    ),
    "GetProject": same(lambda w: project_pb2.ProjectGetRequest(id=w.project)),
    "ListProjects": same(
        lambda w: project_pb2.ProjectListRequest(
            limit=100, sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING)
        )
    ),
    "GetDomains": same(lambda w: project_pb2.GetDomainRequest()),
    "GetVersion": same(lambda w: version_pb2.GetVersionRequest()),
    # matchable attributes
    "UpdateProjectDomainAttributes": same(lambda w: project_domain_update(w.project)),
    "GetProjectDomainAttributes": same(
        lambda w: project_domain_attributes_pb2.ProjectDomainAttributesGetRequest(
            project=w.project, domain=DOMAIN, resource_type=matchable_resource_pb2.EXECUTION_QUEUE
        )
    ),
    "DeleteProjectDomainAttributes": twin(delete_project_domain_attributes),
    "UpdateProjectAttributes": same(lambda w: project_update(w.project)),
    "GetProjectAttributes": same(
        lambda w: project_attributes_pb2.ProjectAttributesGetRequest(
            project=w.project, resource_type=matchable_resource_pb2.EXECUTION_QUEUE
        )
    ),
    "DeleteProjectAttributes": twin(delete_project_attributes),
    "UpdateWorkflowAttributes": same(lambda w: workflow_update(w.project)),
    "GetWorkflowAttributes": same(
        lambda w: workflow_attributes_pb2.WorkflowAttributesGetRequest(
            project=w.project,
            domain=DOMAIN,
            workflow=f"{FLOW}.arithmetic",
            resource_type=matchable_resource_pb2.EXECUTION_QUEUE,
        )
    ),
    "DeleteWorkflowAttributes": twin(delete_workflow_attributes),
    "ListMatchableAttributes": same(
        lambda w: matchable_resource_pb2.ListMatchableAttributesRequest(
            resource_type=matchable_resource_pb2.EXECUTION_QUEUE
        )
    ),
    # named entities and descriptions
    "ListNamedEntities": same(
        lambda w: common_pb2.NamedEntityListRequest(
            resource_type=identifier_pb2.TASK,
            project=w.project,
            domain=DOMAIN,
            limit=10,
            sort_by=common_pb2.Sort(key="name", direction=common_pb2.Sort.ASCENDING),
        )
    ),
    "GetNamedEntity": same(
        lambda w: common_pb2.NamedEntityGetRequest(resource_type=identifier_pb2.TASK, id=named(w, "double"))
    ),
    "UpdateNamedEntity": same(
        lambda w: common_pb2.NamedEntityUpdateRequest(
            resource_type=identifier_pb2.TASK,
            id=named(w, "double"),
            metadata=common_pb2.NamedEntityMetadata(description="doubles", state=common_pb2.NAMED_ENTITY_ACTIVE),
        )
    ),
    "GetDescriptionEntity": same(lambda w: common_pb2.ObjectGetRequest(id=w.workflow)),
    "ListDescriptionEntities": same(
        lambda w: [
            description_entity_pb2.DescriptionEntityListRequest(
                resource_type=identifier_pb2.WORKFLOW, id=named(w, "arithmetic"), limit=10
            ),
            description_entity_pb2.DescriptionEntityListRequest(
                resource_type=identifier_pb2.WORKFLOW, id=in_project(w), limit=10
            ),
        ],
        grpc.StatusCode.OK,
        grpc.StatusCode.INVALID_ARGUMENT,  # flyteadmin lists descriptions of one name only ("missing name")
    ),
    # DataProxyService
    "CreateUploadLocation": same(
        lambda w: dataproxy_pb2.CreateUploadLocationRequest(
            project=w.project,
            domain=DOMAIN,
            filename="later.txt",
            expires_in=ten_minutes(),
            content_md5=hashlib.md5(b"later").digest(),
        )
    ),
    "CreateDownloadLocation": same(
        lambda w: dataproxy_pb2.CreateDownloadLocationRequest(native_url=w.blob, expires_in=ten_minutes())
    ),
    "CreateDownloadLink": same(
        lambda w: dataproxy_pb2.CreateDownloadLinkRequest(
            artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK, node_execution_id=w.node, expires_in=ten_minutes()
        )
    ),
    "GetData": same(
        lambda w: dataproxy_pb2.GetDataRequest(flyte_url=f"flyte://v1/{w.project}/{DOMAIN}/{w.finished.name}/n0/o")
    ),
    # SignalService
    "ListSignals": same(lambda w: signal_pb2.SignalListRequest(workflow_execution_id=w.gate, limit=10)),
    "SetSignal": same(
        lambda w: signal_pb2.SignalSetRequest(
            id=identifier_pb2.SignalIdentifier(signal_id=EXTRA_SIGNAL, execution_id=w.gate),
            value=literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=True))),
        )
    ),
    # AuthMetadataService, IdentityService
    "GetOAuth2Metadata": same(lambda w: auth_pb2.OAuth2MetadataRequest()),
    "GetPublicClientConfig": same(lambda w: auth_pb2.PublicClientAuthConfigRequest()),
    "UserInfo": same(lambda w: identity_pb2.UserInfoRequest()),
}
