"""Executions (flyteadmin §6): creation with inputs and settings resolved, listing, archive, terminate,
relaunch, recover — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flyteidl.admin import (
    cluster_assignment_pb2,
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    matchable_resource_pb2,
    project_attributes_pb2,
    project_domain_attributes_pb2,
    workflow_attributes_pb2,
)
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, security_pb2, types_pb2
from google.protobuf import wrappers_pb2
from sqlalchemy import func, select
from tests.unit.services.execution_fixtures import (
    ADD,
    PIPELINE,
    STORES,
    D,
    P,
    Plane,
    WorkflowPhase,
    build_plane,
    create_request,
    execution_id,
    execution_row,
    integer,
    launch,
    list_request,
    literal_map,
    node_event,
    register_add,
    register_launch_plan,
    register_pipeline,
    store_fixture,
    string,
    task_id,
    workflow_event,
)

from flyteplane.config import Settings
from flyteplane.engine.events import PRODUCER
from flyteplane.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from flyteplane.services.executions.config import effective_execution_config
from flyteplane.services.executions.phases import EXECUTION_CLUSTER, AlreadyInTerminalState
from flyteplane.services.executions.requests import EXECUTION_NAME_ALPHABET
from flyteplane.services.executions.single_task import node_name_for_task
from flyteplane.store.db import Database
from flyteplane.store.models import (
    EngineWorkflow,
    Execution,
    ExecutionTag,
    NamedEntityMetadata,
    Project,
    Workflow,
)

MA = matchable_resource_pb2.MatchingAttributes
WEC = matchable_resource_pb2.WorkflowExecutionConfig
Mode = execution_pb2.ExecutionMetadata.ExecutionMode


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Database:
    return store_fixture(request)


@pytest.fixture
def plane(store: Database, settings: Settings, tmp_path: Path) -> Plane:
    return build_plane(store, settings, tmp_path)


@pytest.fixture
def plan(plane: Plane) -> identifier_pb2.Identifier:
    return register_pipeline(plane)


def stored_inputs(plane: Plane, name: str, leaf: str = "inputs.pb") -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap.FromString(plane.blobs.get_bytes(f"metadata/{P}/{D}/{name}/{leaf}"))


def count_executions(plane: Plane) -> int:
    with plane.db.read() as session:
        return int(session.scalar(select(func.count(Execution.id))) or 0)


def get(plane: Plane, name: str) -> execution_pb2.Execution:
    return plane.executions.get_execution(execution_pb2.WorkflowExecutionGetRequest(id=execution_id(name)))


# -- what a new execution is ---------------------------------------------------------------------------------


def test_created_execution_is_undefined_with_its_workflow_and_a_due_engine_row(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    created = launch(plane, plan, "e1", a=integer(5))
    assert (created.project, created.domain, created.name) == (P, D, "e1")
    execution = get(plane, "e1")
    assert execution.closure.phase == WorkflowPhase.UNDEFINED
    assert execution.closure.created_at == execution.closure.updated_at
    assert execution.closure.created_at.seconds > 0
    assert execution.closure.workflow_id.name == PIPELINE
    assert execution.closure.workflow_id.resource_type == identifier_pb2.WORKFLOW
    assert execution.closure.state_change_details.state == execution_pb2.EXECUTION_ACTIVE
    assert execution.spec.launch_plan == plan
    assert not execution.spec.inputs.literals
    assert execution.spec.metadata.system_metadata.namespace == f"{P}-{D}"
    row = execution_row(plane, "e1")
    assert (row.phase, row.launch_entity, row.mode, row.state) == ("UNDEFINED", "launch_plan", 0, 0)
    assert row.launch_plan_id is not None and row.task_id is None
    with plane.db.read() as session:
        engine = session.get(EngineWorkflow, row.id)
        workflow = session.get(Workflow, row.workflow_id)
    assert engine is not None and not engine.done and not engine.abort_requested
    assert workflow is not None and workflow.name == PIPELINE
    assert plane.woken.executions == [(P, D, "e1")]


def test_inputs_merge_defaults_and_user_inputs_are_kept_apart(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    launch(plane, plan, "e1", a=integer(5))
    assert stored_inputs(plane, "e1") == literal_map(a=integer(5), b=integer(2))
    assert stored_inputs(plane, "e1", "user_inputs.pb") == literal_map(a=integer(5))
    row = execution_row(plane, "e1")
    assert row.inputs_uri == plane.blobs.native_url(f"metadata/{P}/{D}/e1/inputs.pb")
    assert row.user_inputs_uri == plane.blobs.native_url(f"metadata/{P}/{D}/e1/user_inputs.pb")


def test_inputs_sent_in_the_spec_by_old_clients_are_used(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    request = create_request(plan, "e1")
    request.spec.inputs.CopyFrom(literal_map(b=integer(7)))
    plane.executions.create_execution(request)
    assert stored_inputs(plane, "e1") == literal_map(a=integer(1), b=integer(7))


def test_fixed_inputs_are_added_and_cannot_be_given(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    spec = launch_plan_pb2.LaunchPlanSpec(fixed_inputs=literal_map(a=integer(40)))
    fixed = register_launch_plan(plane, "fixed", spec)
    launch(plane, fixed, "e1", b=integer(2))
    assert stored_inputs(plane, "e1") == literal_map(a=integer(40), b=integer(2))
    with pytest.raises(InvalidArgument, match=r"^invalid input a$"):
        launch(plane, fixed, "e2", a=integer(1))


def required_plan(plane: Plane) -> identifier_pb2.Identifier:
    spec = launch_plan_pb2.LaunchPlanSpec(
        default_inputs=interface_pb2.ParameterMap(
            parameters={
                "a": interface_pb2.Parameter(
                    var=interface_pb2.Variable(type=types_pb2.LiteralType(simple=types_pb2.INTEGER)),
                    required=True,
                )
            }
        )
    )
    return register_launch_plan(plane, "required", spec)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({}, "^expected_inputs a missing$"),
        ({"a": string("x")}, r"^invalid a input wrong type. Expected simple:INTEGER, but got simple:STRING$"),
        ({"a": integer(1), "c": integer(3)}, "^invalid input c$"),
        ({"a": literals_pb2.Literal()}, "^missing valid literal in inputs a$"),
    ],
)
def test_input_mistakes_are_refused_with_flyteadmins_messages_and_nothing_is_written(
    plane: Plane, plan: identifier_pb2.Identifier, inputs: dict[str, literals_pb2.Literal], message: str
) -> None:
    required = required_plan(plane)
    with pytest.raises(InvalidArgument, match=message):
        launch(plane, required, "e1", **inputs)
    assert count_executions(plane) == 0
    assert not plane.blobs.exists(f"metadata/{P}/{D}/e1/inputs.pb")
    assert plane.woken.executions == []


def test_an_invalid_datetime_input_is_refused(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    bad = literals_pb2.Literal()
    bad.scalar.primitive.datetime.seconds = 253_402_300_800  # year 10000
    with pytest.raises(InvalidArgument, match=r"after 9999-12-31"):
        launch(plane, plan, "e1", a=bad)


def test_every_datetime_input_is_checked_not_only_the_first(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    """flyteadmin stops validating at the first datetime literal it meets (a quirk, not kept): a valid `a`
    must not let an invalid `b` through."""
    good, bad = literals_pb2.Literal(), literals_pb2.Literal()
    good.scalar.primitive.datetime.seconds = 0
    bad.scalar.primitive.datetime.nanos = -1
    with pytest.raises(InvalidArgument, match="has out-of-range nanos"):
        launch(plane, plan, "e1", a=good, b=bad)


# -- names ---------------------------------------------------------------------------------------------------


def test_generated_names_are_twenty_characters_starting_with_a(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    names = {launch(plane, plan).name for _ in range(5)}
    assert len(names) == 5
    for name in names:
        assert len(name) == 20 and name[0] == "a"
        assert set(name[1:]) <= set(EXECUTION_NAME_ALPHABET)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1abc", r"^invalid name format: 1abc, does not match regex '\^\[a-z\]\[a-z\\-0-9\]\*\$'$"),
        ("a_b", "invalid name format: a_b"),
        ("a" * 64, "^size of name exceeded length 63 : a{64}$"),
    ],
)
def test_bad_names_are_refused(plane: Plane, plan: identifier_pb2.Identifier, name: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        launch(plane, plan, name)


def test_upper_case_names_are_accepted_as_given(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    """flyteadmin checks the lower-cased name but keeps the name as given (a quirk, kept: names that flytekit
    users already use keep working)."""
    assert launch(plane, plan, "MyRun").name == "MyRun"


def test_a_taken_name_is_already_exists_and_leaves_the_first_execution_alone(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    launch(plane, plan, "e1", a=integer(5))
    with pytest.raises(AlreadyExists, match=r"value with matching already exists"):
        launch(plane, plan, "e1", a=integer(9))
    assert stored_inputs(plane, "e1") == literal_map(a=integer(5), b=integer(2))
    assert count_executions(plane) == 1


# -- request checks ------------------------------------------------------------------------------------------


def test_request_checks_follow_flyteadmins_order_and_messages(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    def refused(request: execution_pb2.ExecutionCreateRequest) -> str:
        with pytest.raises(InvalidArgument) as caught:
            plane.executions.create_execution(request)
        return caught.value.message

    assert refused(execution_pb2.ExecutionCreateRequest()) == "missing project"
    assert refused(execution_pb2.ExecutionCreateRequest(project=P)) == "missing domain"
    assert refused(execution_pb2.ExecutionCreateRequest(project=P, domain=D)) == "missing spec"
    assert refused(create_request(plan, project="nope")).startswith(
        "failed to validate that project [nope] and domain [development] are registered"
    )
    assert refused(create_request(plan, project="archived")) == "project [archived] is not active"
    no_version = identifier_pb2.Identifier()
    no_version.CopyFrom(plan)
    no_version.version = ""
    assert refused(create_request(no_version)) == "missing version"
    wrong_kind = identifier_pb2.Identifier()
    wrong_kind.CopyFrom(plan)
    wrong_kind.resource_type = identifier_pb2.WORKFLOW
    assert refused(create_request(wrong_kind)) == (
        "Invalid reference entity resource type [WORKFLOW], only [map[LAUNCH_PLAN:<nil> TASK:<nil>]] allowed"
    )
    labelled = create_request(plan)
    labelled.spec.labels.values["bad key!"] = "v"
    assert refused(labelled).startswith("invalid label key [bad key!]")
    noisy = create_request(plan)
    noisy.spec.notifications.notifications.add().email.recipients_email.append("a@b.c")
    noisy.spec.notifications.notifications[0].phases.append(WorkflowPhase.RUNNING)
    assert refused(noisy) == "invalid value for phase"


def test_a_missing_launch_plan_is_not_found(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    missing = identifier_pb2.Identifier()
    missing.CopyFrom(plan)
    missing.version = "v9"
    with pytest.raises(NotFound, match=r"missing entity of type LAUNCH_PLAN"):
        launch(plane, missing)


# -- single-task executions ----------------------------------------------------------------------------------


def test_a_task_runs_in_a_generated_workflow_and_launch_plan(plane: Plane) -> None:
    task = register_add(plane)
    launch(plane, task, "e1", a=integer(1), b=integer(2))
    execution = get(plane, "e1")
    assert execution.spec.launch_plan.resource_type == identifier_pb2.TASK
    assert execution.closure.workflow_id.name == f".flytegen.{ADD}"
    row = execution_row(plane, "e1")
    assert (row.launch_entity, row.launch_plan_id) == ("task", None)
    assert row.task_id is not None
    generated = plane.workflows.get_workflow(
        common_pb2.ObjectGetRequest(
            id=identifier_pb2.Identifier(
                resource_type=identifier_pb2.WORKFLOW,
                project=P,
                domain=D,
                name=f".flytegen.{ADD}",
                version="v1",
            )
        )
    )
    (node,) = [n for n in generated.closure.compiled_workflow.primary.template.nodes if n.HasField("task_node")]
    assert node.id == "testsunitservicesflytekitspecsadd"
    assert node.metadata.retries.retries == 0  # the task's own retry strategy (flytekit always sends one)
    plan = plane.launch_plans.get_launch_plan(
        common_pb2.ObjectGetRequest(
            id=identifier_pb2.Identifier(
                resource_type=identifier_pb2.LAUNCH_PLAN,
                project=P,
                domain=D,
                name=f".flytegen.{ADD}",
                version="v1",
            )
        )
    )
    assert plan.closure.state == launch_plan_pb2.INACTIVE
    assert all(parameter.required for parameter in plan.closure.expected_inputs.parameters.values())
    with plane.db.read() as session:
        states = set(
            session.scalars(select(NamedEntityMetadata.state).where(NamedEntityMetadata.name == f".flytegen.{ADD}"))
        )
    assert states == {common_pb2.SYSTEM_GENERATED}


def test_the_generated_launch_plan_names_the_generated_workflow(plane: Plane) -> None:
    """flyteadmin's generated launch plan names the plain task as its workflow (a workflow that does not
    exist); here it names the `.flytegen.` workflow it launches."""
    task = register_add(plane)
    launch(plane, task, a=integer(1), b=integer(2))
    plan = plane.launch_plans.get_launch_plan(
        common_pb2.ObjectGetRequest(
            id=identifier_pb2.Identifier(
                resource_type=identifier_pb2.LAUNCH_PLAN,
                project=P,
                domain=D,
                name=f".flytegen.{ADD}",
                version="v1",
            )
        )
    )
    assert plan.spec.workflow_id.name == f".flytegen.{ADD}"


def test_single_task_labels_and_tags_are_filterable(plane: Plane) -> None:
    """flyteadmin stores no tag rows for single-task executions (a quirk, not kept): their labels and tags are
    searchable like any execution's."""
    request = create_request(register_add(plane), "e1", a=integer(1), b=integer(2))
    request.spec.tags.append("adhoc")
    plane.executions.create_execution(request)
    found = plane.executions.list_executions(list_request(filters="eq(execution_tag.key,adhoc)"))
    assert [execution.id.name for execution in found.executions] == ["e1"]


def test_every_task_input_is_required(plane: Plane) -> None:
    """The generated launch plan has no defaults, so a task's inputs are all required (flyteadmin, kept)."""
    task = register_add(plane)
    with pytest.raises(InvalidArgument, match=r"^expected_inputs b missing$"):
        launch(plane, task, a=integer(1))


def test_a_missing_task_is_not_found(plane: Plane) -> None:
    with pytest.raises(NotFound, match=r"missing entity of type TASK"):
        launch(plane, task_id("v404"), a=integer(1), b=integer(2))


def test_concurrent_first_runs_of_a_task_share_one_generated_workflow(plane: Plane) -> None:
    task = register_add(plane)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            launch(plane, task, a=integer(1), b=integer(2))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert count_executions(plane) == 4
    with plane.db.read() as session:
        generated = session.scalar(select(func.count(Workflow.id)).where(Workflow.name == f".flytegen.{ADD}"))
    assert generated == 1


def test_generated_node_ids_keep_letters_digits_and_dashes_of_the_names_tail() -> None:
    assert node_name_for_task("my_module.add-2") == "mymoduleadd-2"
    assert node_name_for_task("x" * 70 + ".y") == "x" * 61 + "y"


# -- settings ------------------------------------------------------------------------------------------------


def config_of(plane: Plane, name: str) -> matchable_resource_pb2.WorkflowExecutionConfig:
    return effective_execution_config(execution_row(plane, name).execution_config)


def test_request_settings_are_kept_and_win(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    request = create_request(plan, "e1")
    spec = request.spec
    spec.labels.values["team"] = "ml"
    spec.annotations.values["note"] = "x"
    spec.envs.values.add(key="E", value="1")
    spec.tags.append("nightly")
    spec.max_parallelism = 7
    spec.raw_output_data_config.output_location_prefix = "s3://bucket/raw"
    spec.security_context.run_as.k8s_service_account = "sa"
    spec.interruptible.CopyFrom(wrappers_pb2.BoolValue(value=True))
    spec.overwrite_cache = True
    plane.executions.create_execution(request)
    config = config_of(plane, "e1")
    assert config.max_parallelism == 7
    assert config.raw_output_data_config.output_location_prefix == "s3://bucket/raw"
    assert config.security_context.run_as.k8s_service_account == "sa"
    assert dict(config.labels.values) == {"team": "ml"}
    assert dict(config.annotations.values) == {"note": "x"}
    assert [(e.key, e.value) for e in config.envs.values] == [("E", "1")]
    assert config.interruptible.value is True and config.overwrite_cache is True
    stored = get(plane, "e1").spec
    assert stored.max_parallelism == 7
    assert stored.security_context.run_as.k8s_service_account == "sa"
    assert list(stored.tags) == ["nightly"]


def test_launch_plan_settings_apply_when_the_request_has_none(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    spec = launch_plan_pb2.LaunchPlanSpec(
        max_parallelism=3,
        raw_output_data_config=common_pb2.RawOutputDataConfig(output_location_prefix="s3://lp"),
        overwrite_cache=True,
        interruptible=wrappers_pb2.BoolValue(value=False),
    )
    spec.labels.values["from"] = "lp"
    configured = register_launch_plan(plane, "configured", spec)
    request = create_request(configured, "e1")
    request.spec.security_context.SetInParent()  # an empty context, as clients send, hides nothing
    request.spec.raw_output_data_config.SetInParent()
    plane.executions.create_execution(request)
    config = config_of(plane, "e1")
    assert config.max_parallelism == 3
    assert config.raw_output_data_config.output_location_prefix == "s3://lp"
    assert config.overwrite_cache and config.HasField("interruptible") and not config.interruptible.value
    assert dict(config.labels.values) == {"from": "lp"}
    assert get(plane, "e1").spec.max_parallelism == 3


def test_matchable_execution_config_fills_gaps_and_mixes_project_with_domain_levels(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    plane.attributes.update_project_domain_attributes(
        project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest(
            attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
                project=P,
                domain=D,
                matching_attributes=MA(
                    workflow_execution_config=WEC(
                        security_context=security_pb2.SecurityContext(
                            run_as=security_pb2.Identity(k8s_service_account="domain-sa")
                        )
                    )
                ),
            )
        )
    )
    plane.attributes.update_project_attributes(
        project_attributes_pb2.ProjectAttributesUpdateRequest(
            attributes=project_attributes_pb2.ProjectAttributes(
                project=P, matching_attributes=MA(workflow_execution_config=WEC(max_parallelism=11))
            )
        )
    )
    launch(plane, plan, "e1")
    config = config_of(plane, "e1")
    assert config.security_context.run_as.k8s_service_account == "domain-sa"
    assert config.max_parallelism == 11


def test_workflow_level_attributes_beat_domain_level_ones(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    for workflow, value in ((PIPELINE, 4), ("", 9)):
        attributes = MA(workflow_execution_config=WEC(max_parallelism=value))
        if workflow:
            plane.attributes.update_workflow_attributes(
                workflow_attributes_pb2.WorkflowAttributesUpdateRequest(
                    attributes=workflow_attributes_pb2.WorkflowAttributes(
                        project=P, domain=D, workflow=workflow, matching_attributes=attributes
                    )
                )
            )
        else:
            plane.attributes.update_project_domain_attributes(
                project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest(
                    attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
                        project=P, domain=D, matching_attributes=attributes
                    )
                )
            )
    launch(plane, plan, "e1")
    assert config_of(plane, "e1").max_parallelism == 4


def test_platform_defaults_and_an_empty_identity_complete_the_configuration(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    launch(plane, plan, "e1")
    config = config_of(plane, "e1")
    assert config.max_parallelism == 25
    assert config.HasField("security_context") and config.security_context.HasField("run_as")
    assert get(plane, "e1").spec.max_parallelism == 25


def test_a_legacy_auth_role_becomes_the_identity(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    request = create_request(plan, "e1")
    request.spec.auth_role.kubernetes_service_account = "legacy-sa"
    plane.executions.create_execution(request)
    assert config_of(plane, "e1").security_context.run_as.k8s_service_account == "legacy-sa"


def test_project_labels_join_the_executions_labels(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    with plane.db.transaction() as session:
        project = session.scalar(select(Project).where(Project.identifier == P))
        assert project is not None
        project.labels = common_pb2.Labels(values={"cost": "ml", "team": "project"}).SerializeToString()
    request = create_request(plan, "e1")
    request.spec.labels.values["team"] = "mine"
    plane.executions.create_execution(request)
    assert dict(config_of(plane, "e1").labels.values) == {"cost": "ml", "team": "mine"}


def test_a_cluster_pool_may_not_contradict_the_configured_one(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    plane.attributes.update_project_domain_attributes(
        project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest(
            attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
                project=P,
                domain=D,
                matching_attributes=MA(
                    cluster_assignment=cluster_assignment_pb2.ClusterAssignment(cluster_pool_name="gpu")
                ),
            )
        )
    )
    request = create_request(plan, "e1")
    request.spec.cluster_assignment.cluster_pool_name = "cpu"
    with pytest.raises(InvalidArgument, match=r'cannot run on cluster pool "cpu", because its configured to run on'):
        plane.executions.create_execution(request)
    request.spec.cluster_assignment.cluster_pool_name = "gpu"
    plane.executions.create_execution(request)


def test_notifications_come_from_the_request_else_the_launch_plan_unless_disabled(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    def email(address: str) -> execution_pb2.Notification:
        return common_pb2.Notification(
            phases=[WorkflowPhase.FAILED], email=common_pb2.EmailNotification(recipients_email=[address])
        )

    spec = launch_plan_pb2.LaunchPlanSpec()
    spec.entity_metadata.notifications.append(email("lp@x.y"))
    notifying = register_launch_plan(plane, "notifying", spec)
    launch(plane, notifying, "e1")
    assert [n.email.recipients_email[0] for n in get(plane, "e1").closure.notifications] == ["lp@x.y"]
    request = create_request(notifying, "e2")
    request.spec.notifications.notifications.append(email("me@x.y"))
    plane.executions.create_execution(request)
    assert [n.email.recipients_email[0] for n in get(plane, "e2").closure.notifications] == ["me@x.y"]
    request = create_request(notifying, "e3")
    request.spec.disable_all = True
    plane.executions.create_execution(request)
    assert list(get(plane, "e3").closure.notifications) == []


def test_a_concurrency_policy_skips_beyond_its_limit(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    spec = launch_plan_pb2.LaunchPlanSpec(
        concurrency_policy=launch_plan_pb2.ConcurrencyPolicy(
            max=1, behavior=launch_plan_pb2.CONCURRENCY_LIMIT_BEHAVIOR_SKIP
        )
    )
    limited = register_launch_plan(plane, "limited", spec)
    first = launch(plane, limited, "e1")
    launch(plane, limited, "e2")  # the first is not running yet: only QUEUED and RUNNING count
    plane.events.create_workflow_event(workflow_event(first, WorkflowPhase.RUNNING))
    with pytest.raises(AlreadyExists, match=r"^concurrency limit \(1\) reached for launch plan limited; skipping"):
        launch(plane, limited, "e3")


def test_new_executions_belong_to_the_cluster_the_engine_reports_from(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    launch(plane, plan, "e1")
    assert EXECUTION_CLUSTER == PRODUCER
    assert execution_row(plane, "e1").cluster == EXECUTION_CLUSTER
    assert get(plane, "e1").spec.metadata.system_metadata.execution_cluster == EXECUTION_CLUSTER


def test_a_long_tag_is_refused(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    request = create_request(plan)
    request.spec.tags.append("t" * 256)
    with pytest.raises(InvalidArgument, match=r"longer than 255 characters"):
        plane.executions.create_execution(request)


# -- child executions ----------------------------------------------------------------------------------------


def test_a_child_execution_inherits_from_the_node_that_launches_it(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    request = create_request(plan, "parent")
    request.spec.execution_cluster_label.value = "big"
    parent = plane.executions.create_execution(request).id
    with plane.db.transaction() as session:
        row = session.scalar(select(Execution).where(Execution.execution_name == "parent"))
        assert row is not None
        row.user = "alice"
    plane.events.create_node_event(node_event(parent, "n0", 1, 0))
    child = create_request(plan, "child")
    child.spec.metadata.mode = Mode.CHILD_WORKFLOW
    child.spec.metadata.parent_node_execution.CopyFrom(
        identifier_pb2.NodeExecutionIdentifier(execution_id=parent, node_id="n0")
    )
    plane.executions.create_execution(child)
    spec = get(plane, "child").spec
    assert spec.metadata.nesting == 1
    assert spec.metadata.principal == "alice"
    assert spec.execution_cluster_label.value == "big"
    row = execution_row(plane, "child")
    assert row.mode == Mode.CHILD_WORKFLOW
    assert row.source_execution_id == execution_row(plane, "parent").id
    assert row.parent_node_execution_id is not None


def test_a_child_of_a_missing_node_is_not_found(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    child = create_request(plan, "child")
    child.spec.metadata.parent_node_execution.CopyFrom(
        identifier_pb2.NodeExecutionIdentifier(execution_id=execution_id("nope"), node_id="n0")
    )
    with pytest.raises(NotFound, match=r"missing entity of type node execution"):
        plane.executions.create_execution(child)
    assert count_executions(plane) == 0


# -- get and list --------------------------------------------------------------------------------------------


def test_get_checks_the_identifier_and_names_a_missing_execution(plane: Plane) -> None:
    with pytest.raises(InvalidArgument, match=r"^missing id$"):
        plane.executions.get_execution(execution_pb2.WorkflowExecutionGetRequest())
    with pytest.raises(InvalidArgument, match=r"^missing name$"):
        plane.executions.get_execution(
            execution_pb2.WorkflowExecutionGetRequest(
                id=identifier_pb2.WorkflowExecutionIdentifier(project=P, domain=D)
            )
        )
    with pytest.raises(NotFound, match=r'missing entity of type execution with identifier \[project:"flytesnacks"'):
        get(plane, "nope")


def names(listed: execution_pb2.ExecutionList) -> list[str]:
    return [execution.id.name for execution in listed.executions]


def test_list_filters_on_execution_columns_and_joined_entities(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    spec = launch_plan_pb2.LaunchPlanSpec()
    other = register_launch_plan(plane, "other", spec)
    launch(plane, plan, "e1")
    running = launch(plane, other, "e2")
    plane.events.create_workflow_event(workflow_event(running, WorkflowPhase.RUNNING))
    listed = plane.executions.list_executions
    ascending = common_pb2.Sort(key="id", direction=common_pb2.Sort.ASCENDING)
    assert names(listed(list_request(sort_by=ascending))) == ["e1", "e2"]
    assert names(listed(list_request(filters="eq(phase,RUNNING)"))) == ["e2"]
    assert names(listed(list_request(filters="eq(execution_name,e1)"))) == ["e1"]
    assert names(listed(list_request(filters="eq(launch_plan.name,other)"))) == ["e2"]
    assert names(listed(list_request(filters=f"eq(workflow.name,{PIPELINE})", sort_by=ascending))) == [
        "e1",
        "e2",
    ]
    assert names(listed(list_request(filters="eq(mode,0)+ne(phase,RUNNING)"))) == ["e1"]
    named = list_request()
    named.id.name = "e2"
    assert names(listed(named)) == ["e2"]


def test_list_filters_reject_what_flyteadmin_rejects(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    """`name` is not an execution column, so flyteadmin refuses `eq(name,...)` before it would rewrite it to
    `execution_name` (a quirk, kept: filters that work against flyteadmin work here and the other way round).
    """
    with pytest.raises(InvalidArgument, match=r"^'e.name' is invalid filter$"):
        plane.executions.list_executions(list_request(filters="eq(name,e1)"))
    with pytest.raises(InvalidArgument, match=r"^'ne' entity is not allowed in filters$"):
        plane.executions.list_executions(list_request(filters="eq(node_execution.phase,RUNNING)"))
    with pytest.raises(InvalidArgument, match=r"^invalid value for limit$"):
        plane.executions.list_executions(list_request(limit=0))
    with pytest.raises(InvalidArgument, match=r"^missing domain$"):
        plane.executions.list_executions(
            common_pb2.ResourceListRequest(id=common_pb2.NamedEntityIdentifier(project=P), limit=1)
        )
    with pytest.raises(InvalidArgument, match=r"invalid sort key 'spec'"):
        plane.executions.list_executions(list_request(sort_by=common_pb2.Sort(key="spec")))


def test_tag_filters_match_one_tag_row_and_list_each_execution_once(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    """flyteadmin joins tags on the execution name only (duplicate rows, other projects' tags); here a tag
    filter asks whether the execution itself has a tag row satisfying every tag condition."""
    request = create_request(plan, "e1")
    request.spec.labels.values["eager-exec"] = "parent1"
    request.spec.tags.extend(["nightly", "gpu"])
    plane.executions.create_execution(request)
    other = create_request(plan, "e2")
    other.spec.labels.values["eager-exec"] = "parent2"
    plane.executions.create_execution(other)
    listed = plane.executions.list_executions
    assert names(
        listed(list_request(filters="value_in(execution_tag.key,eager-exec)+value_in(execution_tag.value,parent1)"))
    ) == ["e1"]
    assert names(listed(list_request(filters="eq(execution_tag.key,nightly)"))) == ["e1"]
    assert names(listed(list_request(filters="eq(execution_tag.key,nightly)+eq(execution_tag.value,parent1)"))) == []
    with plane.db.read() as session:
        tags = {(row.key, row.value) for row in session.execute(select(ExecutionTag.key, ExecutionTag.value))}
    assert tags >= {("eager-exec", "parent1"), ("nightly", ""), ("gpu", ""), ("eager-exec", "parent2")}


def test_list_pages_with_tokens(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    for index in range(5):
        launch(plane, plan, f"e{index}")
    seen: list[str] = []
    token = ""
    while True:
        page = plane.executions.list_executions(list_request(limit=2, token=token))
        seen.extend(names(page))
        token = page.token
        if not token:
            break
    assert sorted(seen) == [f"e{index}" for index in range(5)]
    newest_first = plane.executions.list_executions(list_request(limit=5, sort_by=common_pb2.Sort(key="created_at")))
    assert names(newest_first) == ["e4", "e3", "e2", "e1", "e0"]


def test_listed_errors_are_trimmed_and_get_keeps_them_whole(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    failed = launch(plane, plan, "e1")
    message = "é" * 80  # 160 bytes
    error = core_execution_pb2.ExecutionError(code="Boom", message=message, kind=core_execution_pb2.ExecutionError.USER)
    plane.events.create_workflow_event(workflow_event(failed, WorkflowPhase.FAILED, error=error))
    (listed,) = plane.executions.list_executions(list_request()).executions
    assert listed.closure.error.message == "é" * 50
    assert get(plane, "e1").closure.error.message == message


# -- archive -------------------------------------------------------------------------------------------------


def test_archived_executions_are_hidden_unless_a_filter_names_state(
    plane: Plane, plan: identifier_pb2.Identifier
) -> None:
    """Any filter on a field called `state` lifts the default, even another entity's (flyteadmin's rule,
    kept)."""
    launch(plane, plan, "e1")
    launch(plane, plan, "e2")
    plane.executions.update_execution(
        execution_pb2.ExecutionUpdateRequest(id=execution_id("e1"), state=execution_pb2.EXECUTION_ARCHIVED)
    )
    assert names(plane.executions.list_executions(list_request())) == ["e2"]
    assert names(plane.executions.list_executions(list_request(filters="eq(state,1)"))) == ["e1"]
    details = get(plane, "e1").closure.state_change_details
    assert details.state == execution_pb2.EXECUTION_ARCHIVED and details.occurred_at.seconds > 0
    plane.executions.update_execution(
        execution_pb2.ExecutionUpdateRequest(id=execution_id("e1"), state=execution_pb2.EXECUTION_ACTIVE)
    )
    assert len(plane.executions.list_executions(list_request()).executions) == 2


def test_update_refuses_unknown_states_and_executions(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    launch(plane, plan, "e1")
    with pytest.raises(InvalidArgument, match=r"invalid value for state"):
        plane.executions.update_execution(execution_pb2.ExecutionUpdateRequest(id=execution_id("e1"), state=7))
    with pytest.raises(NotFound):
        plane.executions.update_execution(execution_pb2.ExecutionUpdateRequest(id=execution_id("nope")))


# -- terminate -----------------------------------------------------------------------------------------------


def test_terminate_marks_aborting_and_asks_the_engine_to_abort(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    created = launch(plane, plan, "e1")
    plane.woken.executions.clear()
    plane.executions.terminate_execution(execution_pb2.ExecutionTerminateRequest(id=created, cause="no longer needed"))
    execution = get(plane, "e1")
    assert execution.closure.phase == WorkflowPhase.ABORTING
    assert execution.closure.abort_metadata.cause == "no longer needed"
    row = execution_row(plane, "e1")
    assert (row.phase, row.abort_cause) == ("ABORTING", "no longer needed")
    with plane.db.read() as session:
        engine = session.get(EngineWorkflow, row.id)
    assert engine is not None and engine.abort_requested
    assert plane.woken.executions == [(P, D, "e1")]
    plane.executions.terminate_execution(execution_pb2.ExecutionTerminateRequest(id=created, cause="again"))


def test_a_finished_execution_cannot_be_terminated(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    created = launch(plane, plan, "e1")
    plane.events.create_workflow_event(workflow_event(created, WorkflowPhase.RUNNING, 1))
    plane.events.create_workflow_event(workflow_event(created, WorkflowPhase.SUCCEEDED, 2))
    with pytest.raises(
        AlreadyInTerminalState, match=r"^Cannot abort an already terminated workflow execution$"
    ) as caught:
        plane.executions.terminate_execution(execution_pb2.ExecutionTerminateRequest(id=created))
    assert isinstance(caught.value, FailedPrecondition) and caught.value.current_phase == "SUCCEEDED"
    with pytest.raises(NotFound):
        plane.executions.terminate_execution(execution_pb2.ExecutionTerminateRequest(id=execution_id("nope")))
    with pytest.raises(InvalidArgument, match=r"missing id"):
        plane.executions.terminate_execution(execution_pb2.ExecutionTerminateRequest())


def test_an_aborted_execution_keeps_its_abort_metadata(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    created = launch(plane, plan, "e1")
    plane.executions.terminate_execution(execution_pb2.ExecutionTerminateRequest(id=created, cause="stop"))
    plane.events.create_workflow_event(workflow_event(created, WorkflowPhase.ABORTED, 3))
    closure = get(plane, "e1").closure
    assert closure.phase == WorkflowPhase.ABORTED and closure.abort_metadata.cause == "stop"


# -- relaunch and recover ------------------------------------------------------------------------------------


def test_relaunch_runs_the_same_spec_and_user_inputs_again(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    request = create_request(plan, "e1", a=integer(5))
    request.spec.labels.values["team"] = "ml"
    plane.executions.create_execution(request)
    relaunched = plane.executions.relaunch_execution(
        execution_pb2.ExecutionRelaunchRequest(id=execution_id("e1"), name="e2", overwrite_cache=True)
    ).id
    assert relaunched.name == "e2"
    spec = get(plane, "e2").spec
    assert spec.metadata.mode == Mode.RELAUNCH
    assert spec.metadata.reference_execution == execution_id("e1")
    assert spec.overwrite_cache and dict(spec.labels.values) == {"team": "ml"}
    assert stored_inputs(plane, "e2", "user_inputs.pb") == literal_map(a=integer(5))
    assert stored_inputs(plane, "e2") == literal_map(a=integer(5), b=integer(2))
    assert execution_row(plane, "e2").source_execution_id == execution_row(plane, "e1").id
    generated = plane.executions.relaunch_execution(execution_pb2.ExecutionRelaunchRequest(id=execution_id("e1")))
    assert len(generated.id.name) == 20


def test_recover_references_the_original_for_the_engine(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    launch(plane, plan, "e1", b=integer(3))
    plane.executions.recover_execution(execution_pb2.ExecutionRecoverRequest(id=execution_id("e1"), name="e2"))
    spec = get(plane, "e2").spec
    assert spec.metadata.mode == Mode.RECOVERED
    assert spec.metadata.reference_execution == execution_id("e1")
    assert stored_inputs(plane, "e2") == literal_map(a=integer(1), b=integer(3))
    assert execution_row(plane, "e2").mode == Mode.RECOVERED
    with pytest.raises(NotFound):
        plane.executions.recover_execution(execution_pb2.ExecutionRecoverRequest(id=execution_id("nope")))


def test_recovering_a_child_names_the_node_that_launches_it(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    parent = launch(plane, plan, "parent")
    plane.events.create_node_event(node_event(parent, "n1", 1))
    launch(plane, plan, "old-child")
    metadata = execution_pb2.ExecutionMetadata(
        parent_node_execution=identifier_pb2.NodeExecutionIdentifier(execution_id=parent, node_id="n1")
    )
    plane.executions.recover_execution(
        execution_pb2.ExecutionRecoverRequest(id=execution_id("old-child"), name="new-child", metadata=metadata)
    )
    assert get(plane, "new-child").spec.metadata.parent_node_execution.node_id == "n1"
    assert execution_row(plane, "new-child").parent_node_execution_id is not None


# -- data ----------------------------------------------------------------------------------------------------


def test_execution_data_inlines_inputs_and_outputs_once_known(plane: Plane, plan: identifier_pb2.Identifier) -> None:
    created = launch(plane, plan, "e1", a=integer(5))
    request = execution_pb2.WorkflowExecutionGetDataRequest(id=created)
    data = plane.executions.get_execution_data(request)
    assert data.full_inputs == literal_map(a=integer(5), b=integer(2))
    assert not data.full_outputs.literals and not data.outputs.url
    outputs_key = "metadata/propeller/x/end-node/data/0/outputs.pb"
    plane.blobs.put_bytes(outputs_key, literal_map(o0=integer(9)).SerializeToString())
    plane.events.create_workflow_event(workflow_event(created, WorkflowPhase.RUNNING, 1))
    plane.events.create_workflow_event(
        workflow_event(created, WorkflowPhase.SUCCEEDED, 2, output_uri=plane.blobs.native_url(outputs_key))
    )
    assert plane.executions.get_execution_data(request).full_outputs == literal_map(o0=integer(9))
    with pytest.raises(NotFound):
        plane.executions.get_execution_data(execution_pb2.WorkflowExecutionGetDataRequest(id=execution_id("no")))
