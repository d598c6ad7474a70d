"""Signals: the values gate nodes wait for, keyed by execution and signal id."""

from __future__ import annotations

from typing import TypeAlias

from flyteidl.core import identifier_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from flyteplane.store import scopes
from flyteplane.store.listing import PageRequest, fetch_page
from flyteplane.store.models import Signal
from flyteplane.store.pagination import Page

__all__ = ["SignalRow", "find", "insert", "list_page"]

SignalRow: TypeAlias = Signal


def find(session: Session, signal: identifier_pb2.SignalIdentifier) -> SignalRow | None:
    execution = signal.execution_id
    return session.scalar(
        select(Signal).where(
            Signal.execution_project == execution.project,
            Signal.execution_domain == execution.domain,
            Signal.execution_name == execution.name,
            Signal.signal_id == signal.signal_id,
        )
    )


def insert(session: Session, signal: identifier_pb2.SignalIdentifier, literal_type: bytes) -> SignalRow:
    """A new signal without a value; one created first by another writer fails the transaction with a
    Conflict."""
    execution = signal.execution_id
    row = Signal(
        execution_project=execution.project,
        execution_domain=execution.domain,
        execution_name=execution.name,
        signal_id=signal.signal_id,
        type=literal_type,
    )
    session.add(row)
    return row


def list_page(
    session: Session, execution: identifier_pb2.WorkflowExecutionIdentifier, request: PageRequest
) -> Page[SignalRow]:
    """ListSignals: the signals of one execution."""
    stmt = select(Signal).where(
        Signal.execution_project == execution.project,
        Signal.execution_domain == execution.domain,
        Signal.execution_name == execution.name,
    )
    return fetch_page(session, stmt, scopes.SIGNALS, request, keys=[Signal.id], what="ListSignals")
