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
from flyteplane.client.idl import IdlLike, enum_number, to_idl
from flyteplane.client.rpcs import ADMIN

__all__ = ["AttributeOperations"]


def _matching(value: IdlLike) -> Any:
    return to_idl(value, matchable_resource_pb2.MatchingAttributes, "matching_attributes")


class AttributeOperations:
    @operation
    def update_project_domain_attributes(self, project: str, domain: str, matching_attributes: IdlLike) -> Call[None]:
        attributes = project_domain_attributes_pb2.ProjectDomainAttributes(
            project=project, domain=domain, matching_attributes=_matching(matching_attributes)
        )
        request = project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest(attributes=attributes)
        return Call(ADMIN["UpdateProjectDomainAttributes"], request, discard)

    @operation
    def get_project_domain_attributes(self, project: str, domain: str, resource_type: int) -> Call[Any]:
        """The ProjectDomainAttributesGetResponse; `.attributes.matching_attributes` holds the settings."""
        request = project_domain_attributes_pb2.ProjectDomainAttributesGetRequest(
            project=project, domain=domain, resource_type=enum_number(resource_type)
        )
        return Call(ADMIN["GetProjectDomainAttributes"], request)

    @operation
    def delete_project_domain_attributes(self, project: str, domain: str, resource_type: int) -> Call[None]:
        request = project_domain_attributes_pb2.ProjectDomainAttributesDeleteRequest(
            project=project, domain=domain, resource_type=enum_number(resource_type)
        )
        return Call(ADMIN["DeleteProjectDomainAttributes"], request, discard)

    @operation
    def update_project_attributes(self, project: str, matching_attributes: IdlLike) -> Call[None]:
        attributes = project_attributes_pb2.ProjectAttributes(
            project=project, matching_attributes=_matching(matching_attributes)
        )
        request = project_attributes_pb2.ProjectAttributesUpdateRequest(attributes=attributes)
        return Call(ADMIN["UpdateProjectAttributes"], request, discard)

    @operation
    def get_project_attributes(self, project: str, resource_type: int) -> Call[Any]:
        request = project_attributes_pb2.ProjectAttributesGetRequest(
            project=project, resource_type=enum_number(resource_type)
        )
        return Call(ADMIN["GetProjectAttributes"], request)

    @operation
    def delete_project_attributes(self, project: str, resource_type: int) -> Call[None]:
        request = project_attributes_pb2.ProjectAttributesDeleteRequest(
            project=project, resource_type=enum_number(resource_type)
        )
        return Call(ADMIN["DeleteProjectAttributes"], request, discard)

    @operation
    def update_workflow_attributes(
        self, project: str, domain: str, workflow: str, matching_attributes: IdlLike
    ) -> Call[None]:
        attributes = workflow_attributes_pb2.WorkflowAttributes(
            project=project, domain=domain, workflow=workflow, matching_attributes=_matching(matching_attributes)
        )
        request = workflow_attributes_pb2.WorkflowAttributesUpdateRequest(attributes=attributes)
        return Call(ADMIN["UpdateWorkflowAttributes"], request, discard)

    @operation
    def get_workflow_attributes(self, project: str, domain: str, workflow: str, resource_type: int) -> Call[Any]:
        """The WorkflowAttributesGetResponse; `.attributes.matching_attributes` holds the settings."""
        request = workflow_attributes_pb2.WorkflowAttributesGetRequest(
            project=project, domain=domain, workflow=workflow, resource_type=enum_number(resource_type)
        )
        return Call(ADMIN["GetWorkflowAttributes"], request)

    @operation
    def delete_workflow_attributes(self, project: str, domain: str, workflow: str, resource_type: int) -> Call[None]:
        request = workflow_attributes_pb2.WorkflowAttributesDeleteRequest(
            project=project, domain=domain, workflow=workflow, resource_type=enum_number(resource_type)
        )
        return Call(ADMIN["DeleteWorkflowAttributes"], request, discard)

    @operation
    def list_matchable_attributes(self, resource_type: int) -> Call[Any]:
        """Every setting of one resource type, at every level; the response's `configurations` lists them."""
        request = matchable_resource_pb2.ListMatchableAttributesRequest(resource_type=enum_number(resource_type))
        return Call(ADMIN["ListMatchableAttributes"], request)
