"""Matchable attributes through flytekit's client (update/get/list), deleted through flyteidl's stub."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.admin import project_domain_attributes_pb2, workflow_attributes_pb2
from flytekit.exceptions.user import FlyteEntityNotExistException, FlyteInvalidInputException
from flytekit.models.matchable_resource import (
    ClusterResourceAttributes,
    ExecutionClusterLabel,
    ExecutionQueueAttributes,
    MatchableResource,
    MatchingAttributes,
    PluginOverride,
    PluginOverrides,
)
from tests.integration.support import DOMAIN, details, new_project

WORKFLOW = "pipelines.workflows.arithmetic"


@pytest.fixture
def project(remote: Any) -> str:
    """A project per test: attributes are keyed by project, and ListMatchableAttributes spans all projects."""
    return new_project(remote, "attributes")


def listed(remote: Any, resource_type: int, project: str) -> list[tuple[str, str, Any]]:
    """(domain, workflow, attributes) of this project's rows, in the server's order (most specific first)."""
    response = remote.client.list_matchable_attributes(resource_type)
    return [(c.domain, c.workflow, c.attributes) for c in response.configurations if c.project == project]


def test_project_domain_cluster_resources_round_trip(remote: Any, project: str) -> None:
    quotas = {"projectQuotaCpu": "16", "projectQuotaMemory": "64Gi"}
    remote.client.update_project_domain_attributes(
        project, DOMAIN, MatchingAttributes(cluster_resource_attributes=ClusterResourceAttributes(quotas))
    )
    got = remote.client.get_project_domain_attributes(project, DOMAIN, MatchableResource.CLUSTER_RESOURCE)
    assert (got.attributes.project, got.attributes.domain) == (project, DOMAIN)
    assert dict(got.attributes.matching_attributes.cluster_resource_attributes.attributes) == quotas

    [(domain, workflow, attributes)] = listed(remote, MatchableResource.CLUSTER_RESOURCE, project)
    assert (domain, workflow) == (DOMAIN, "")
    assert dict(attributes.cluster_resource_attributes.attributes) == quotas


def test_an_update_replaces_the_previous_attributes(remote: Any, project: str) -> None:
    for tags in (["gpu", "critical"], ["cpu"]):
        remote.client.update_project_domain_attributes(
            project, DOMAIN, MatchingAttributes(execution_queue_attributes=ExecutionQueueAttributes(tags))
        )
    got = remote.client.get_project_domain_attributes(project, DOMAIN, MatchableResource.EXECUTION_QUEUE)
    assert list(got.attributes.matching_attributes.execution_queue_attributes.tags) == ["cpu"]
    assert len(listed(remote, MatchableResource.EXECUTION_QUEUE, project)) == 1


def test_workflow_attributes_override_and_fall_back_to_the_domain(remote: Any, project: str) -> None:
    remote.client.update_project_domain_attributes(
        project, DOMAIN, MatchingAttributes(execution_cluster_label=ExecutionClusterLabel("shared"))
    )
    remote.client.update_workflow_attributes(
        project, DOMAIN, WORKFLOW, MatchingAttributes(execution_cluster_label=ExecutionClusterLabel("dedicated"))
    )

    own = remote.client.get_workflow_attributes(project, DOMAIN, WORKFLOW, MatchableResource.EXECUTION_CLUSTER_LABEL)
    assert own.attributes.workflow == WORKFLOW
    assert own.attributes.matching_attributes.execution_cluster_label.value == "dedicated"

    other = remote.client.get_workflow_attributes(
        project, DOMAIN, "some.other.workflow", MatchableResource.EXECUTION_CLUSTER_LABEL
    )
    assert other.attributes.workflow == "", "the project-domain row answers for workflows without their own"
    assert other.attributes.matching_attributes.execution_cluster_label.value == "shared"

    rows = listed(remote, MatchableResource.EXECUTION_CLUSTER_LABEL, project)
    assert [(d, w, a.execution_cluster_label.value) for d, w, a in rows] == [
        (DOMAIN, WORKFLOW, "dedicated"),
        (DOMAIN, "", "shared"),
    ]


def test_plugin_overrides_merge_by_task_type(remote: Any, project: str) -> None:
    def overrides(*entries: tuple[str, str]) -> MatchingAttributes:
        return MatchingAttributes(
            plugin_overrides=PluginOverrides(
                [PluginOverride(task_type, [plugin], PluginOverride.FAIL) for task_type, plugin in entries]
            )
        )

    remote.client.update_workflow_attributes(project, DOMAIN, WORKFLOW, overrides(("spark", "a"), ("ray", "b")))
    remote.client.update_workflow_attributes(project, DOMAIN, WORKFLOW, overrides(("spark", "c")))
    got = remote.client.get_workflow_attributes(project, DOMAIN, WORKFLOW, MatchableResource.PLUGIN_OVERRIDE)
    merged = {o.task_type: list(o.plugin_id) for o in got.attributes.matching_attributes.plugin_overrides.overrides}
    assert merged == {"spark": ["c"], "ray": ["b"]}


def test_delete_through_the_flyteidl_stub(remote: Any, admin: Any, project: str) -> None:
    label = MatchingAttributes(execution_cluster_label=ExecutionClusterLabel("to-delete"))
    remote.client.update_project_domain_attributes(project, DOMAIN, label)
    remote.client.update_workflow_attributes(project, DOMAIN, WORKFLOW, label)
    kind = MatchableResource.EXECUTION_CLUSTER_LABEL

    admin.DeleteWorkflowAttributes(
        workflow_attributes_pb2.WorkflowAttributesDeleteRequest(
            project=project, domain=DOMAIN, workflow=WORKFLOW, resource_type=kind
        )
    )
    assert [(d, w) for d, w, _ in listed(remote, kind, project)] == [(DOMAIN, "")]

    admin.DeleteProjectDomainAttributes(
        project_domain_attributes_pb2.ProjectDomainAttributesDeleteRequest(
            project=project, domain=DOMAIN, resource_type=kind
        )
    )
    assert listed(remote, kind, project) == []
    with pytest.raises(FlyteEntityNotExistException) as caught:
        remote.client.get_project_domain_attributes(project, DOMAIN, kind)
    assert details(caught.value).startswith("Resource [")
    with pytest.raises(FlyteEntityNotExistException):
        remote.client.get_workflow_attributes(project, DOMAIN, WORKFLOW, kind)


def test_attributes_of_another_domain_do_not_match(remote: Any, project: str) -> None:
    remote.client.update_project_domain_attributes(
        project, "production", MatchingAttributes(execution_cluster_label=ExecutionClusterLabel("prod"))
    )
    with pytest.raises(FlyteEntityNotExistException):
        remote.client.get_project_domain_attributes(project, DOMAIN, MatchableResource.EXECUTION_CLUSTER_LABEL)


def test_updating_attributes_of_an_unknown_project_is_invalid(remote: Any) -> None:
    label = MatchingAttributes(execution_cluster_label=ExecutionClusterLabel("x"))
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.update_project_domain_attributes("no-such-project", DOMAIN, label)
    assert "no-such-project" in details(caught.value)


def test_an_update_without_a_target_is_invalid(remote: Any, project: str) -> None:
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.update_project_domain_attributes(project, DOMAIN, MatchingAttributes())
    assert details(caught.value).startswith("Unrecognized matching attributes type for request")
    assert listed(remote, MatchableResource.EXECUTION_CLUSTER_LABEL, project) == []
