"""Task execution logs over HTTP: the links executors put on task executions (the local executor's `stdout` /
`stderr`, the Ray executor's `job`).

`GET /logs/{attempt_id}/{stream}` serves the file as UTF-8 text (streamed: logs can be large); `?tail=N` returns
only the last N lines. Attempt ids are checked by the executor before any path is built, so nothing outside the
attempts directory can be reached.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

__all__ = ["AttemptLogs", "log_routes"]

LOGS_PATH = "/logs"
CHUNK_BYTES = 64 * 1024
MAX_TAIL_LINES = 100_000
_TEXT = "text/plain; charset=utf-8"


class AttemptLogs(Protocol):
    """What the route needs from an executor: the file behind a log link, or None if there is none."""

    def log_file(self, attempt_id: str, stream: str) -> Path | None: ...


def log_routes(executor: AttemptLogs) -> list[BaseRoute]:
    async def serve(request: Request) -> Response:
        attempt_id, stream = request.path_params["attempt_id"], request.path_params["stream"]
        path = await to_thread.run_sync(executor.log_file, attempt_id, stream)  # the Ray executor asks Ray
        if path is None:
            return PlainTextResponse(f"no {stream} log for attempt [{attempt_id}]", status_code=404)
        tail_param = request.query_params.get("tail")
        if tail_param is not None:
            try:
                lines = int(tail_param)
            except ValueError:
                lines = -1
            if not 0 <= lines <= MAX_TAIL_LINES:
                return PlainTextResponse(f"tail must be a number of lines from 0 to {MAX_TAIL_LINES}", 400)
            text = await to_thread.run_sync(_tail_lines, path, lines)
            return Response(text, media_type=_TEXT, headers=_NO_CACHE)
        return StreamingResponse(_chunks(path), media_type=_TEXT, headers=_NO_CACHE)

    return [Route(LOGS_PATH + "/{attempt_id}/{stream}", serve, methods=["GET"])]


_NO_CACHE = {"Cache-Control": "no-store"}  # the log grows while the task runs


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    """The file as it is now; read in worker threads so a large log never blocks the event loop."""
    try:
        handle = await to_thread.run_sync(open, path, "rb")
    except OSError:
        return
    try:
        while chunk := await to_thread.run_sync(handle.read, CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()


def _tail_lines(path: Path, lines: int) -> bytes:
    """The last `lines` lines, read backwards from the end so a huge log costs only what is returned."""
    if lines == 0:
        return b""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            position = f.tell()
            data = b""
            while position > 0 and not _holds_lines(data, lines):
                step = min(CHUNK_BYTES, position)
                position -= step
                f.seek(position)
                data = f.read(step) + data
    except OSError:
        return b""
    ends_with_newline = data.endswith(b"\n")
    body = data[:-1] if ends_with_newline else data
    return b"\n".join(body.split(b"\n")[-lines:]) + (b"\n" if ends_with_newline else b"")


def _holds_lines(data: bytes, lines: int) -> bool:
    """True once `data` has `lines` whole lines after its first (maybe partial) one."""
    body = data[:-1] if data.endswith(b"\n") else data
    return body.count(b"\n") >= lines
