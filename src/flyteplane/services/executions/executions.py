"""Executions (flyteadmin §6): create, relaunch, recover, get, list, archive, terminate, and their data.

Also the engine's ChildExecutions port: launch-plan nodes create, follow, recover and terminate child
executions through these same methods.
"""

from __future__ import annotations

from collections.abc import Callable

from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from sqlalchemy.orm import Session

from flyteplane.engine.ports import RunQueue, Wakeup
from flyteplane.errors import FailedPrecondition, FlyteplaneError, InvalidArgument
from flyteplane.services.common import times
from flyteplane.services.common.listing import page_request
from flyteplane.services.common.validation import validate_limit
from flyteplane.services.executions.data import ExecutionData
from flyteplane.services.executions.launch import ExecutionLauncher, anonymous, no_wakeup
from flyteplane.services.executions.lookups import (
    execution_identifier,
    execution_row,
    text,
    validate_execution_id,
)
from flyteplane.services.executions.phases import WORKFLOW_TERMINAL, AlreadyInTerminalState
from flyteplane.services.executions.trimming import trim_error_message
from flyteplane.store.db import Database
from flyteplane.store.repositories import executions
from flyteplane.store.repositories.executions import ExecutionRow

__all__ = ["ExecutionService", "execution_proto"]

Phase = core_execution_pb2.WorkflowExecution
ExecutionMode = execution_pb2.ExecutionMetadata.ExecutionMode


def execution_proto(row: ExecutionRow, *, trim_errors: bool = False) -> execution_pb2.Execution:
    """The stored spec and closure as an Execution; lists trim error messages to 100 bytes."""
    spec = execution_pb2.ExecutionSpec.FromString(row.spec)
    closure = execution_pb2.ExecutionClosure.FromString(row.closure)
    spec.ClearField("inputs")
    closure.ClearField("computed_inputs")
    if trim_errors and closure.HasField("error") and closure.error.message:
        closure.error.message = trim_error_message(closure.error.message)
    if row.phase == "ABORTED" and closure.WhichOneof("output_result") is None:
        closure.abort_metadata.cause = row.abort_cause
    if not spec.metadata.system_metadata.namespace:
        spec.metadata.system_metadata.namespace = f"{row.execution_project}-{row.execution_domain}"
    return execution_pb2.Execution(id=execution_identifier(row), spec=spec, closure=closure)


class ExecutionService:
    def __init__(
        self,
        db: Database,
        data: ExecutionData,
        launcher: ExecutionLauncher,
        queue: RunQueue,
        wakeup: Wakeup = no_wakeup,
        principal: Callable[[], str] = anonymous,
    ) -> None:
        self.db = db
        self.data = data
        self.launcher = launcher
        self.queue = queue
        self.wakeup = wakeup
        self.principal = principal

    # -- creating ---------------------------------------------------------------------------------------

    def create_execution(self, request: execution_pb2.ExecutionCreateRequest) -> execution_pb2.ExecutionCreateResponse:
        return execution_pb2.ExecutionCreateResponse(id=self.launcher.create(request))

    def relaunch_execution(
        self, request: execution_pb2.ExecutionRelaunchRequest
    ) -> execution_pb2.ExecutionCreateResponse:
        """Same spec and user inputs, mode RELAUNCH, a new name; `overwrite_cache` comes from the request."""
        original, spec, inputs = self._original(request.id)
        spec.metadata.mode = ExecutionMode.RELAUNCH
        spec.metadata.reference_execution.CopyFrom(execution_identifier(original))
        spec.overwrite_cache = request.overwrite_cache
        created = self.launcher.create(self._again(request.id, request.name, spec, inputs), original.id)
        return execution_pb2.ExecutionCreateResponse(id=created)

    def recover_execution(
        self, request: execution_pb2.ExecutionRecoverRequest
    ) -> execution_pb2.ExecutionCreateResponse:
        """Same spec and user inputs, mode RECOVERED, referencing the original: the engine then reuses what
        succeeded there. A child's recovery names the node that launches it in
        `metadata.parent_node_execution`."""
        original, spec, inputs = self._original(request.id)
        if request.HasField("metadata"):
            if request.metadata.HasField("parent_node_execution"):
                spec.metadata.parent_node_execution.CopyFrom(request.metadata.parent_node_execution)
            else:
                spec.metadata.ClearField("parent_node_execution")
        spec.metadata.mode = ExecutionMode.RECOVERED
        spec.metadata.reference_execution.CopyFrom(execution_identifier(original))
        created = self.launcher.create(self._again(request.id, request.name, spec, inputs), original.id)
        return execution_pb2.ExecutionCreateResponse(id=created)

    def _original(
        self, identifier: identifier_pb2.WorkflowExecutionIdentifier
    ) -> tuple[ExecutionRow, execution_pb2.ExecutionSpec, literals_pb2.LiteralMap]:
        with self.db.read() as session:
            original = execution_row(session, identifier)
        spec = execution_pb2.ExecutionSpec.FromString(original.spec)
        inputs = spec.inputs  # executions from before inputs were offloaded kept them in the spec
        if original.user_inputs_uri:
            try:
                inputs = self.data.read_literal_map(original.user_inputs_uri)
            except FlyteplaneError as exc:
                raise FailedPrecondition(
                    f"cannot read the inputs of execution [{text(identifier)}]: {exc.message}"
                ) from None
        return original, spec, inputs

    @staticmethod
    def _again(
        identifier: identifier_pb2.WorkflowExecutionIdentifier,
        name: str,
        spec: execution_pb2.ExecutionSpec,
        inputs: literals_pb2.LiteralMap,
    ) -> execution_pb2.ExecutionCreateRequest:
        return execution_pb2.ExecutionCreateRequest(
            project=identifier.project, domain=identifier.domain, name=name, spec=spec, inputs=inputs
        )

    # -- reading ----------------------------------------------------------------------------------------

    def counts_by_phase(self) -> dict[str, int]:
        """Executions per phase name (the operator's /metrics gauge)."""
        with self.db.read() as session:
            return executions.count_by_phase(session)

    def get_execution(self, request: execution_pb2.WorkflowExecutionGetRequest) -> execution_pb2.Execution:
        validate_execution_id(request.id, present=request.HasField("id"))
        with self.db.read() as session:
            return execution_proto(execution_row(session, request.id))

    def list_executions(self, request: common_pb2.ResourceListRequest) -> execution_pb2.ExecutionList:
        """Archived executions are hidden unless a filter names `state` (any entity's), as in flyteadmin."""
        if not request.HasField("id"):
            raise InvalidArgument("missing id")
        if not request.id.project:
            raise InvalidArgument("missing project")
        if not request.id.domain:
            raise InvalidArgument("missing domain")
        validate_limit(request.limit)
        identifier = request.id
        with self.db.read() as session:
            page = executions.list_page(
                session, identifier.project, identifier.domain, identifier.name, page_request(request)
            )
            return execution_pb2.ExecutionList(
                executions=[execution_proto(row, trim_errors=True) for row in page.items], token=page.token
            )

    def get_execution_data(
        self, request: execution_pb2.WorkflowExecutionGetDataRequest
    ) -> execution_pb2.WorkflowExecutionGetDataResponse:
        """Inputs and outputs, inline below the size threshold (flyteadmin checks no identifier here)."""
        with self.db.read() as session:
            row = execution_row(session, request.id)
        closure = execution_pb2.ExecutionClosure.FromString(row.closure)
        inline = None
        if closure.HasField("outputs") and closure.outputs.HasField("values"):
            inline = closure.outputs.values
        elif closure.HasField("output_data"):
            inline = closure.output_data
        response = execution_pb2.WorkflowExecutionGetDataResponse()
        self.data.fill_response(response, row.inputs_uri, inline, closure.outputs.uri)
        return response

    # -- changing ---------------------------------------------------------------------------------------

    def update_execution(self, request: execution_pb2.ExecutionUpdateRequest) -> execution_pb2.ExecutionUpdateResponse:
        """Archive or restore: only the state changes, with who changed it and when."""
        validate_execution_id(request.id, present=request.HasField("id"))
        if request.state not in execution_pb2.ExecutionState.values():
            raise InvalidArgument("invalid value for state")
        with self.db.transaction() as session:
            row = execution_row(session, request.id, lock=True)
            closure = execution_pb2.ExecutionClosure.FromString(row.closure)
            closure.state_change_details.CopyFrom(
                execution_pb2.ExecutionStateChangeDetails(
                    state=request.state, occurred_at=times.timestamp(times.now()), principal=self.principal()
                )
            )
            row.state = request.state
            row.closure = closure.SerializeToString()
        return execution_pb2.ExecutionUpdateResponse()

    def terminate_execution(
        self, request: execution_pb2.ExecutionTerminateRequest
    ) -> execution_pb2.ExecutionTerminateResponse:
        """Marks the execution ABORTING with the cause and asks the engine to abort it; the engine reports
        ABORTED once every running node has stopped. Terminating again while ABORTING is allowed."""
        validate_execution_id(request.id, present=request.HasField("id"))
        with self.db.transaction() as session:
            row = execution_row(session, request.id, lock=True)
            self._mark_aborting(session, row, request.cause)
        self.wakeup(execution_identifier(row))
        return execution_pb2.ExecutionTerminateResponse()

    def _mark_aborting(self, session: Session, row: ExecutionRow, cause: str) -> None:
        current = Phase.Phase.Value(row.phase)
        if current in WORKFLOW_TERMINAL:
            raise AlreadyInTerminalState("Cannot abort an already terminated workflow execution", row.phase)
        closure = execution_pb2.ExecutionClosure.FromString(row.closure)
        closure.abort_metadata.CopyFrom(execution_pb2.AbortMetadata(cause=cause, principal=self.principal()))
        closure.phase = Phase.ABORTING
        row.closure = closure.SerializeToString()
        row.phase = "ABORTING"
        row.abort_cause = cause
        self.queue.request_abort(session, row.id, times.now())
