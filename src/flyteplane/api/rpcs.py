"""The five services of flyteidl 1.16 that flyteplane serves, wired to the service layer: one table of RPCs that
both wires (the gRPC handlers and the HTTP gateway) are built from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.service import admin_pb2, auth_pb2, dataproxy_pb2, identity_pb2, signal_pb2
from google.protobuf.descriptor import ServiceDescriptor

from flyteplane.errors import PermissionDenied
from flyteplane.services import Services

__all__ = ["EVENT_RPCS", "Rpcs", "ServiceImplementation", "service_implementations"]


class Rpcs:
    """An implementation object whose attributes are RPC names bound to service methods."""

    def __init__(self, **methods: Any) -> None:
        self.__dict__.update(methods)


ServiceImplementation = tuple[ServiceDescriptor, Rpcs]


EVENT_RPCS = ("CreateWorkflowEvent", "CreateNodeEvent", "CreateTaskEvent")


def refused_event(rpc: str) -> Callable[[Any], Any]:
    """An event RPC closed to callers: the engine reports its progress in-process (the EventSink port), so an
    event arriving over the wire comes from someone else, who could otherwise rewrite any execution's outcome."""

    def refuse(_request: Any) -> Any:
        raise PermissionDenied(
            f"{rpc}: events from outside the engine are refused; set accept_external_events: true "
            "(FLYTEPLANE_ACCEPT_EXTERNAL_EVENTS) to allow them"
        )

    return refuse


def admin_rpcs(s: Services, *, accept_external_events: bool = False) -> Rpcs:
    return Rpcs(
        CreateTask=s.tasks.create_task,
        GetTask=s.tasks.get_task,
        ListTaskIds=s.tasks.list_task_ids,
        ListTasks=s.tasks.list_tasks,
        CreateWorkflow=s.workflows.create_workflow,
        GetWorkflow=s.workflows.get_workflow,
        ListWorkflowIds=s.workflows.list_workflow_ids,
        ListWorkflows=s.workflows.list_workflows,
        CreateLaunchPlan=s.launch_plans.create_launch_plan,
        GetLaunchPlan=s.launch_plans.get_launch_plan,
        GetActiveLaunchPlan=s.launch_plans.get_active_launch_plan,
        ListActiveLaunchPlans=s.launch_plans.list_active_launch_plans,
        ListLaunchPlanIds=s.launch_plans.list_launch_plan_ids,
        ListLaunchPlans=s.launch_plans.list_launch_plans,
        UpdateLaunchPlan=s.launch_plans.update_launch_plan,
        RegisterProject=s.projects.register_project,
        UpdateProject=s.projects.update_project,
        GetProject=s.projects.get_project,
        ListProjects=s.projects.list_projects,
        GetDomains=s.projects.get_domains,
        UpdateProjectDomainAttributes=s.attributes.update_project_domain_attributes,
        GetProjectDomainAttributes=s.attributes.get_project_domain_attributes,
        DeleteProjectDomainAttributes=s.attributes.delete_project_domain_attributes,
        UpdateProjectAttributes=s.attributes.update_project_attributes,
        GetProjectAttributes=s.attributes.get_project_attributes,
        DeleteProjectAttributes=s.attributes.delete_project_attributes,
        UpdateWorkflowAttributes=s.attributes.update_workflow_attributes,
        GetWorkflowAttributes=s.attributes.get_workflow_attributes,
        DeleteWorkflowAttributes=s.attributes.delete_workflow_attributes,
        ListMatchableAttributes=s.attributes.list_matchable_attributes,
        ListNamedEntities=s.named_entities.list_named_entities,
        GetNamedEntity=s.named_entities.get_named_entity,
        UpdateNamedEntity=s.named_entities.update_named_entity,
        GetVersion=s.identity.get_version,
        GetDescriptionEntity=s.descriptions.get_description_entity,
        ListDescriptionEntities=s.descriptions.list_description_entities,
        **execution_rpcs(s, accept_external_events=accept_external_events),
    )


def execution_rpcs(s: Services, *, accept_external_events: bool = False) -> dict[str, Any]:
    """The AdminService RPCs of executions, node and task executions, and the events that move them (refused
    unless `accept_external_events`)."""
    rpcs: dict[str, Any] = {
        "CreateExecution": s.executions.create_execution,
        "RelaunchExecution": s.executions.relaunch_execution,
        "RecoverExecution": s.executions.recover_execution,
        "GetExecution": s.executions.get_execution,
        "UpdateExecution": s.executions.update_execution,
        "GetExecutionData": s.executions.get_execution_data,
        "ListExecutions": s.executions.list_executions,
        "TerminateExecution": s.executions.terminate_execution,
        "GetExecutionMetrics": s.execution_metrics.get_execution_metrics,
        "GetNodeExecution": s.node_executions.get_node_execution,
        "GetDynamicNodeWorkflow": s.node_executions.get_dynamic_node_workflow,
        "ListNodeExecutions": s.node_executions.list_node_executions,
        "ListNodeExecutionsForTask": s.node_executions.list_node_executions_for_task,
        "GetNodeExecutionData": s.node_executions.get_node_execution_data,
        "GetTaskExecution": s.task_executions.get_task_execution,
        "ListTaskExecutions": s.task_executions.list_task_executions,
        "GetTaskExecutionData": s.task_executions.get_task_execution_data,
        "CreateWorkflowEvent": s.events.create_workflow_event,
        "CreateNodeEvent": s.events.create_node_event,
        "CreateTaskEvent": s.events.create_task_event,
    }
    if not accept_external_events:
        rpcs.update({rpc: refused_event(rpc) for rpc in EVENT_RPCS})
    return rpcs


def service_implementations(s: Services, *, accept_external_events: bool = False) -> list[ServiceImplementation]:
    """AdminService, DataProxyService, SignalService, AuthMetadataService and IdentityService, each with its table
    of RPCs: the one mapping both the gRPC handlers and the HTTP gateway's routes are built from. The event RPCs
    answer PERMISSION_DENIED unless `accept_external_events`."""

    def service(module: Any, name: str, rpcs: Rpcs) -> ServiceImplementation:
        return module.DESCRIPTOR.services_by_name[name], rpcs

    return [
        service(admin_pb2, "AdminService", admin_rpcs(s, accept_external_events=accept_external_events)),
        service(
            dataproxy_pb2,
            "DataProxyService",
            Rpcs(
                CreateUploadLocation=s.dataproxy.create_upload_location,
                CreateDownloadLocation=s.dataproxy.create_download_location,
                CreateDownloadLink=s.dataproxy.create_download_link,
                GetData=s.flyte_urls.get_data,
            ),
        ),
        service(
            signal_pb2,
            "SignalService",
            Rpcs(
                GetOrCreateSignal=s.signals.get_or_create_signal,
                ListSignals=s.signals.list_signals,
                SetSignal=s.signals.set_signal,
            ),
        ),
        service(
            auth_pb2,
            "AuthMetadataService",
            Rpcs(
                GetOAuth2Metadata=s.identity.get_oauth2_metadata,
                GetPublicClientConfig=s.identity.get_public_client_config,
            ),
        ),
        service(identity_pb2, "IdentityService", Rpcs(UserInfo=s.identity.user_info)),
    ]
