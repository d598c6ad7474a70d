"""Matchable attributes: levels, most-specific resolution, merging, validation (flyteadmin §10.2)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeAlias

import pytest
from flyteidl.admin import cluster_assignment_pb2, common_pb2, matchable_resource_pb2
from flyteidl.admin import project_attributes_pb2 as PA
from flyteidl.admin import project_domain_attributes_pb2 as PD
from flyteidl.admin import workflow_attributes_pb2 as WA
from flyteidl.core import execution_pb2, security_pb2
from google.protobuf import wrappers_pb2
from sqlalchemy import func, select, update

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.registry.attributes import (
    LAUNCH_PLAN_PRIORITY,
    AttributeService,
    fill_execution_config,
    platform_execution_config,
)
from flyteplane.store.db import Database
from flyteplane.store.models import MatchableAttribute, Project

MR = matchable_resource_pb2.MatchableResource
MA: TypeAlias = matchable_resource_pb2.MatchingAttributes
P, D = "flytesnacks", "development"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue("db" if request.param == "sqlite" else "postgres_db")
    with database.transaction() as session:
        session.add(Project(identifier="archived", name="archived", state=1))
    return database


@pytest.fixture
def service(store: Database, settings: Settings) -> AttributeService:
    return AttributeService(store, settings)


# One sample of every kind, keyed by the MatchableResource it must be stored as.
SAMPLES: dict[int, MA] = {
    MR.TASK_RESOURCE: MA(
        task_resource_attributes=matchable_resource_pb2.TaskResourceAttributes(
            defaults=matchable_resource_pb2.TaskResourceSpec(cpu="1", memory="1Gi")
        )
    ),
    MR.CLUSTER_RESOURCE: MA(
        cluster_resource_attributes=matchable_resource_pb2.ClusterResourceAttributes(attributes={"quota": "4"})
    ),
    MR.EXECUTION_QUEUE: MA(execution_queue_attributes=matchable_resource_pb2.ExecutionQueueAttributes(tags=["q"])),
    MR.EXECUTION_CLUSTER_LABEL: MA(
        execution_cluster_label=matchable_resource_pb2.ExecutionClusterLabel(value="gpu-cluster")
    ),
    MR.QUALITY_OF_SERVICE_SPECIFICATION: MA(
        quality_of_service=execution_pb2.QualityOfService(tier=execution_pb2.QualityOfService.HIGH)
    ),
    MR.PLUGIN_OVERRIDE: MA(
        plugin_overrides=matchable_resource_pb2.PluginOverrides(
            overrides=[matchable_resource_pb2.PluginOverride(task_type="python", plugin_id=["local"])]
        )
    ),
    MR.WORKFLOW_EXECUTION_CONFIG: MA(
        workflow_execution_config=matchable_resource_pb2.WorkflowExecutionConfig(max_parallelism=3)
    ),
    MR.CLUSTER_ASSIGNMENT: MA(cluster_assignment=cluster_assignment_pb2.ClusterAssignment(cluster_pool_name="p")),
}
KINDS = sorted(SAMPLES)


def queue(*tags: str) -> MA:
    return MA(execution_queue_attributes=matchable_resource_pb2.ExecutionQueueAttributes(tags=list(tags)))


def plugins(**by_task_type: str) -> MA:
    return MA(
        plugin_overrides=matchable_resource_pb2.PluginOverrides(
            overrides=[
                matchable_resource_pb2.PluginOverride(task_type=task_type, plugin_id=[plugin])
                for task_type, plugin in by_task_type.items()
            ]
        )
    )


def plugin_map(attributes: MA) -> dict[str, list[str]]:
    return {o.task_type: list(o.plugin_id) for o in attributes.plugin_overrides.overrides}


def set_project(service: AttributeService, attributes: MA, project: str = P) -> None:
    service.update_project_attributes(
        PA.ProjectAttributesUpdateRequest(
            attributes=PA.ProjectAttributes(project=project, matching_attributes=attributes)
        )
    )


def set_domain(service: AttributeService, attributes: MA, domain: str = D) -> None:
    service.update_project_domain_attributes(
        PD.ProjectDomainAttributesUpdateRequest(
            attributes=PD.ProjectDomainAttributes(project=P, domain=domain, matching_attributes=attributes)
        )
    )


def set_workflow(service: AttributeService, attributes: MA, workflow: str = "wf") -> None:
    service.update_workflow_attributes(
        WA.WorkflowAttributesUpdateRequest(
            attributes=WA.WorkflowAttributes(project=P, domain=D, workflow=workflow, matching_attributes=attributes)
        )
    )


def get_domain(service: AttributeService, kind: int, domain: str = D) -> PD.ProjectDomainAttributes:
    request = PD.ProjectDomainAttributesGetRequest(project=P, domain=domain, resource_type=kind)
    return service.get_project_domain_attributes(request).attributes


def get_workflow(service: AttributeService, kind: int, workflow: str = "wf") -> WA.WorkflowAttributes:
    request = WA.WorkflowAttributesGetRequest(project=P, domain=D, workflow=workflow, resource_type=kind)
    return service.get_workflow_attributes(request).attributes


def get_project(service: AttributeService, kind: int, project: str = P) -> PA.ProjectAttributes:
    return service.get_project_attributes(
        PA.ProjectAttributesGetRequest(project=project, resource_type=kind)
    ).attributes


def rows(store: Database) -> list[tuple[str, str, str, str, str, int]]:
    with store.read() as session:
        found = session.execute(
            select(
                MatchableAttribute.project,
                MatchableAttribute.domain,
                MatchableAttribute.workflow,
                MatchableAttribute.launch_plan,
                MatchableAttribute.resource_type,
                MatchableAttribute.priority,
            ).order_by(MatchableAttribute.id)
        )
        return [tuple(row) for row in found]  # type: ignore[misc]


# -- every kind at every level --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=[MR.Name(k) for k in KINDS])
def test_every_kind_round_trips_at_the_project_domain_level(service: AttributeService, kind: int) -> None:
    set_domain(service, SAMPLES[kind])
    found = get_domain(service, kind)
    assert (found.project, found.domain) == (P, D)
    assert found.matching_attributes == SAMPLES[kind]


@pytest.mark.parametrize("kind", KINDS, ids=[MR.Name(k) for k in KINDS])
def test_every_kind_round_trips_at_the_workflow_level(service: AttributeService, kind: int) -> None:
    set_workflow(service, SAMPLES[kind])
    found = get_workflow(service, kind)
    assert (found.project, found.domain, found.workflow) == (P, D, "wf")
    assert found.matching_attributes == SAMPLES[kind]


@pytest.mark.parametrize("kind", [k for k in KINDS if k != MR.WORKFLOW_EXECUTION_CONFIG], ids=MR.Name)
def test_every_kind_round_trips_at_the_project_level(service: AttributeService, kind: int) -> None:
    set_project(service, SAMPLES[kind])
    found = get_project(service, kind)
    assert found.project == P
    assert found.matching_attributes == SAMPLES[kind]


def test_the_kind_stored_is_the_oneof_that_is_set_with_its_level_priority(
    service: AttributeService, store: Database
) -> None:
    """Quality of service is accepted: flyteadmin 1.16.8 forgets it in its oneof switch and answers
    "Unrecognized matching attributes type", so the kind cannot be set there; we treat that as a bug."""
    set_project(service, SAMPLES[MR.QUALITY_OF_SERVICE_SPECIFICATION])
    set_domain(service, SAMPLES[MR.CLUSTER_ASSIGNMENT])
    set_workflow(service, SAMPLES[MR.TASK_RESOURCE])
    assert rows(store) == [
        (P, "", "", "", "QUALITY_OF_SERVICE_SPECIFICATION", 5),
        (P, D, "", "", "CLUSTER_ASSIGNMENT", 10),
        (P, D, "wf", "", "TASK_RESOURCE", 100),
    ]


def test_kinds_at_the_same_level_are_independent(service: AttributeService) -> None:
    set_domain(service, queue("a"))
    set_domain(service, SAMPLES[MR.TASK_RESOURCE])
    assert get_domain(service, MR.EXECUTION_QUEUE).matching_attributes == queue("a")
    assert get_domain(service, MR.TASK_RESOURCE).matching_attributes == SAMPLES[MR.TASK_RESOURCE]


# -- updates -------------------------------------------------------------------------------------------------


def test_an_update_replaces_the_whole_attribute_of_its_level(service: AttributeService, store: Database) -> None:
    set_domain(service, queue("a", "b"))
    set_domain(service, queue("c"))
    assert get_domain(service, MR.EXECUTION_QUEUE).matching_attributes == queue("c")
    assert len(rows(store)) == 1


@pytest.mark.parametrize("setter", [set_project, set_domain, set_workflow], ids=["project", "domain", "workflow"])
def test_plugin_overrides_merge_by_task_type_at_every_level(
    service: AttributeService, store: Database, setter: Callable[[AttributeService, MA], None]
) -> None:
    """flyteadmin merges at the project level too by design, but its merge lookup rejects a row without a
    domain, so there a second PLUGIN_OVERRIDE update fails; we merge the same way at every level."""
    setter(service, plugins(python="local", spark="k8s"))
    setter(service, plugins(spark="emr", ray="kuberay"))
    with store.read() as session:
        found = AttributeService(store, Settings()).resolve(session, MR.PLUGIN_OVERRIDE, P, D, "wf")
    assert found is not None
    assert plugin_map(found) == {"python": ["local"], "spark": ["emr"], "ray": ["kuberay"]}
    assert len(rows(store)) == 1


def test_a_plugin_override_merge_keeps_the_existing_order_and_appends_new_task_types(
    service: AttributeService,
) -> None:
    set_domain(service, plugins(a="1", b="2", c="3"))
    set_domain(service, plugins(d="4", b="5"))
    overrides = get_domain(service, MR.PLUGIN_OVERRIDE).matching_attributes.plugin_overrides.overrides
    assert [(o.task_type, o.plugin_id[0]) for o in overrides] == [
        ("a", "1"),
        ("b", "5"),
        ("c", "3"),
        ("d", "4"),
    ]


@pytest.mark.parametrize("kind", [MR.EXECUTION_QUEUE, MR.PLUGIN_OVERRIDE], ids=MR.Name)
def test_concurrent_updates_of_one_key_never_fail_or_duplicate(
    service: AttributeService, store: Database, kind: int
) -> None:
    """Many writers racing on the first write of one key: every call succeeds and one row results; merges of
    plugin overrides lose no task type."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def write(index: int) -> None:
        attributes = plugins(**{f"type{index}": "p"}) if kind == MR.PLUGIN_OVERRIDE else queue(f"q{index}")
        start.wait()
        try:
            set_workflow(service, attributes)
        except BaseException as exc:  # surfaced below with the test's assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(rows(store)) == 1
    found = get_workflow(service, kind).matching_attributes
    if kind == MR.PLUGIN_OVERRIDE:
        assert sorted(plugin_map(found)) == sorted(f"type{index}" for index in range(8))


# -- most specific match ---------------------------------------------------------------------------------


def test_a_project_domain_get_falls_back_to_the_project_row_and_says_so(service: AttributeService) -> None:
    set_project(service, queue("project"))
    found = get_domain(service, MR.EXECUTION_QUEUE)
    assert (found.project, found.domain) == (P, "")
    assert found.matching_attributes == queue("project")


def test_a_workflow_get_returns_the_most_specific_row_at_or_above_it(service: AttributeService) -> None:
    set_project(service, queue("project"))
    found = get_workflow(service, MR.EXECUTION_QUEUE)
    assert (found.project, found.domain, found.workflow) == (P, "", "")
    set_domain(service, queue("domain"))
    found = get_workflow(service, MR.EXECUTION_QUEUE)
    assert (found.project, found.domain, found.workflow) == (P, D, "")
    assert found.matching_attributes == queue("domain")
    set_workflow(service, queue("workflow"))
    found = get_workflow(service, MR.EXECUTION_QUEUE)
    assert (found.workflow, found.matching_attributes) == ("wf", queue("workflow"))


def test_a_project_domain_get_ignores_workflow_rows_beneath_it(service: AttributeService) -> None:
    set_workflow(service, queue("workflow"))
    with pytest.raises(NotFound) as caught:
        get_domain(service, MR.EXECUTION_QUEUE)
    assert caught.value.message == (
        "Resource [{Project:flytesnacks Domain:development Workflow: LaunchPlan: "
        "ResourceType:EXECUTION_QUEUE}] not found"
    )


def test_rows_of_other_domains_workflows_and_kinds_never_match(service: AttributeService) -> None:
    set_domain(service, queue("staging"), domain="staging")
    set_workflow(service, queue("other"), workflow="other")
    set_domain(service, SAMPLES[MR.TASK_RESOURCE])
    with pytest.raises(NotFound) as caught:
        get_workflow(service, MR.EXECUTION_QUEUE)
    assert caught.value.message == (
        "Resource [{Project:flytesnacks Domain:development Workflow:wf LaunchPlan: "
        "ResourceType:EXECUTION_QUEUE}] not found"
    )


def test_resolve_prefers_launch_plan_then_workflow_then_domain_then_project(
    service: AttributeService, store: Database
) -> None:
    set_project(service, queue("project"))
    set_domain(service, queue("domain"))
    set_workflow(service, queue("workflow"))
    with store.transaction() as session:  # no RPC writes the launch-plan level; the engine may read it
        session.add(
            MatchableAttribute(
                project=P,
                domain=D,
                workflow="wf",
                launch_plan="lp",
                resource_type="EXECUTION_QUEUE",
                priority=LAUNCH_PLAN_PRIORITY,
                attributes=queue("launch plan").SerializeToString(),
            )
        )

    def resolved(**key: str) -> Any:
        with store.read() as session:
            found = service.resolve(session, MR.EXECUTION_QUEUE, P, **key)
        return None if found is None else list(found.execution_queue_attributes.tags)

    assert resolved(domain=D, workflow="wf", launch_plan="lp") == ["launch plan"]
    assert resolved(domain=D, workflow="wf", launch_plan="other") == ["workflow"]
    assert resolved(domain=D, workflow="other") == ["domain"]
    assert resolved(domain="staging") == ["project"]
    with store.read() as session:
        assert service.resolve(session, MR.TASK_RESOURCE, P, D) is None
        assert service.resolve(session, MR.EXECUTION_QUEUE, "elsewhere", D) is None


# -- project level ---------------------------------------------------------------------------------------


def test_project_get_returns_only_the_project_row(service: AttributeService) -> None:
    set_domain(service, queue("domain"))
    with pytest.raises(NotFound) as caught:
        get_project(service, MR.EXECUTION_QUEUE)
    assert caught.value.message == (
        "Resource [{Project:flytesnacks Domain: Workflow: LaunchPlan: ResourceType:EXECUTION_QUEUE}] not found"
    )
    set_project(service, queue("project"))
    assert get_project(service, MR.EXECUTION_QUEUE).matching_attributes == queue("project")


def test_project_execution_config_without_a_row_is_the_platform_default(service: AttributeService) -> None:
    found = get_project(service, MR.WORKFLOW_EXECUTION_CONFIG)
    assert found.project == P
    assert found.matching_attributes == MA(
        workflow_execution_config=matchable_resource_pb2.WorkflowExecutionConfig(max_parallelism=25)
    )


def test_project_execution_config_is_completed_with_platform_defaults(service: AttributeService) -> None:
    labels = matchable_resource_pb2.WorkflowExecutionConfig(overwrite_cache=True)
    labels.labels.values["team"] = "ml"
    set_project(service, MA(workflow_execution_config=labels))
    config = get_project(service, MR.WORKFLOW_EXECUTION_CONFIG).matching_attributes.workflow_execution_config
    assert (config.max_parallelism, dict(config.labels.values), config.overwrite_cache) == (
        25,
        {"team": "ml"},
        True,
    )
    set_project(service, SAMPLES[MR.WORKFLOW_EXECUTION_CONFIG])
    config = get_project(service, MR.WORKFLOW_EXECUTION_CONFIG).matching_attributes.workflow_execution_config
    assert config.max_parallelism == 3


def test_platform_execution_defaults_can_be_configured(store: Database, settings: Settings) -> None:
    defaults = platform_execution_config(max_parallelism=9)
    defaults.raw_output_data_config.output_location_prefix = "s3://raw"
    service = AttributeService(store, settings, execution_defaults=defaults)
    config = get_project(service, MR.WORKFLOW_EXECUTION_CONFIG).matching_attributes.workflow_execution_config
    assert (config.max_parallelism, config.raw_output_data_config.output_location_prefix) == (9, "s3://raw")


def test_fill_execution_config_only_fills_deeply_empty_fields() -> None:
    WEC = matchable_resource_pb2.WorkflowExecutionConfig
    fallback = WEC(
        max_parallelism=25,
        security_context=security_pb2.SecurityContext(run_as=security_pb2.Identity(k8s_service_account="sa")),
        raw_output_data_config=common_pb2.RawOutputDataConfig(output_location_prefix="s3://fallback"),
        interruptible=wrappers_pb2.BoolValue(value=True),
        overwrite_cache=True,
    )
    fallback.labels.values["a"] = "fallback"
    fallback.annotations.values["b"] = "fallback"
    fallback.envs.values.add(key="E", value="fallback")
    own = WEC(max_parallelism=4, interruptible=wrappers_pb2.BoolValue(value=False))
    own.raw_output_data_config.SetInParent()  # present but empty: still filled
    own.labels.values["a"] = "own"
    own.security_context.SetInParent()  # present (even empty): kept, as flyteadmin's nil check does
    filled = fill_execution_config(own, fallback)
    assert filled.max_parallelism == 4
    assert filled.interruptible.value is False
    assert dict(filled.labels.values) == {"a": "own"}
    assert dict(filled.annotations.values) == {"b": "fallback"}
    assert filled.raw_output_data_config.output_location_prefix == "s3://fallback"
    assert [(e.key, e.value) for e in filled.envs.values] == [("E", "fallback")]
    assert filled.overwrite_cache is True
    assert filled.HasField("security_context") and not filled.security_context.run_as.k8s_service_account
    assert own.max_parallelism == 4 and not own.annotations.values  # inputs are left alone


def test_project_attributes_of_an_archived_project_can_still_be_read(
    service: AttributeService, store: Database
) -> None:
    set_project(service, queue("x"))
    with store.transaction() as session:
        session.execute(update(Project).where(Project.identifier == P).values(state=1))
    assert get_project(service, MR.EXECUTION_QUEUE).matching_attributes == queue("x")


# -- deletes ---------------------------------------------------------------------------------------------


def test_deletes_remove_exactly_the_requested_level(service: AttributeService, store: Database) -> None:
    """flyteadmin's delete ignores empty key parts, so deleting project attributes also wipes every domain and
    workflow override of that kind (and a domain delete its workflows'). We delete only the named level: a
    cleanup of one level must not silently drop more specific settings someone else made."""
    set_project(service, queue("project"))
    set_domain(service, queue("domain"))
    set_workflow(service, queue("workflow"))
    set_domain(service, SAMPLES[MR.TASK_RESOURCE])

    service.delete_project_attributes(PA.ProjectAttributesDeleteRequest(project=P, resource_type=MR.EXECUTION_QUEUE))
    assert [row[:3] for row in rows(store) if row[4] == "EXECUTION_QUEUE"] == [(P, D, ""), (P, D, "wf")]
    service.delete_project_domain_attributes(
        PD.ProjectDomainAttributesDeleteRequest(project=P, domain=D, resource_type=MR.EXECUTION_QUEUE)
    )
    assert [row[:3] for row in rows(store) if row[4] == "EXECUTION_QUEUE"] == [(P, D, "wf")]
    service.delete_workflow_attributes(
        WA.WorkflowAttributesDeleteRequest(project=P, domain=D, workflow="wf", resource_type=MR.EXECUTION_QUEUE)
    )
    assert rows(store) == [(P, D, "", "", "TASK_RESOURCE", 10)]


def test_deleting_what_does_not_exist_is_not_an_error(service: AttributeService) -> None:
    service.delete_project_attributes(PA.ProjectAttributesDeleteRequest(project=P, resource_type=MR.TASK_RESOURCE))
    service.delete_project_domain_attributes(
        PD.ProjectDomainAttributesDeleteRequest(project=P, domain=D, resource_type=MR.TASK_RESOURCE)
    )
    service.delete_workflow_attributes(
        WA.WorkflowAttributesDeleteRequest(project=P, domain=D, workflow="wf", resource_type=MR.TASK_RESOURCE)
    )


# -- listing ---------------------------------------------------------------------------------------------


def test_list_returns_every_row_of_a_kind_most_specific_first(service: AttributeService) -> None:
    set_project(service, queue("project"))
    set_workflow(service, queue("workflow"))
    set_domain(service, queue("domain"))
    set_domain(service, SAMPLES[MR.TASK_RESOURCE])
    found = service.list_matchable_attributes(
        matchable_resource_pb2.ListMatchableAttributesRequest(resource_type=MR.EXECUTION_QUEUE)
    ).configurations
    assert [(c.project, c.domain, c.workflow, c.launch_plan) for c in found] == [
        (P, D, "wf", ""),
        (P, D, "", ""),
        (P, "", "", ""),
    ]
    assert [list(c.attributes.execution_queue_attributes.tags) for c in found] == [
        ["workflow"],
        ["domain"],
        ["project"],
    ]
    empty = service.list_matchable_attributes(
        matchable_resource_pb2.ListMatchableAttributesRequest(resource_type=MR.CLUSTER_ASSIGNMENT)
    )
    assert list(empty.configurations) == []


# -- validation ------------------------------------------------------------------------------------------

NOT_REGISTERED = (
    "failed to validate that project [nope] and domain [development] are registered, err: [project [nope] not found]"
)


def project_domain_calls(project: str, domain: str, attributes: MA | None) -> list[Callable[[AttributeService], Any]]:
    """Every project-domain and workflow RPC for one project and domain."""
    wrapped_pd = PD.ProjectDomainAttributes(project=project, domain=domain)
    wrapped_wf = WA.WorkflowAttributes(project=project, domain=domain, workflow="wf")
    if attributes is not None:
        wrapped_pd.matching_attributes.CopyFrom(attributes)
        wrapped_wf.matching_attributes.CopyFrom(attributes)
    kind = MR.EXECUTION_QUEUE
    return [
        lambda s: s.update_project_domain_attributes(PD.ProjectDomainAttributesUpdateRequest(attributes=wrapped_pd)),
        lambda s: s.get_project_domain_attributes(
            PD.ProjectDomainAttributesGetRequest(project=project, domain=domain, resource_type=kind)
        ),
        lambda s: s.delete_project_domain_attributes(
            PD.ProjectDomainAttributesDeleteRequest(project=project, domain=domain, resource_type=kind)
        ),
        lambda s: s.update_workflow_attributes(WA.WorkflowAttributesUpdateRequest(attributes=wrapped_wf)),
        lambda s: s.get_workflow_attributes(
            WA.WorkflowAttributesGetRequest(project=project, domain=domain, workflow="wf", resource_type=kind)
        ),
        lambda s: s.delete_workflow_attributes(
            WA.WorkflowAttributesDeleteRequest(project=project, domain=domain, workflow="wf", resource_type=kind)
        ),
    ]


@pytest.mark.parametrize(
    ("project", "domain", "message"),
    [
        ("nope", D, NOT_REGISTERED),
        ("archived", D, "project [archived] is not active"),
        (P, "qa", "domain [qa] is unrecognized by system"),
    ],
    ids=["unknown project", "archived project", "unknown domain"],
)
def test_project_domain_and_workflow_rpcs_need_an_active_project_and_a_known_domain(
    service: AttributeService, project: str, domain: str, message: str
) -> None:
    for call in project_domain_calls(project, domain, queue("x")):
        with pytest.raises(InvalidArgument) as caught:
            call(service)
        assert caught.value.message == message


@pytest.mark.parametrize(
    ("project", "message"),
    [
        ("nope", "failed to validate that project [nope] is registered, err: [project [nope] not found]"),
        ("archived", "project [archived] is not active"),
    ],
)
def test_project_updates_and_deletes_need_an_active_project(
    service: AttributeService, project: str, message: str
) -> None:
    attributes = PA.ProjectAttributes(project=project, matching_attributes=queue("x"))
    with pytest.raises(InvalidArgument, match=message.replace("[", r"\[").replace("]", r"\]")):
        service.update_project_attributes(PA.ProjectAttributesUpdateRequest(attributes=attributes))
    with pytest.raises(InvalidArgument) as caught:
        service.delete_project_attributes(
            PA.ProjectAttributesDeleteRequest(project=project, resource_type=MR.EXECUTION_QUEUE)
        )
    assert caught.value.message == message


def test_project_get_needs_the_project_to_exist(service: AttributeService) -> None:
    with pytest.raises(InvalidArgument) as caught:
        get_project(service, MR.EXECUTION_QUEUE, project="nope")
    assert caught.value.message == "failed to validate that project [nope] exists, err: [project [nope] not found]"


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (PD.ProjectDomainAttributesUpdateRequest(), "missing attributes"),
        (
            PD.ProjectDomainAttributesUpdateRequest(attributes=PD.ProjectDomainAttributes(project=P, domain=D)),
            "missing matching_attributes",
        ),
        (
            PD.ProjectDomainAttributesUpdateRequest(
                attributes=PD.ProjectDomainAttributes(project=P, domain=D, matching_attributes=MA())
            ),
            "Unrecognized matching attributes type for request flytesnacks-development",
        ),
        (PA.ProjectAttributesUpdateRequest(), "missing attributes"),
        (
            PA.ProjectAttributesUpdateRequest(attributes=PA.ProjectAttributes(project=P)),
            "missing matching_attributes",
        ),
        (
            PA.ProjectAttributesUpdateRequest(attributes=PA.ProjectAttributes(project=P, matching_attributes=MA())),
            "Unrecognized matching attributes type for request flytesnacks",
        ),
        (WA.WorkflowAttributesUpdateRequest(), "missing attributes"),
        (
            WA.WorkflowAttributesUpdateRequest(
                attributes=WA.WorkflowAttributes(project=P, domain=D, matching_attributes=queue("x"))
            ),
            "missing name",
        ),
        (
            WA.WorkflowAttributesUpdateRequest(attributes=WA.WorkflowAttributes(project=P, domain=D, workflow="wf")),
            "missing matching_attributes",
        ),
        (
            WA.WorkflowAttributesUpdateRequest(
                attributes=WA.WorkflowAttributes(project=P, domain=D, workflow="wf", matching_attributes=MA())
            ),
            "Unrecognized matching attributes type for request flytesnacks-development-wf",
        ),
    ],
)
def test_update_requests_are_checked_in_flyteadmins_order(
    service: AttributeService, store: Database, request_: Any, message: str
) -> None:
    method = {
        PD.ProjectDomainAttributesUpdateRequest: service.update_project_domain_attributes,
        PA.ProjectAttributesUpdateRequest: service.update_project_attributes,
        WA.WorkflowAttributesUpdateRequest: service.update_workflow_attributes,
    }[type(request_)]
    with pytest.raises(InvalidArgument) as caught:
        method(request_)
    assert caught.value.message == message
    assert rows(store) == []


def test_workflow_gets_and_deletes_need_a_workflow_name(service: AttributeService) -> None:
    with pytest.raises(InvalidArgument, match=r"^missing name$"):
        service.get_workflow_attributes(WA.WorkflowAttributesGetRequest(project=P, domain=D))
    with pytest.raises(InvalidArgument, match=r"^missing name$"):
        service.delete_workflow_attributes(WA.WorkflowAttributesDeleteRequest(project=P, domain=D))


def test_unknown_resource_type_numbers_are_rejected_everywhere(service: AttributeService) -> None:
    """flyteadmin validates the enum only in ListMatchableAttributes and lets Get answer NOT_FOUND for an
    unknown number; rejecting it in every RPC is clearer and never stores or deletes a nonsense kind."""
    calls: list[Callable[[], Any]] = [
        lambda: service.list_matchable_attributes(
            matchable_resource_pb2.ListMatchableAttributesRequest(resource_type=99)
        ),
        lambda: get_domain(service, 99),
        lambda: get_workflow(service, 99),
        lambda: get_project(service, 99),
        lambda: service.delete_project_attributes(PA.ProjectAttributesDeleteRequest(project=P, resource_type=99)),
        lambda: service.delete_project_domain_attributes(
            PD.ProjectDomainAttributesDeleteRequest(project=P, domain=D, resource_type=99)
        ),
        lambda: service.delete_workflow_attributes(
            WA.WorkflowAttributesDeleteRequest(project=P, domain=D, workflow="wf", resource_type=99)
        ),
    ]
    for call in calls:
        with pytest.raises(InvalidArgument, match=r"^invalid value for resource_type$"):
            call()


def test_an_update_that_fails_validation_leaves_no_row(service: AttributeService, store: Database) -> None:
    with pytest.raises(InvalidArgument):
        set_domain(service, queue("x"), domain="qa")
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(MatchableAttribute)) == 0
