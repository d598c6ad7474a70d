"""Every RPC of the five services against a real `flyteplane serve` (SQLite): an empty request, then a few hundred
generated and mutated ones each (issue 9). No answer may be INTERNAL or UNKNOWN, none may take over 10 s, the
server must not exit, and afterwards every stored protobuf parses and no row is orphaned.

Deterministic by default (hypothesis derandomized), so CI sees the same requests each run; set
FLYTEPLANE_FUZZ_SEED to explore other ones and FLYTEPLANE_FUZZ_EXAMPLES to change how many each RPC gets.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from flyteidl.admin import (
    common_pb2,
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
    workflow_attributes_pb2,
    workflow_pb2,
)
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2, types_pb2
from flyteidl.event import event_pb2
from flyteidl.service import admin_pb2, auth_pb2, dataproxy_pb2, identity_pb2
from flyteidl.service import signal_pb2 as signal_service_pb2
from google.protobuf import message_factory, text_format
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, seed, settings
from tests.integration.fuzz.integrity import integrity_problems
from tests.integration.fuzz.strategies import Pool, request_bodies
from tests.integration.server import RunningServer, start_server
from tests.integration.support import serialize, use_apps

pytestmark = pytest.mark.fuzz

SERVICES = [
    admin_pb2.DESCRIPTOR.services_by_name["AdminService"],
    dataproxy_pb2.DESCRIPTOR.services_by_name["DataProxyService"],
    signal_service_pb2.DESCRIPTOR.services_by_name["SignalService"],
    auth_pb2.DESCRIPTOR.services_by_name["AuthMetadataService"],
    identity_pb2.DESCRIPTOR.services_by_name["IdentityService"],
]
METHODS = [(service, method) for service in SERVICES for method in service.methods]
EXAMPLES = int(os.environ.get("FLYTEPLANE_FUZZ_EXAMPLES", "150"))
SEED = os.environ.get("FLYTEPLANE_FUZZ_SEED")
HANG_SECONDS = 10
PROJECT, DOMAIN, VERSION = "fuzz", "development", "v1"
BAD_CODES = (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)
MATCHING = matchable_resource_pb2.MatchingAttributes(
    task_resource_attributes=matchable_resource_pb2.TaskResourceAttributes(
        defaults=matchable_resource_pb2.TaskResourceSpec(cpu="1", memory="1Gi")
    )
)
# RPCs whose seeds name something new each time: a mutated registration under a fresh version gets compiled and
# stored instead of being compared with the seed (ALREADY_EXISTS or "different structure").
FRESH_VERSIONS = {"CreateTask", "CreateWorkflow", "CreateLaunchPlan"}
EVENT_RPCS = ("CreateWorkflowEvent", "CreateNodeEvent", "CreateTaskEvent")


@dataclass(frozen=True)
class Allowance:
    """A known finding that needs a larger change than the fuzz test's author could make: the exact status, RPC
    and server-side exception it produces, so nothing else hides behind it. Remove the entry once fixed."""

    code: grpc.StatusCode
    rpc: str
    exception: re.Pattern[str]  # matched against the last line of the traceback the server logged
    why: str


# Orphans by design, not by accident: what kind, and why it is allowed. Remove an entry once the design changes.
KNOWN_ORPHANS = {
    # GetOrCreateSignal stores a signal without looking its execution up ("any engine's gate may ask", pinned by
    # tests/unit/services/executions/test_signals.py::test_the_execution_is_not_looked_up), so any caller can
    # create them; issue 9 item 10 (events and signals from strangers) is where that closes.
    "signals without their execution",
}

# Empty: every finding so far was fixed. Add an entry only with an issue to remove it, e.g.
#   Allowance(grpc.StatusCode.INTERNAL, "AdminService.X", re.compile(r"^ValueError: ..."), "issue N: why")
ALLOWED: list[Allowance] = []


@dataclass
class Target:
    """The server under fuzz, a channel to it, and what requests start from."""

    server: RunningServer
    channel: grpc.Channel
    pool: Pool
    seeds: dict[str, list[Message]] = field(default_factory=dict)
    calls: int = 0
    answers: Counter[tuple[str, str]] = field(default_factory=Counter)  # (rpc, status) -> how often

    def call(self, rpc: str, body: bytes) -> tuple[grpc.StatusCode, str, float]:
        started = time.monotonic()
        try:
            self.channel.unary_unary(rpc)(body, timeout=HANG_SECONDS)
            code, details = grpc.StatusCode.OK, ""
        except grpc.RpcError as exc:
            code, details = exc.code(), exc.details() or ""  # type: ignore[attr-defined]
        self.calls += 1
        self.answers[(rpc.rsplit("/", 1)[-1], code.name)] += 1
        return code, details, time.monotonic() - started

    def check(self, service: Any, method: Any, body: bytes) -> None:
        """One request: fails on a hang, a server exit, INTERNAL or UNKNOWN (unless allowed exactly)."""
        rpc = f"/{service.full_name}/{method.name}"
        log_offset = self.server.log.stat().st_size
        code, details, seconds = self.call(rpc, body)
        shown = f"{service.name}.{method.name} with {describe(method, body)}"
        assert self.server.process.poll() is None, f"the server exited after {shown}:\n{self.log_since(0)[-3000:]}"
        assert code != grpc.StatusCode.DEADLINE_EXCEEDED, f"no answer in {HANG_SECONDS} s to {shown}"
        if code in BAD_CODES:
            exception = self.logged_exception(log_offset)
            if not allowed(code, f"{service.name}.{method.name}", exception):
                raise AssertionError(f"{code.name} ({details}) for {shown}\nserver: {exception}")
        assert seconds < HANG_SECONDS

    def log_since(self, offset: int) -> str:
        with self.server.log.open() as log:
            log.seek(offset)
            return log.read()

    def logged_exception(self, offset: int) -> str:
        """The last line of the traceback the server logged for the call (stderr is line-buffered)."""
        for _ in range(20):
            lines = [line for line in self.log_since(offset).splitlines() if line and not line.startswith(" ")]
            if lines and not lines[-1][:4].isdigit():
                return lines[-1]
            time.sleep(0.05)
        return "(no traceback logged)"


def allowed(code: grpc.StatusCode, rpc: str, exception: str) -> bool:
    return any(a.code == code and a.rpc == rpc and a.exception.search(exception) for a in ALLOWED)


def describe(method: Any, body: bytes) -> str:
    """The request as text for a failure message (or its bytes when it does not parse)."""
    request_type = message_factory.GetMessageClass(method.input_type)
    try:
        text = text_format.MessageToString(request_type.FromString(body), as_one_line=True)
    except Exception:
        return f"undecodable bytes {body[:200]!r}"
    return f"{method.input_type.name} {{{text[:1500]}}}"


def no_op_environment(folder: Path) -> Path:
    """Stand-ins for flytekit's entry points: the executions fuzzing creates fail at once, costing no CPU."""
    folder.mkdir()
    for name in ("pyflyte-execute", "pyflyte-fast-execute", "pyflyte-map-execute"):
        script = folder / name
        script.write_text("#!/bin/sh\nexit 1\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def register_seeds(target: Target) -> None:
    """A project with arithmetic's tasks, workflow and launch plan, and one execution of it, so that generated
    identifiers can name things that exist and requests get past lookups."""
    use_apps()
    from flytekit import FlyteContextManager, LaunchPlan
    from pipelines import workflows

    admin = target.channel
    rpc = lambda name: admin.unary_unary(f"/flyteidl.service.AdminService/{name}")  # noqa: E731
    call = lambda name, message: rpc(name)(message.SerializeToString(), timeout=30)  # noqa: E731
    call("RegisterProject", project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id=PROJECT, name=PROJECT)))
    plan = LaunchPlan.get_default_launch_plan(FlyteContextManager.current_context(), workflows.arithmetic)
    protos = serialize(plan, PROJECT, VERSION)
    seeds = target.seeds
    for spec in protos["tasks"]:
        request = task_pb2.TaskCreateRequest(id=spec.template.id, spec=spec)
        call("CreateTask", request)
        seeds.setdefault("CreateTask", []).append(request)
    for spec in protos["workflows"]:
        request = workflow_pb2.WorkflowCreateRequest(id=spec.template.id, spec=spec)
        call("CreateWorkflow", request)
        seeds.setdefault("CreateWorkflow", []).append(request)
    for launch_plan in protos["launch_plans"]:
        request = launch_plan_pb2.LaunchPlanCreateRequest(id=launch_plan.id, spec=launch_plan.spec)
        call("CreateLaunchPlan", request)
        seeds.setdefault("CreateLaunchPlan", []).append(request)
    ids = [r.id for kind in ("CreateTask", "CreateWorkflow", "CreateLaunchPlan") for r in seeds[kind]]
    launch_plan_id = seeds["CreateLaunchPlan"][0].id
    execution = execution_pb2.ExecutionCreateRequest(project=PROJECT, domain=DOMAIN, name="seeded")
    execution.spec.launch_plan.CopyFrom(launch_plan_id)
    call("CreateExecution", execution)
    execution_id = identifier_pb2.WorkflowExecutionIdentifier(project=PROJECT, domain=DOMAIN, name="seeded")
    node_id = identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=execution_id)
    task_execution_id = identifier_pb2.TaskExecutionIdentifier(task_id=ids[0], node_execution_id=node_id)
    named = common_pb2.NamedEntityIdentifier(project=PROJECT, domain=DOMAIN, name=launch_plan_id.name)
    # Executions waiting on a gate (no task process) for the event RPCs, one each: an event that ends one must
    # not turn every later event into "already terminal".
    # Executions waiting on a gate (no task process) for the event RPCs, three each: one gets a RUNNING seed, one
    # a FAILED seed with an error, one a SUCCEEDED seed; an event that ends one must not end them all.
    gated = {rpc: [start_gated(call, f"gated-{i}-{k}") for k in range(3)] for i, rpc in enumerate(EVENT_RPCS)}
    wait_until_running(rpc("GetExecution"), [e for executions in gated.values() for e in executions])
    events = {rpc_name: event_seeds(rpc_name, gated[rpc_name], ids[0]) for rpc_name in EVENT_RPCS}
    signal = identifier_pb2.SignalIdentifier(signal_id="go", execution_id=gated["CreateWorkflowEvent"][0])
    seeds.update(
        {
            "GetTask": [common_pb2.ObjectGetRequest(id=ids[0])],
            "GetWorkflow": [common_pb2.ObjectGetRequest(id=seeds["CreateWorkflow"][0].id)],
            "GetLaunchPlan": [common_pb2.ObjectGetRequest(id=launch_plan_id)],
            "UpdateLaunchPlan": [launch_plan_pb2.LaunchPlanUpdateRequest(id=launch_plan_id, state=1)],
            "ListTasks": [common_pb2.ResourceListRequest(id=named, limit=5, filters="eq(version,v1)")],
            "ListLaunchPlans": [common_pb2.ResourceListRequest(id=named, limit=5)],
            "ListExecutions": [common_pb2.ResourceListRequest(id=named, limit=5, filters="eq(phase,RUNNING)")],
            "CreateExecution": [execution],
            "GetExecution": [execution_pb2.WorkflowExecutionGetRequest(id=execution_id)],
            "TerminateExecution": [execution_pb2.ExecutionTerminateRequest(id=execution_id, cause="fuzz")],
            "RelaunchExecution": [execution_pb2.ExecutionRelaunchRequest(id=execution_id, name="relaunched")],
            "ListNodeExecutions": [
                node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=execution_id, limit=5)
            ],
            "GetNodeExecution": [node_execution_pb2.NodeExecutionGetRequest(id=node_id)],
            "ListTaskExecutions": [task_execution_pb2.TaskExecutionListRequest(node_execution_id=node_id, limit=5)],
            "GetTaskExecution": [task_execution_pb2.TaskExecutionGetRequest(id=task_execution_id)],
            **events,
            "ListSignals": [signal_pb2.SignalListRequest(workflow_execution_id=execution_id, limit=5)],
            "UpdateProject": [project_pb2.Project(id=PROJECT, name="renamed")],
            "CreateUploadLocation": [
                dataproxy_pb2.CreateUploadLocationRequest(
                    project=PROJECT, domain=DOMAIN, filename="f.txt", content_md5=b"0" * 16
                )
            ],
            "CreateDownloadLink": [dataproxy_pb2.CreateDownloadLinkRequest(artifact_type=1, node_execution_id=node_id)],
            "GetData": [dataproxy_pb2.GetDataRequest(flyte_url=f"flyte://v1/{PROJECT}/{DOMAIN}/seeded/n0/i")],
            "RegisterProject": [
                project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="fuzz-two", name="two"))
            ],
            "UpdateNamedEntity": [
                common_pb2.NamedEntityUpdateRequest(
                    resource_type=identifier_pb2.TASK,
                    id=common_pb2.NamedEntityIdentifier(project=PROJECT, domain=DOMAIN, name=ids[0].name),
                    metadata=common_pb2.NamedEntityMetadata(description="d"),
                )
            ],
            "UpdateExecution": [execution_pb2.ExecutionUpdateRequest(id=execution_id, state=1)],
            "GetExecutionData": [execution_pb2.WorkflowExecutionGetDataRequest(id=execution_id)],
            "GetOrCreateSignal": [
                signal_pb2.SignalGetOrCreateRequest(
                    id=signal,
                    type=types_pb2.LiteralType(simple=types_pb2.BOOLEAN),
                )
            ],
            "SetSignal": [
                signal_pb2.SignalSetRequest(
                    id=signal,
                    value=literals_pb2.Literal(
                        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=True))
                    ),
                )
            ],
            "UpdateProjectDomainAttributes": [
                project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest(
                    attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
                        project=PROJECT, domain=DOMAIN, matching_attributes=MATCHING
                    )
                )
            ],
            "UpdateProjectAttributes": [
                project_attributes_pb2.ProjectAttributesUpdateRequest(
                    attributes=project_attributes_pb2.ProjectAttributes(project=PROJECT, matching_attributes=MATCHING)
                )
            ],
            "UpdateWorkflowAttributes": [
                workflow_attributes_pb2.WorkflowAttributesUpdateRequest(
                    attributes=workflow_attributes_pb2.WorkflowAttributes(
                        project=PROJECT, domain=DOMAIN, workflow=launch_plan_id.name, matching_attributes=MATCHING
                    )
                )
            ],
        }
    )
    names = [PROJECT, DOMAIN, VERSION, "seeded", "n0", "go", "flyteplane", "flytesnacks", *(i.name for i in ids)]
    names += [execution.name for executions in gated.values() for execution in executions]
    target.pool = Pool(names)


def start_gated(call: Any, name: str) -> identifier_pb2.WorkflowExecutionIdentifier:
    """Registers the gated workflow once and starts one execution of it named `name`."""
    use_apps()
    from flytekit import FlyteContextManager, LaunchPlan
    from tests.integration.fuzz import gated

    plan = LaunchPlan.get_default_launch_plan(FlyteContextManager.current_context(), gated.waits)
    protos = serialize(plan, PROJECT, VERSION)
    requests = [
        ("CreateWorkflow", workflow_pb2.WorkflowCreateRequest(id=s.template.id, spec=s)) for s in protos["workflows"]
    ]
    requests += [
        ("CreateLaunchPlan", launch_plan_pb2.LaunchPlanCreateRequest(id=p.id, spec=p.spec))
        for p in protos["launch_plans"]
    ]
    for rpc_name, request in requests:
        try:
            call(rpc_name, request)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.ALREADY_EXISTS:  # type: ignore[attr-defined]
                raise
    request = execution_pb2.ExecutionCreateRequest(project=PROJECT, domain=DOMAIN, name=name)
    request.spec.launch_plan.CopyFrom(protos["launch_plans"][0].id)
    call("CreateExecution", request)
    return identifier_pb2.WorkflowExecutionIdentifier(project=PROJECT, domain=DOMAIN, name=name)


def wait_until_running(get_execution: Any, executions: Any) -> None:
    deadline = time.monotonic() + 30
    for execution in executions:
        request = execution_pb2.WorkflowExecutionGetRequest(id=execution).SerializeToString()
        while time.monotonic() < deadline:
            found = execution_pb2.Execution.FromString(get_execution(request, timeout=10))
            if found.closure.phase == 2:  # RUNNING
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"execution {execution.name} never ran: {found.closure}")


def event_seeds(rpc: str, executions: list[Any], task_id: identifier_pb2.Identifier) -> list[Message]:
    """RUNNING, FAILED (with an error) and SUCCEEDED (with an output URI) events, each for its own execution."""
    error = core_execution_pb2.ExecutionError(
        code="Fuzz", message="failed", kind=core_execution_pb2.ExecutionError.USER
    )
    phases = {
        "CreateWorkflowEvent": core_execution_pb2.WorkflowExecution,
        "CreateNodeEvent": core_execution_pb2.NodeExecution,
        "CreateTaskEvent": core_execution_pb2.TaskExecution,
    }[rpc]
    seeds = []
    for execution, (phase, outcome) in zip(
        executions,
        [(phases.RUNNING, {}), (phases.FAILED, {"error": error}), (phases.SUCCEEDED, {"output_uri": "/tmp/o.pb"})],
        strict=True,
    ):
        node = identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=execution)
        if rpc == "CreateWorkflowEvent":
            seeds.append(event_request("WorkflowExecutionEventRequest", execution_id=execution, phase=phase, **outcome))
        elif rpc == "CreateNodeEvent":
            seeds.append(event_request("NodeExecutionEventRequest", id=node, phase=phase, **outcome))
        else:
            seeds.append(
                event_request(
                    "TaskExecutionEventRequest", task_id=task_id, parent_node_execution_id=node, phase=phase, **outcome
                )
            )
    return seeds


def event_request(kind: str, **event: Any) -> Message:
    """An event request from the admin API, its event built from keyword fields."""
    from flyteidl.admin import event_pb2 as admin_event_pb2

    request = getattr(admin_event_pb2, kind)(request_id="fuzz")
    event_type = {
        "WorkflowExecutionEventRequest": event_pb2.WorkflowExecutionEvent,
        "NodeExecutionEventRequest": event_pb2.NodeExecutionEvent,
        "TaskExecutionEventRequest": event_pb2.TaskExecutionEvent,
    }[kind]
    built = event_type(producer_id="flyteplane", **event)  # the embedded engine's cluster
    built.occurred_at.GetCurrentTime()
    request.event.CopyFrom(built)
    return request


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    folder = tmp_path_factory.mktemp("fuzz")
    config = folder / "flyteplane.yaml"
    config.write_text(  # events open to callers, so that their handling is fuzzed too
        f"max_concurrency: 1\naccept_external_events: true\n"
        f"python_envs:\n  '*': {no_op_environment(folder / 'no-op-python')}\n"
    )
    server = start_server(folder / "home", "", "--config", str(config))
    channel = grpc.insecure_channel(server.endpoint)
    try:
        running = Target(server, channel, Pool([]))
        register_seeds(running)
        yield running
    finally:
        channel.close()
        server.stop()


def test_every_rpc_answers_an_empty_request_deliberately(target: Target) -> None:
    for service, method in METHODS:
        target.check(service, method, b"")


@pytest.mark.parametrize(("service", "method"), METHODS, ids=[f"{s.name}.{m.name}" for s, m in METHODS])
def test_generated_and_mutated_requests_answer_deliberately(target: Target, service: Any, method: Any) -> None:
    seeds = target.seeds.get(method.name, [])
    bodies = request_bodies(method.input_type, seeds, target.pool, fresh_versions=method.name in FRESH_VERSIONS)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(body=bodies)
    def fuzz(body: bytes) -> None:
        target.check(service, method, body)

    if SEED is not None:
        fuzz = seed(int(SEED))(fuzz)
    fuzz()


def test_the_database_is_intact_after_fuzzing(target: Target) -> None:
    """Run last (file order): whatever the requests did, what was stored is whole."""
    assert target.calls > len(METHODS)
    print(f"\n{target.calls} requests; answers by RPC and status:")  # shown with -s or -rA
    for (rpc, code), count in sorted(target.answers.items()):
        print(f"  {rpc:40} {code:20} {count}")
    problems = integrity_problems(target.server.home / "flyteplane.db")
    assert [p for p in problems if not p.startswith(tuple(KNOWN_ORPHANS))] == []
    assert target.server.process.poll() is None
