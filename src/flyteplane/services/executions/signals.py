"""SignalService (flyteadmin §9): the values gate nodes wait for.

A gate creates its signal (with the type it expects) each time it looks; a user lists and sets them. Setting a
signal wakes the execution that waits for it, so the gate sees the value at once.
"""

from __future__ import annotations

from flyteidl.admin import signal_pb2
from flyteidl.core import identifier_pb2, types_pb2

from flyteplane.compiler import InvalidLiteralType, are_types_castable, literal_type_of
from flyteplane.compiler.prototext import go_text
from flyteplane.engine.ports import Wakeup
from flyteplane.errors import AlreadyExists, InvalidArgument
from flyteplane.services.common.listing import page_request
from flyteplane.services.common.validation import validate_limit
from flyteplane.services.executions.lookups import validate_execution_id
from flyteplane.store.db import Conflict, Database
from flyteplane.store.repositories import signals
from flyteplane.store.repositories.signals import SignalRow

__all__ = ["SignalService", "signal_proto"]


def signal_proto(row: SignalRow) -> signal_pb2.Signal:
    signal = signal_pb2.Signal(
        id=identifier_pb2.SignalIdentifier(
            signal_id=row.signal_id,
            execution_id=identifier_pb2.WorkflowExecutionIdentifier(
                project=row.execution_project, domain=row.execution_domain, name=row.execution_name
            ),
        ),
        type=types_pb2.LiteralType.FromString(row.type),
    )
    if row.value is not None:
        signal.value.ParseFromString(row.value)
    return signal


def _validate_signal_id(identifier: identifier_pb2.SignalIdentifier, *, present: bool) -> None:
    if not present:
        raise InvalidArgument("missing id")
    if not identifier.HasField("execution_id"):
        raise InvalidArgument("missing execution_id")
    if not identifier.signal_id:
        raise InvalidArgument("missing signal_id")
    validate_execution_id(identifier.execution_id)


def _key_text(identifier: identifier_pb2.SignalIdentifier) -> str:
    execution = identifier.execution_id
    return f"{{{{{execution.project} {execution.domain} {execution.name}}} {identifier.signal_id}}}"


class SignalService:
    def __init__(self, db: Database, wakeup: Wakeup) -> None:
        self.db = db
        self.wakeup = wakeup

    def get_or_create_signal(self, request: signal_pb2.SignalGetOrCreateRequest) -> signal_pb2.Signal:
        """The signal as it is (with its value once set), created on first request. The execution is not
        looked up: gates of any engine may ask. Asking again with another type is ALREADY_EXISTS."""
        _validate_signal_id(request.id, present=request.HasField("id"))
        if not request.HasField("type"):
            raise InvalidArgument("missing type")
        row = self._get_or_create(request)
        if types_pb2.LiteralType.FromString(row.type) != request.type:
            raise AlreadyExists(
                f"value with matching already exists (signal [{_key_text(request.id)}] has type "
                f"[{go_text(types_pb2.LiteralType.FromString(row.type))}])"
            )
        return signal_proto(row)

    def _get_or_create(self, request: signal_pb2.SignalGetOrCreateRequest) -> SignalRow:
        with self.db.read() as session:
            row = signals.find(session, request.id)
        if row is not None:
            return row
        try:
            with self.db.transaction() as session:
                row = signals.insert(session, request.id, request.type.SerializeToString(deterministic=True))
            return row
        except Conflict:  # another gate evaluation created it first
            with self.db.read() as session:
                found = signals.find(session, request.id)
            if found is None:
                raise
            return found

    def list_signals(self, request: signal_pb2.SignalListRequest) -> signal_pb2.SignalList:
        try:
            validate_execution_id(request.workflow_execution_id, present=request.HasField("workflow_execution_id"))
        except InvalidArgument:
            raise InvalidArgument("missing execution_id") from None
        validate_limit(request.limit)
        with self.db.read() as session:
            page = signals.list_page(session, request.workflow_execution_id, page_request(request))
            return signal_pb2.SignalList(signals=[signal_proto(row) for row in page.items], token=page.token)

    def set_signal(self, request: signal_pb2.SignalSetRequest) -> signal_pb2.SignalSetResponse:
        """Stores the value (again, if set before) when it fits the signal's type, and wakes the execution.

        flyteadmin checks the cast from the stored type to the value's type, the wrong way round (a value of
        `int` is refused for an `Optional[int]` signal); here the value must cast to the signal's type.
        """
        _validate_signal_id(request.id, present=request.HasField("id"))
        if not request.HasField("value"):
            raise InvalidArgument("missing value")
        with self.db.transaction() as session:
            row = signals.find(session, request.id)
            if row is None:
                raise InvalidArgument(
                    f"failed to validate that signal [{_key_text(request.id)}] exists, err: "
                    f"[missing entity of type signal with identifier [{go_text(request.id)}]]"
                )
            try:
                value_type = literal_type_of(request.value)
            except InvalidLiteralType as exc:
                raise InvalidArgument(f"Failed to validate literal type for [] with err: {exc.message}") from None
            signal_type = types_pb2.LiteralType.FromString(row.type)
            if not are_types_castable(value_type, signal_type):
                raise InvalidArgument(
                    f"requested signal value [{go_text(request.value)}] is not castable to existing signal "
                    f"type [{go_text(signal_type)}]"
                )
            row.value = request.value.SerializeToString(deterministic=True)
        self.wakeup(request.id.execution_id)
        return signal_pb2.SignalSetResponse()
