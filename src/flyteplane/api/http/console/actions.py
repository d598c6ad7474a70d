"""What the execution page's buttons do: terminate, relaunch, recover, archive, and set a gate's signal. Each is a
POST that calls the RPC an API client would and answers 303 to the execution (or the new one); a refusal is
shown as a page with the RPC's message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.admin import execution_pb2, signal_pb2
from flyteidl.core import identifier_pb2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from flyteplane.api.http.console.context import BASE, Console, execution_id_of, form_of
from flyteplane.api.http.console.literals import FieldError, literal_from_text
from flyteplane.errors import FlyteplaneError, NotFound

__all__ = ["ExecutionActions", "execution_url"]


def execution_url(ident: identifier_pb2.WorkflowExecutionIdentifier) -> str:
    return f"{BASE}/projects/{ident.project}/domains/{ident.domain}/executions/{ident.name}"


class ExecutionActions:
    def __init__(self, console: Console) -> None:
        self.c = console

    async def terminate(self, request: Request) -> Response:
        form = await form_of(request)
        cause = str(form.get("cause") or "") or "terminated from the console"
        ident = execution_id_of(request)
        return await self._do(
            request,
            "TerminateExecution",
            execution_pb2.ExecutionTerminateRequest(id=ident, cause=cause),
            lambda _r: execution_url(ident),
        )

    async def relaunch(self, request: Request) -> Response:
        ident = execution_id_of(request)
        return await self._do(
            request,
            "RelaunchExecution",
            execution_pb2.ExecutionRelaunchRequest(id=ident),
            lambda r: execution_url(r.id),
        )

    async def recover(self, request: Request) -> Response:
        ident = execution_id_of(request)
        return await self._do(
            request, "RecoverExecution", execution_pb2.ExecutionRecoverRequest(id=ident), lambda r: execution_url(r.id)
        )

    async def archive(self, request: Request) -> Response:
        return await self._state(request, execution_pb2.EXECUTION_ARCHIVED)

    async def unarchive(self, request: Request) -> Response:
        return await self._state(request, execution_pb2.EXECUTION_ACTIVE)

    async def _state(self, request: Request, state: int) -> Response:
        ident = execution_id_of(request)
        return await self._do(
            request,
            "UpdateExecution",
            execution_pb2.ExecutionUpdateRequest(id=ident, state=state),  # type: ignore[arg-type]
            lambda _r: execution_url(ident),
        )

    async def signal(self, request: Request) -> Response:
        ident = execution_id_of(request)
        signal_id = request.path_params["signal_id"]
        form = await form_of(request)
        text = str(form.get("value") or "")
        signal_key = identifier_pb2.SignalIdentifier(signal_id=signal_id, execution_id=ident)
        try:
            listed = await _threaded(
                self.c.rpc,
                "ListSignals",
                signal_pb2.SignalListRequest(workflow_execution_id=ident, limit=1000),
            )
        except FlyteplaneError as exc:
            return self._refused(request, str(exc))
        found = [s for s in listed.signals if s.id.signal_id == signal_id]
        if not found:
            return self._refused(request, f"no signal [{signal_id}] in execution [{ident.name}]", status=404)
        try:
            value = literal_from_text(signal_id, text, found[0].type)
        except FieldError as exc:
            return self._refused(request, str(exc))
        return await self._do(
            request,
            "SetSignal",
            signal_pb2.SignalSetRequest(id=signal_key, value=value),
            lambda _r: execution_url(ident),
        )

    async def _do(self, request: Request, rpc: str, message: Any, where: Callable[[Any], str]) -> Response:
        try:
            response = await _threaded(self.c.rpc, rpc, message)
        except NotFound as exc:
            return self._refused(request, str(exc), status=404)
        except FlyteplaneError as exc:
            return self._refused(request, str(exc))
        return RedirectResponse(where(response), status_code=303)

    def _refused(self, request: Request, message: str, status: int = 400) -> Response:
        return self.c.page(request, "message.html", status=status, title="Not done", message=message)


async def _threaded(function: Any, *args: Any) -> Any:
    from anyio import to_thread

    return await to_thread.run_sync(function, *args)
