"""A small world for engine unit tests: flytekit workflows compiled by our compiler, a blob store in a temporary
folder, an executor whose attempts the test finishes by hand, and an event sink that remembers what was sent.

Nothing here runs a task process: a test decides when an attempt ends and what it wrote.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flyteidl.admin import event_pb2 as admin_event_pb2
from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.admin import signal_pb2 as admin_signal_pb2
from flyteidl.core import compiler_pb2, execution_pb2, identifier_pb2, literals_pb2, tasks_pb2, workflow_pb2
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.models.admin.workflow import WorkflowSpec
from flytekit.models.launch_plan import LaunchPlan
from flytekit.models.task import TaskSpec
from flytekit.tools.translator import get_serializable

from flyteplane.blobs.store import BlobStore
from flyteplane.compiler import compile_workflow
from flyteplane.compiler.interfaces import LaunchPlanInterface
from flyteplane.engine.context import Execution, RoundContext
from flyteplane.engine.events import Emitter
from flyteplane.engine.executors.base import AttemptPhase, AttemptStatus, TaskAttempt
from flyteplane.engine.ports import PreviousRuns
from flyteplane.engine.state import WorkflowState

EXECUTION = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="development", name="exec")
ORIGINAL = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="development", name="original")


def compiled(workflow: Any) -> compiler_pb2.CompiledWorkflowClosure:
    """What registering the flytekit workflow would store: its closure compiled by flyteplane's compiler."""
    settings = SerializationSettings(
        image_config=ImageConfig.auto_default_image(), project="p", domain="development", version="v1"
    )
    collected: OrderedDict[Any, Any] = OrderedDict()
    primary = get_serializable(collected, settings, workflow)
    templates: list[workflow_pb2.WorkflowTemplate] = []
    tasks: list[tasks_pb2.TaskTemplate] = []
    workflows: dict[str, workflow_pb2.WorkflowTemplate] = {}
    plans: list[Any] = []
    for model in collected.values():
        if isinstance(model, TaskSpec):
            tasks.append(model.template.to_flyte_idl())
        elif isinstance(model, WorkflowSpec):
            workflows[model.template.id.name] = model.template.to_flyte_idl()
            if model is not primary:
                templates.append(model.template.to_flyte_idl())
        elif isinstance(model, LaunchPlan):
            plans.append(model.to_flyte_idl())
    interfaces = [
        LaunchPlanInterface(
            id=plan.id,
            expected_inputs=plan.spec.default_inputs,
            expected_outputs=workflows[plan.spec.workflow_id.name].interface.outputs,
        )
        for plan in plans
    ]
    return compile_workflow(primary.template.to_flyte_idl(), templates, tasks, interfaces)


def integer(value: int) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def integers(**values: int) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(literals={name: integer(value) for name, value in values.items()})


class RecordedEvents:
    """The EventSink: keeps every event, in order."""

    def __init__(self) -> None:
        self.workflow: list[Any] = []
        self.nodes: list[Any] = []
        self.tasks: list[Any] = []

    def create_workflow_event(
        self, request: admin_event_pb2.WorkflowExecutionEventRequest
    ) -> admin_event_pb2.WorkflowExecutionEventResponse:
        self.workflow.append(request.event)
        return admin_event_pb2.WorkflowExecutionEventResponse()

    def create_node_event(
        self, request: admin_event_pb2.NodeExecutionEventRequest
    ) -> admin_event_pb2.NodeExecutionEventResponse:
        self.nodes.append(request.event)
        return admin_event_pb2.NodeExecutionEventResponse()

    def create_task_event(
        self, request: admin_event_pb2.TaskExecutionEventRequest
    ) -> admin_event_pb2.TaskExecutionEventResponse:
        self.tasks.append(request.event)
        return admin_event_pb2.TaskExecutionEventResponse()

    def node_phases(self, node_id: str) -> list[int]:
        return [event.phase for event in self.nodes if event.id.node_id == node_id]


class HandFinishedExecutor:
    """The Executor: submitted attempts run until the test finishes them with outputs or a phase."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self.submitted: dict[str, TaskAttempt] = {}
        self.phases: dict[str, AttemptPhase] = {}
        self.terminated: list[str] = []

    def submit(self, attempt: TaskAttempt) -> None:
        if attempt.attempt_id not in self.submitted:
            self.submitted[attempt.attempt_id] = attempt
            self.phases[attempt.attempt_id] = AttemptPhase.RUNNING

    def status(self, attempt_id: str) -> AttemptStatus:
        return AttemptStatus(self.phases.get(attempt_id, AttemptPhase.LOST))

    def terminate(self, attempt_id: str) -> None:
        self.terminated.append(attempt_id)
        if attempt_id in self.phases and not self.phases[attempt_id].terminal:
            self.phases[attempt_id] = AttemptPhase.ABORTED

    def live(self) -> list[str]:
        return [k for k, v in self.phases.items() if not v.terminal]

    def release(self, attempt_id: str) -> None:
        return None

    def running_task(self, task_name: str) -> TaskAttempt:
        """The one running attempt of the task whose name ends with `task_name`."""
        (attempt,) = [
            a
            for k, a in self.submitted.items()
            if a.task.id.name.endswith(task_name) and self.phases[k] == AttemptPhase.RUNNING
        ]
        return attempt

    def succeed(self, task_name: str, outputs: literals_pb2.LiteralMap, *, deck: bytes = b"") -> None:
        """The attempt exits 0 having written its outputs (and its deck, as flytekit's enable_deck does)."""
        attempt = self.running_task(task_name)
        output_dir = self.blobs.key_of(attempt.output_prefix)
        self.blobs.put_bytes(f"{output_dir}/outputs.pb", outputs.SerializeToString())
        if deck:
            self.blobs.put_bytes(f"{output_dir}/deck.html", deck)
        self.phases[attempt.attempt_id] = AttemptPhase.SUCCEEDED

    def fail(self, task_name: str) -> None:
        """The attempt's process exits non-zero without an error document."""
        self.phases[self.running_task(task_name).attempt_id] = AttemptPhase.FAILED


class NoSignals:
    def get_or_create_signal(self, request: admin_signal_pb2.SignalGetOrCreateRequest) -> admin_signal_pb2.Signal:
        return admin_signal_pb2.Signal(id=request.id, type=request.type)


class NoChildren:
    def _refuse(self, *_args: Any) -> Any:
        raise AssertionError("this test launches no child execution")

    create_execution = get_execution = get_execution_data = terminate_execution = recover_execution = _refuse


class RecordedChildren:
    """The ChildExecutions port: remembers launches and recoveries; every child stays RUNNING."""

    def __init__(self) -> None:
        self.created: list[admin_execution_pb2.ExecutionCreateRequest] = []
        self.recovered: list[admin_execution_pb2.ExecutionRecoverRequest] = []

    def create_execution(
        self, request: admin_execution_pb2.ExecutionCreateRequest
    ) -> admin_execution_pb2.ExecutionCreateResponse:
        self.created.append(request)
        return admin_execution_pb2.ExecutionCreateResponse()

    def recover_execution(
        self, request: admin_execution_pb2.ExecutionRecoverRequest
    ) -> admin_execution_pb2.ExecutionCreateResponse:
        self.recovered.append(request)
        return admin_execution_pb2.ExecutionCreateResponse()

    def get_execution(self, request: admin_execution_pb2.WorkflowExecutionGetRequest) -> admin_execution_pb2.Execution:
        closure = admin_execution_pb2.ExecutionClosure(phase=execution_pb2.WorkflowExecution.RUNNING)
        return admin_execution_pb2.Execution(id=request.id, closure=closure)

    def get_execution_data(self, request: Any) -> Any:
        raise AssertionError("children stay RUNNING here")

    def terminate_execution(self, request: Any) -> Any:
        raise AssertionError("nothing is aborted here")


@dataclass
class World:
    """One execution of a compiled workflow, evaluated round by round."""

    root: Path
    closure: compiler_pb2.CompiledWorkflowClosure
    inputs: literals_pb2.LiteralMap
    recovering_from: identifier_pb2.WorkflowExecutionIdentifier | None = None
    previous: PreviousRuns | None = None
    children: Any = field(default_factory=NoChildren)
    signals: Any = field(default_factory=NoSignals)
    now: float = 1_000_000.0
    state: WorkflowState = field(default_factory=WorkflowState)

    def __post_init__(self) -> None:
        self.blobs = BlobStore(str(self.root / "blobs"))
        self.executor = HandFinishedExecutor(self.blobs)
        self.events = RecordedEvents()
        inputs_key = "metadata/p/development/exec/inputs"
        self.blobs.put_bytes(inputs_key, self.inputs.SerializeToString())
        self.execution = Execution(
            id=EXECUTION,
            spec=admin_execution_pb2.ExecutionSpec(),
            closure=self.closure,
            inputs_uri=self.blobs.native_url(inputs_key),
            raw_output_prefix=self.blobs.native_url("raw"),
            max_parallelism=25,
            recovering_from=self.recovering_from,
        )

    def context(self) -> RoundContext:
        return RoundContext(
            execution=self.execution,
            state=self.state,
            blobs=self.blobs,
            executor=self.executor,  # type: ignore[arg-type]
            emit=Emitter(self.events, EXECUTION),
            signals=self.signals,
            children=self.children,
            public_url="http://localhost",
            clock=self.clock,
            previous=self.previous,
        )

    def clock(self) -> float:
        return self.now

    def outputs_of(self, node_id: str) -> literals_pb2.LiteralMap:
        state = self.state.nodes[node_id]
        return literals_pb2.LiteralMap.FromString(self.blobs.get_bytes(f"{state.output_dir}/outputs.pb"))


def round_of(world: World, step: Callable[[RoundContext], Any]) -> Any:
    """Runs one evaluation round (what the engine does under its lease)."""
    return step(world.context())
