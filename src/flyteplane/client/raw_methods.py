"""The raw clients' methods: one per RPC of the five services, as snake_case and as the RPC's own name.

`client.create_task(request)` and `client.CreateTask(request)` are the same method. Each takes the RPC's request
message (or None for an empty one) and returns its response message; a test checks no RPC is missing.
"""

from __future__ import annotations

from flyteplane.client.rpc_method import AsyncInvoker, RpcMethod, SyncInvoker
from flyteplane.client.rpcs import ADMIN, AUTH_METADATA, DATA_PROXY, IDENTITY, SIGNAL

__all__ = [
    "AdminServiceMethods",
    "AsyncRawRpcs",
    "AuthMetadataServiceMethods",
    "DataProxyServiceMethods",
    "IdentityServiceMethods",
    "RawRpcMethods",
    "SignalServiceMethods",
    "SyncRawRpcs",
]


class AdminServiceMethods:
    """flyteidl.service.AdminService"""

    # Tasks
    create_task = CreateTask = RpcMethod(ADMIN["CreateTask"])
    get_task = GetTask = RpcMethod(ADMIN["GetTask"])
    list_task_ids = ListTaskIds = RpcMethod(ADMIN["ListTaskIds"])
    list_tasks = ListTasks = RpcMethod(ADMIN["ListTasks"])

    # Workflows
    create_workflow = CreateWorkflow = RpcMethod(ADMIN["CreateWorkflow"])
    get_workflow = GetWorkflow = RpcMethod(ADMIN["GetWorkflow"])
    list_workflow_ids = ListWorkflowIds = RpcMethod(ADMIN["ListWorkflowIds"])
    list_workflows = ListWorkflows = RpcMethod(ADMIN["ListWorkflows"])

    # Launch plans
    create_launch_plan = CreateLaunchPlan = RpcMethod(ADMIN["CreateLaunchPlan"])
    get_launch_plan = GetLaunchPlan = RpcMethod(ADMIN["GetLaunchPlan"])
    get_active_launch_plan = GetActiveLaunchPlan = RpcMethod(ADMIN["GetActiveLaunchPlan"])
    list_active_launch_plans = ListActiveLaunchPlans = RpcMethod(ADMIN["ListActiveLaunchPlans"])
    list_launch_plan_ids = ListLaunchPlanIds = RpcMethod(ADMIN["ListLaunchPlanIds"])
    list_launch_plans = ListLaunchPlans = RpcMethod(ADMIN["ListLaunchPlans"])
    update_launch_plan = UpdateLaunchPlan = RpcMethod(ADMIN["UpdateLaunchPlan"])

    # Workflow executions
    create_execution = CreateExecution = RpcMethod(ADMIN["CreateExecution"])
    relaunch_execution = RelaunchExecution = RpcMethod(ADMIN["RelaunchExecution"])
    recover_execution = RecoverExecution = RpcMethod(ADMIN["RecoverExecution"])
    get_execution = GetExecution = RpcMethod(ADMIN["GetExecution"])
    update_execution = UpdateExecution = RpcMethod(ADMIN["UpdateExecution"])
    get_execution_data = GetExecutionData = RpcMethod(ADMIN["GetExecutionData"])
    list_executions = ListExecutions = RpcMethod(ADMIN["ListExecutions"])
    terminate_execution = TerminateExecution = RpcMethod(ADMIN["TerminateExecution"])

    # Node executions
    get_node_execution = GetNodeExecution = RpcMethod(ADMIN["GetNodeExecution"])
    get_dynamic_node_workflow = GetDynamicNodeWorkflow = RpcMethod(ADMIN["GetDynamicNodeWorkflow"])
    list_node_executions = ListNodeExecutions = RpcMethod(ADMIN["ListNodeExecutions"])
    list_node_executions_for_task = ListNodeExecutionsForTask = RpcMethod(ADMIN["ListNodeExecutionsForTask"])
    get_node_execution_data = GetNodeExecutionData = RpcMethod(ADMIN["GetNodeExecutionData"])

    # Projects and domains
    register_project = RegisterProject = RpcMethod(ADMIN["RegisterProject"])
    update_project = UpdateProject = RpcMethod(ADMIN["UpdateProject"])
    get_project = GetProject = RpcMethod(ADMIN["GetProject"])
    list_projects = ListProjects = RpcMethod(ADMIN["ListProjects"])
    get_domains = GetDomains = RpcMethod(ADMIN["GetDomains"])

    # Events (sent by the engine, not by users)
    create_workflow_event = CreateWorkflowEvent = RpcMethod(ADMIN["CreateWorkflowEvent"])
    create_node_event = CreateNodeEvent = RpcMethod(ADMIN["CreateNodeEvent"])
    create_task_event = CreateTaskEvent = RpcMethod(ADMIN["CreateTaskEvent"])

    # Task executions
    get_task_execution = GetTaskExecution = RpcMethod(ADMIN["GetTaskExecution"])
    list_task_executions = ListTaskExecutions = RpcMethod(ADMIN["ListTaskExecutions"])
    get_task_execution_data = GetTaskExecutionData = RpcMethod(ADMIN["GetTaskExecutionData"])

    # Matchable attributes
    update_project_domain_attributes = UpdateProjectDomainAttributes = RpcMethod(ADMIN["UpdateProjectDomainAttributes"])
    get_project_domain_attributes = GetProjectDomainAttributes = RpcMethod(ADMIN["GetProjectDomainAttributes"])
    delete_project_domain_attributes = DeleteProjectDomainAttributes = RpcMethod(ADMIN["DeleteProjectDomainAttributes"])
    update_project_attributes = UpdateProjectAttributes = RpcMethod(ADMIN["UpdateProjectAttributes"])
    get_project_attributes = GetProjectAttributes = RpcMethod(ADMIN["GetProjectAttributes"])
    delete_project_attributes = DeleteProjectAttributes = RpcMethod(ADMIN["DeleteProjectAttributes"])
    update_workflow_attributes = UpdateWorkflowAttributes = RpcMethod(ADMIN["UpdateWorkflowAttributes"])
    get_workflow_attributes = GetWorkflowAttributes = RpcMethod(ADMIN["GetWorkflowAttributes"])
    delete_workflow_attributes = DeleteWorkflowAttributes = RpcMethod(ADMIN["DeleteWorkflowAttributes"])
    list_matchable_attributes = ListMatchableAttributes = RpcMethod(ADMIN["ListMatchableAttributes"])

    # Named entities
    list_named_entities = ListNamedEntities = RpcMethod(ADMIN["ListNamedEntities"])
    get_named_entity = GetNamedEntity = RpcMethod(ADMIN["GetNamedEntity"])
    update_named_entity = UpdateNamedEntity = RpcMethod(ADMIN["UpdateNamedEntity"])

    # Version
    get_version = GetVersion = RpcMethod(ADMIN["GetVersion"])

    # Description entities
    get_description_entity = GetDescriptionEntity = RpcMethod(ADMIN["GetDescriptionEntity"])
    list_description_entities = ListDescriptionEntities = RpcMethod(ADMIN["ListDescriptionEntities"])

    # Execution metrics
    get_execution_metrics = GetExecutionMetrics = RpcMethod(ADMIN["GetExecutionMetrics"])


class DataProxyServiceMethods:
    """flyteidl.service.DataProxyService"""

    create_upload_location = CreateUploadLocation = RpcMethod(DATA_PROXY["CreateUploadLocation"])
    create_download_location = CreateDownloadLocation = RpcMethod(DATA_PROXY["CreateDownloadLocation"])
    create_download_link = CreateDownloadLink = RpcMethod(DATA_PROXY["CreateDownloadLink"])
    get_data = GetData = RpcMethod(DATA_PROXY["GetData"])


class SignalServiceMethods:
    """flyteidl.service.SignalService"""

    get_or_create_signal = GetOrCreateSignal = RpcMethod(SIGNAL["GetOrCreateSignal"])
    list_signals = ListSignals = RpcMethod(SIGNAL["ListSignals"])
    set_signal = SetSignal = RpcMethod(SIGNAL["SetSignal"])


class AuthMetadataServiceMethods:
    """flyteidl.service.AuthMetadataService"""

    get_oauth2_metadata = GetOAuth2Metadata = RpcMethod(AUTH_METADATA["GetOAuth2Metadata"])
    get_public_client_config = GetPublicClientConfig = RpcMethod(AUTH_METADATA["GetPublicClientConfig"])


class IdentityServiceMethods:
    """flyteidl.service.IdentityService"""

    user_info = UserInfo = RpcMethod(IDENTITY["UserInfo"])


class RawRpcMethods(
    AdminServiceMethods,
    DataProxyServiceMethods,
    SignalServiceMethods,
    AuthMetadataServiceMethods,
    IdentityServiceMethods,
):
    """Every RPC of the five services."""


class SyncRawRpcs(RawRpcMethods, SyncInvoker):
    """A blocking raw client: every RPC method, sent through `invoke` (a seam for fakes in tests)."""


class AsyncRawRpcs(RawRpcMethods, AsyncInvoker):
    """An asyncio raw client: every RPC method, awaitable, sent through `invoke`."""
