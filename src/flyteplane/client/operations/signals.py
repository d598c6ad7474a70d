"""Signals: the values gate nodes wait for (approvals and inputs from people or other systems)."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import signal_pb2
from flyteidl.core import identifier_pb2, literals_pb2

from flyteplane.client.calls import Call, Page, Pages, discard, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike, to_idl
from flyteplane.client.operations.identifiers import execution_id
from flyteplane.client.operations.listing import page_reader, page_request
from flyteplane.client.rpcs import SIGNAL

__all__ = ["SignalOperations"]


class SignalOperations:
    @operation
    def list_signals(self, signal_list_request: IdlLike) -> Call[Any]:
        """The SignalList for a raw SignalListRequest (flytekit's signature)."""
        return Call(SIGNAL["ListSignals"], to_idl(signal_list_request, signal_pb2.SignalListRequest, "request"))

    @operation
    def set_signal(self, signal_set_request: IdlLike) -> Call[Any]:
        """Sends a raw SignalSetRequest (flytekit's signature); see set_signal_value."""
        return Call(SIGNAL["SetSignal"], to_idl(signal_set_request, signal_pb2.SignalSetRequest, "request"))

    @operation
    def list_signals_paginated(
        self,
        workflow_execution_identifier: IdlLike,
        limit: int = 100,
        token: str | None = None,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
    ) -> Call[Page[Any]]:
        """One page of the signals an execution waits for or has received."""
        execution = execution_id(workflow_execution_identifier)
        request_type = signal_pb2.SignalListRequest
        request = page_request(request_type, limit, token, filters, sort_by, workflow_execution_id=execution)
        return Call(SIGNAL["ListSignals"], request, page_reader("signals"))

    @operation
    def set_signal_value(self, workflow_execution_identifier: IdlLike, signal_id: str, value: IdlLike) -> Call[None]:
        """Gives signal `signal_id` of an execution its value (a Literal), releasing the gate node waiting on it."""
        request = signal_pb2.SignalSetRequest(
            id=identifier_pb2.SignalIdentifier(
                signal_id=signal_id, execution_id=execution_id(workflow_execution_identifier)
            ),
            value=to_idl(value, literals_pb2.Literal, "value"),
        )
        return Call(SIGNAL["SetSignal"], request, discard)

    @paged
    def iter_signals(
        self,
        workflow_execution_identifier: IdlLike,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
        page_size: int = 100,
    ) -> Pages[Any]:
        return Pages(
            lambda token: self.list_signals_paginated.call(
                workflow_execution_identifier, page_size, token, filters, sort_by
            )
        )
