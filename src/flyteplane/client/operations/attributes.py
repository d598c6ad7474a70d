"""Matchable attributes: settings (queues, resources, labels...) matched to a project, domain or workflow."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import (
    matchable_resource_pb2,
    project_attributes_pb2,
    project_domain_attributes_pb2,
    workflow_attributes_pb2,
)

from flyteplane.client.calls import Call, discard, operation
from flyteplane.client.idl import IdlLike, to_idl
from flyteplane.client.rpcs import ADMIN

__all__ = [
    "AttributeOperations",
    "delete_project_attributes",
    "delete_project_domain_attributes",
    "delete_workflow_attributes",
    "get_project_attributes",
    "get_project_domain_attributes",
    "get_workflow_attributes",
    "list_matchable_attributes",
    "update_project_attributes",
    "update_project_domain_attributes",
    "update_workflow_attributes",
]


def _matching(value: IdlLike) -> Any:
    return to_idl(value, matchable_resource_pb2.MatchingAttributes, "matching_attributes")


def update_project_domain_attributes(project: str, domain: str, matching_attributes: IdlLike) -> Call[None]:
    attributes = project_domain_attributes_pb2.ProjectDomainAttributes(
        project=project, domain=domain, matching_attributes=_matching(matching_attributes)
    )
    request = project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest(attributes=attributes)
    return Call(ADMIN["UpdateProjectDomainAttributes"], request, discard)


def get_project_domain_attributes(project: str, domain: str, resource_type: int) -> Call[Any]:
    """The ProjectDomainAttributesGetResponse; `.attributes.matching_attributes` holds the settings."""
    request = project_domain_attributes_pb2.ProjectDomainAttributesGetRequest(
        project=project, domain=domain, resource_type=resource_type
    )
    return Call(ADMIN["GetProjectDomainAttributes"], request)


def delete_project_domain_attributes(project: str, domain: str, resource_type: int) -> Call[None]:
    request = project_domain_attributes_pb2.ProjectDomainAttributesDeleteRequest(
        project=project, domain=domain, resource_type=resource_type
    )
    return Call(ADMIN["DeleteProjectDomainAttributes"], request, discard)


def update_project_attributes(project: str, matching_attributes: IdlLike) -> Call[None]:
    attributes = project_attributes_pb2.ProjectAttributes(
        project=project, matching_attributes=_matching(matching_attributes)
    )
    request = project_attributes_pb2.ProjectAttributesUpdateRequest(attributes=attributes)
    return Call(ADMIN["UpdateProjectAttributes"], request, discard)


def get_project_attributes(project: str, resource_type: int) -> Call[Any]:
    request = project_attributes_pb2.ProjectAttributesGetRequest(project=project, resource_type=resource_type)
    return Call(ADMIN["GetProjectAttributes"], request)


def delete_project_attributes(project: str, resource_type: int) -> Call[None]:
    request = project_attributes_pb2.ProjectAttributesDeleteRequest(project=project, resource_type=resource_type)
    return Call(ADMIN["DeleteProjectAttributes"], request, discard)


def update_workflow_attributes(project: str, domain: str, workflow: str, matching_attributes: IdlLike) -> Call[None]:
    attributes = workflow_attributes_pb2.WorkflowAttributes(
        project=project, domain=domain, workflow=workflow, matching_attributes=_matching(matching_attributes)
    )
    request = workflow_attributes_pb2.WorkflowAttributesUpdateRequest(attributes=attributes)
    return Call(ADMIN["UpdateWorkflowAttributes"], request, discard)


def get_workflow_attributes(project: str, domain: str, workflow: str, resource_type: int) -> Call[Any]:
    """The WorkflowAttributesGetResponse; `.attributes.matching_attributes` holds the settings."""
    request = workflow_attributes_pb2.WorkflowAttributesGetRequest(
        project=project, domain=domain, workflow=workflow, resource_type=resource_type
    )
    return Call(ADMIN["GetWorkflowAttributes"], request)


def delete_workflow_attributes(project: str, domain: str, workflow: str, resource_type: int) -> Call[None]:
    request = workflow_attributes_pb2.WorkflowAttributesDeleteRequest(
        project=project, domain=domain, workflow=workflow, resource_type=resource_type
    )
    return Call(ADMIN["DeleteWorkflowAttributes"], request, discard)


def list_matchable_attributes(resource_type: int) -> Call[Any]:
    """Every setting of one resource type, at every level; the response's `configurations` lists them."""
    request = matchable_resource_pb2.ListMatchableAttributesRequest(resource_type=resource_type)
    return Call(ADMIN["ListMatchableAttributes"], request)


class AttributeOperations:
    update_project_domain_attributes = operation(update_project_domain_attributes)
    get_project_domain_attributes = operation(get_project_domain_attributes)
    delete_project_domain_attributes = operation(delete_project_domain_attributes)
    update_project_attributes = operation(update_project_attributes)
    get_project_attributes = operation(get_project_attributes)
    delete_project_attributes = operation(delete_project_attributes)
    update_workflow_attributes = operation(update_workflow_attributes)
    get_workflow_attributes = operation(get_workflow_attributes)
    delete_workflow_attributes = operation(delete_workflow_attributes)
    list_matchable_attributes = operation(list_matchable_attributes)
