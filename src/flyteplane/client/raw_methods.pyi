# Generated from flyteidl's service descriptors by `python -m flyteplane.client.raw_stub`: do not edit.
"""Types of `raw_methods`: each RPC's method with its request and response messages."""

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
from flyteidl.service import auth_pb2, dataproxy_pb2, identity_pb2

from flyteplane.client.rpc_method import RpcMethod

__all__ = ["RawRpcMethods"]

class RawRpcMethods:
    """Every RPC of the five services, as a method."""

    # flyteidl.service.AdminService
    create_task: RpcMethod[task_pb2.TaskCreateRequest, task_pb2.TaskCreateResponse]
    CreateTask = create_task
    get_task: RpcMethod[common_pb2.ObjectGetRequest, task_pb2.Task]
    GetTask = get_task
    list_task_ids: RpcMethod[common_pb2.NamedEntityIdentifierListRequest, common_pb2.NamedEntityIdentifierList]
    ListTaskIds = list_task_ids
    list_tasks: RpcMethod[common_pb2.ResourceListRequest, task_pb2.TaskList]
    ListTasks = list_tasks
    create_workflow: RpcMethod[workflow_pb2.WorkflowCreateRequest, workflow_pb2.WorkflowCreateResponse]
    CreateWorkflow = create_workflow
    get_workflow: RpcMethod[common_pb2.ObjectGetRequest, workflow_pb2.Workflow]
    GetWorkflow = get_workflow
    list_workflow_ids: RpcMethod[common_pb2.NamedEntityIdentifierListRequest, common_pb2.NamedEntityIdentifierList]
    ListWorkflowIds = list_workflow_ids
    list_workflows: RpcMethod[common_pb2.ResourceListRequest, workflow_pb2.WorkflowList]
    ListWorkflows = list_workflows
    create_launch_plan: RpcMethod[launch_plan_pb2.LaunchPlanCreateRequest, launch_plan_pb2.LaunchPlanCreateResponse]
    CreateLaunchPlan = create_launch_plan
    get_launch_plan: RpcMethod[common_pb2.ObjectGetRequest, launch_plan_pb2.LaunchPlan]
    GetLaunchPlan = get_launch_plan
    get_active_launch_plan: RpcMethod[launch_plan_pb2.ActiveLaunchPlanRequest, launch_plan_pb2.LaunchPlan]
    GetActiveLaunchPlan = get_active_launch_plan
    list_active_launch_plans: RpcMethod[launch_plan_pb2.ActiveLaunchPlanListRequest, launch_plan_pb2.LaunchPlanList]
    ListActiveLaunchPlans = list_active_launch_plans
    list_launch_plan_ids: RpcMethod[common_pb2.NamedEntityIdentifierListRequest, common_pb2.NamedEntityIdentifierList]
    ListLaunchPlanIds = list_launch_plan_ids
    list_launch_plans: RpcMethod[common_pb2.ResourceListRequest, launch_plan_pb2.LaunchPlanList]
    ListLaunchPlans = list_launch_plans
    update_launch_plan: RpcMethod[launch_plan_pb2.LaunchPlanUpdateRequest, launch_plan_pb2.LaunchPlanUpdateResponse]
    UpdateLaunchPlan = update_launch_plan
    create_execution: RpcMethod[execution_pb2.ExecutionCreateRequest, execution_pb2.ExecutionCreateResponse]
    CreateExecution = create_execution
    relaunch_execution: RpcMethod[execution_pb2.ExecutionRelaunchRequest, execution_pb2.ExecutionCreateResponse]
    RelaunchExecution = relaunch_execution
    recover_execution: RpcMethod[execution_pb2.ExecutionRecoverRequest, execution_pb2.ExecutionCreateResponse]
    RecoverExecution = recover_execution
    get_execution: RpcMethod[execution_pb2.WorkflowExecutionGetRequest, execution_pb2.Execution]
    GetExecution = get_execution
    update_execution: RpcMethod[execution_pb2.ExecutionUpdateRequest, execution_pb2.ExecutionUpdateResponse]
    UpdateExecution = update_execution
    get_execution_data: RpcMethod[
        execution_pb2.WorkflowExecutionGetDataRequest, execution_pb2.WorkflowExecutionGetDataResponse
    ]
    GetExecutionData = get_execution_data
    list_executions: RpcMethod[common_pb2.ResourceListRequest, execution_pb2.ExecutionList]
    ListExecutions = list_executions
    terminate_execution: RpcMethod[execution_pb2.ExecutionTerminateRequest, execution_pb2.ExecutionTerminateResponse]
    TerminateExecution = terminate_execution
    get_node_execution: RpcMethod[node_execution_pb2.NodeExecutionGetRequest, node_execution_pb2.NodeExecution]
    GetNodeExecution = get_node_execution
    get_dynamic_node_workflow: RpcMethod[
        node_execution_pb2.GetDynamicNodeWorkflowRequest, node_execution_pb2.DynamicNodeWorkflowResponse
    ]
    GetDynamicNodeWorkflow = get_dynamic_node_workflow
    list_node_executions: RpcMethod[node_execution_pb2.NodeExecutionListRequest, node_execution_pb2.NodeExecutionList]
    ListNodeExecutions = list_node_executions
    list_node_executions_for_task: RpcMethod[
        node_execution_pb2.NodeExecutionForTaskListRequest, node_execution_pb2.NodeExecutionList
    ]
    ListNodeExecutionsForTask = list_node_executions_for_task
    get_node_execution_data: RpcMethod[
        node_execution_pb2.NodeExecutionGetDataRequest, node_execution_pb2.NodeExecutionGetDataResponse
    ]
    GetNodeExecutionData = get_node_execution_data
    register_project: RpcMethod[project_pb2.ProjectRegisterRequest, project_pb2.ProjectRegisterResponse]
    RegisterProject = register_project
    update_project: RpcMethod[project_pb2.Project, project_pb2.ProjectUpdateResponse]
    UpdateProject = update_project
    get_project: RpcMethod[project_pb2.ProjectGetRequest, project_pb2.Project]
    GetProject = get_project
    list_projects: RpcMethod[project_pb2.ProjectListRequest, project_pb2.Projects]
    ListProjects = list_projects
    get_domains: RpcMethod[project_pb2.GetDomainRequest, project_pb2.GetDomainsResponse]
    GetDomains = get_domains
    create_workflow_event: RpcMethod[event_pb2.WorkflowExecutionEventRequest, event_pb2.WorkflowExecutionEventResponse]
    CreateWorkflowEvent = create_workflow_event
    create_node_event: RpcMethod[event_pb2.NodeExecutionEventRequest, event_pb2.NodeExecutionEventResponse]
    CreateNodeEvent = create_node_event
    create_task_event: RpcMethod[event_pb2.TaskExecutionEventRequest, event_pb2.TaskExecutionEventResponse]
    CreateTaskEvent = create_task_event
    get_task_execution: RpcMethod[task_execution_pb2.TaskExecutionGetRequest, task_execution_pb2.TaskExecution]
    GetTaskExecution = get_task_execution
    list_task_executions: RpcMethod[task_execution_pb2.TaskExecutionListRequest, task_execution_pb2.TaskExecutionList]
    ListTaskExecutions = list_task_executions
    get_task_execution_data: RpcMethod[
        task_execution_pb2.TaskExecutionGetDataRequest, task_execution_pb2.TaskExecutionGetDataResponse
    ]
    GetTaskExecutionData = get_task_execution_data
    update_project_domain_attributes: RpcMethod[
        project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest,
        project_domain_attributes_pb2.ProjectDomainAttributesUpdateResponse,
    ]
    UpdateProjectDomainAttributes = update_project_domain_attributes
    get_project_domain_attributes: RpcMethod[
        project_domain_attributes_pb2.ProjectDomainAttributesGetRequest,
        project_domain_attributes_pb2.ProjectDomainAttributesGetResponse,
    ]
    GetProjectDomainAttributes = get_project_domain_attributes
    delete_project_domain_attributes: RpcMethod[
        project_domain_attributes_pb2.ProjectDomainAttributesDeleteRequest,
        project_domain_attributes_pb2.ProjectDomainAttributesDeleteResponse,
    ]
    DeleteProjectDomainAttributes = delete_project_domain_attributes
    update_project_attributes: RpcMethod[
        project_attributes_pb2.ProjectAttributesUpdateRequest, project_attributes_pb2.ProjectAttributesUpdateResponse
    ]
    UpdateProjectAttributes = update_project_attributes
    get_project_attributes: RpcMethod[
        project_attributes_pb2.ProjectAttributesGetRequest, project_attributes_pb2.ProjectAttributesGetResponse
    ]
    GetProjectAttributes = get_project_attributes
    delete_project_attributes: RpcMethod[
        project_attributes_pb2.ProjectAttributesDeleteRequest, project_attributes_pb2.ProjectAttributesDeleteResponse
    ]
    DeleteProjectAttributes = delete_project_attributes
    update_workflow_attributes: RpcMethod[
        workflow_attributes_pb2.WorkflowAttributesUpdateRequest,
        workflow_attributes_pb2.WorkflowAttributesUpdateResponse,
    ]
    UpdateWorkflowAttributes = update_workflow_attributes
    get_workflow_attributes: RpcMethod[
        workflow_attributes_pb2.WorkflowAttributesGetRequest, workflow_attributes_pb2.WorkflowAttributesGetResponse
    ]
    GetWorkflowAttributes = get_workflow_attributes
    delete_workflow_attributes: RpcMethod[
        workflow_attributes_pb2.WorkflowAttributesDeleteRequest,
        workflow_attributes_pb2.WorkflowAttributesDeleteResponse,
    ]
    DeleteWorkflowAttributes = delete_workflow_attributes
    list_matchable_attributes: RpcMethod[
        matchable_resource_pb2.ListMatchableAttributesRequest, matchable_resource_pb2.ListMatchableAttributesResponse
    ]
    ListMatchableAttributes = list_matchable_attributes
    list_named_entities: RpcMethod[common_pb2.NamedEntityListRequest, common_pb2.NamedEntityList]
    ListNamedEntities = list_named_entities
    get_named_entity: RpcMethod[common_pb2.NamedEntityGetRequest, common_pb2.NamedEntity]
    GetNamedEntity = get_named_entity
    update_named_entity: RpcMethod[common_pb2.NamedEntityUpdateRequest, common_pb2.NamedEntityUpdateResponse]
    UpdateNamedEntity = update_named_entity
    get_version: RpcMethod[version_pb2.GetVersionRequest, version_pb2.GetVersionResponse]
    GetVersion = get_version
    get_description_entity: RpcMethod[common_pb2.ObjectGetRequest, description_entity_pb2.DescriptionEntity]
    GetDescriptionEntity = get_description_entity
    list_description_entities: RpcMethod[
        description_entity_pb2.DescriptionEntityListRequest, description_entity_pb2.DescriptionEntityList
    ]
    ListDescriptionEntities = list_description_entities
    get_execution_metrics: RpcMethod[
        execution_pb2.WorkflowExecutionGetMetricsRequest, execution_pb2.WorkflowExecutionGetMetricsResponse
    ]
    GetExecutionMetrics = get_execution_metrics

    # flyteidl.service.DataProxyService
    create_upload_location: RpcMethod[
        dataproxy_pb2.CreateUploadLocationRequest, dataproxy_pb2.CreateUploadLocationResponse
    ]
    CreateUploadLocation = create_upload_location
    create_download_location: RpcMethod[
        dataproxy_pb2.CreateDownloadLocationRequest, dataproxy_pb2.CreateDownloadLocationResponse
    ]
    CreateDownloadLocation = create_download_location
    create_download_link: RpcMethod[dataproxy_pb2.CreateDownloadLinkRequest, dataproxy_pb2.CreateDownloadLinkResponse]
    CreateDownloadLink = create_download_link
    get_data: RpcMethod[dataproxy_pb2.GetDataRequest, dataproxy_pb2.GetDataResponse]
    GetData = get_data

    # flyteidl.service.SignalService
    get_or_create_signal: RpcMethod[signal_pb2.SignalGetOrCreateRequest, signal_pb2.Signal]
    GetOrCreateSignal = get_or_create_signal
    list_signals: RpcMethod[signal_pb2.SignalListRequest, signal_pb2.SignalList]
    ListSignals = list_signals
    set_signal: RpcMethod[signal_pb2.SignalSetRequest, signal_pb2.SignalSetResponse]
    SetSignal = set_signal

    # flyteidl.service.AuthMetadataService
    get_oauth2_metadata: RpcMethod[auth_pb2.OAuth2MetadataRequest, auth_pb2.OAuth2MetadataResponse]
    GetOAuth2Metadata = get_oauth2_metadata
    get_public_client_config: RpcMethod[auth_pb2.PublicClientAuthConfigRequest, auth_pb2.PublicClientAuthConfigResponse]
    GetPublicClientConfig = get_public_client_config

    # flyteidl.service.IdentityService
    user_info: RpcMethod[identity_pb2.UserInfoRequest, identity_pb2.UserInfoResponse]
    UserInfo = user_info
