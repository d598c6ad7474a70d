"""Launch plan activation through FlyteRemote: at most one active version per name."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2
from flytekit.models.core.identifier import Identifier, ResourceType
from tests.integration.support import DOMAIN, new_project, settings, use_apps

use_apps()
from pipelines import launch_plans, workflows  # noqa: E402

ARITHMETIC = "pipelines.workflows.arithmetic"


@pytest.fixture
def project(remote: Any) -> str:
    """A project per test: activation state is per name, so tests must not share names."""
    return new_project(remote, "launch-plans")


def lp_id(project: str, name: str, version: str) -> Identifier:
    return Identifier(ResourceType.LAUNCH_PLAN, project, DOMAIN, name, version)


def state_of(remote: Any, project: str, name: str, version: str) -> int:
    """Read with the raw stub: flytekit's `get_launch_plan` is lru-cached and would show a stale state."""
    ident = identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN, project=project, domain=DOMAIN, name=name, version=version
    )
    return int(remote.client._stub.GetLaunchPlan(common_pb2.ObjectGetRequest(id=ident)).closure.state)


def active_versions(remote: Any, project: str, name: str) -> list[str]:
    """Every page of ListActiveLaunchPlans for the project, narrowed to one name."""
    found: list[str] = []
    token = ""
    while True:
        plans, token = remote.client.list_active_launch_plans_paginated(project, DOMAIN, limit=2, token=token)
        found.extend(p.id.version for p in plans if p.id.name == name)
        if not token:
            return found


def register_versions(remote: Any, project: str, *versions: str) -> None:
    for version in versions:
        remote.register_workflow(workflows.arithmetic, settings(project, version), version=version)


def test_a_registered_launch_plan_is_not_active(remote: Any, project: str) -> None:
    register_versions(remote, project, "v1")
    assert state_of(remote, project, ARITHMETIC, "v1") == launch_plan_pb2.INACTIVE
    assert remote.fetch_active_launchplan(project, DOMAIN, ARITHMETIC) is None
    assert active_versions(remote, project, ARITHMETIC) == []


def test_activating_a_second_version_deactivates_the_first(remote: Any, project: str) -> None:
    register_versions(remote, project, "v1", "v2")

    remote.activate_launchplan(lp_id(project, ARITHMETIC, "v1"))
    active = remote.fetch_active_launchplan(project, DOMAIN, ARITHMETIC)
    assert active is not None and active.id.version == "v1"
    assert active_versions(remote, project, ARITHMETIC) == ["v1"]

    remote.activate_launchplan(lp_id(project, ARITHMETIC, "v2"))
    active = remote.fetch_active_launchplan(project, DOMAIN, ARITHMETIC)
    assert active is not None and active.id.version == "v2"
    assert state_of(remote, project, ARITHMETIC, "v1") == launch_plan_pb2.INACTIVE
    assert state_of(remote, project, ARITHMETIC, "v2") == launch_plan_pb2.ACTIVE
    assert active_versions(remote, project, ARITHMETIC) == ["v2"]


def test_activating_the_active_version_again_changes_nothing(remote: Any, project: str) -> None:
    register_versions(remote, project, "v1", "v2")
    remote.activate_launchplan(lp_id(project, ARITHMETIC, "v2"))
    remote.activate_launchplan(lp_id(project, ARITHMETIC, "v2"))
    assert active_versions(remote, project, ARITHMETIC) == ["v2"]


def test_deactivating_leaves_no_active_version(remote: Any, project: str) -> None:
    register_versions(remote, project, "v1", "v2")
    remote.activate_launchplan(lp_id(project, ARITHMETIC, "v2"))
    remote.deactivate_launchplan(lp_id(project, ARITHMETIC, "v2"))
    assert remote.fetch_active_launchplan(project, DOMAIN, ARITHMETIC) is None
    assert state_of(remote, project, ARITHMETIC, "v2") == launch_plan_pb2.INACTIVE
    assert active_versions(remote, project, ARITHMETIC) == []


def test_active_launch_plans_of_several_names_are_listed_together(remote: Any, project: str) -> None:
    register_versions(remote, project, "v1")
    remote.register_launch_plan(
        launch_plans.nightly_schedule, "v1", project, DOMAIN, serialization_settings=settings(project, "v1")
    )
    remote.register_launch_plan(
        launch_plans.arithmetic_fixed, "v1", project, DOMAIN, serialization_settings=settings(project, "v1")
    )
    for name in (ARITHMETIC, "nightly_schedule", "arithmetic_fixed"):
        remote.activate_launchplan(lp_id(project, name, "v1"))

    listed, token = remote.client.list_active_launch_plans_paginated(project, DOMAIN, limit=100)
    assert token == ""
    assert {(p.id.name, p.id.version) for p in listed} == {
        (ARITHMETIC, "v1"),
        ("nightly_schedule", "v1"),
        ("arithmetic_fixed", "v1"),
    }
    assert all(p.closure.state == launch_plan_pb2.ACTIVE for p in listed)

    scheduled = remote.fetch_active_launchplan(project, DOMAIN, "nightly_schedule")
    assert scheduled is not None
    assert scheduled.entity_metadata.schedule.cron_schedule.schedule == "0 3 * * *"


def test_list_launch_plans_filters_on_state(remote: Any, project: str) -> None:
    from flytekit.models.common import NamedEntityIdentifier
    from flytekit.models.filters import Equal

    register_versions(remote, project, "v1", "v2", "v3")
    remote.activate_launchplan(lp_id(project, ARITHMETIC, "v3"))
    plans, _ = remote.client.list_launch_plans_paginated(
        NamedEntityIdentifier(project, DOMAIN, ARITHMETIC), limit=100, filters=[Equal("state", "1")]
    )
    assert [p.id.version for p in plans] == ["v3"]


def test_active_launch_plan_lookups_are_scoped_to_their_project(remote: Any, project: str) -> None:
    assert remote.fetch_active_launchplan(project, DOMAIN, "never-registered") is None
    listed, token = remote.client.list_active_launch_plans_paginated("flytesnacks", "production", limit=10)
    assert (listed, token) == ([], "")
