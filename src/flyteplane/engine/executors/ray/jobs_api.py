"""The Ray Jobs REST API (the dashboard's `/api/jobs/`), spoken with the standard library.

`ray.job_submission.JobSubmissionClient` speaks the same API but importing it costs about two seconds and pulls
all of Ray into the server; the five calls flyteplane needs are plain JSON over HTTP. One keep-alive connection
per thread: a map task's round asks about many jobs in a row.
"""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import quote, urlsplit

__all__ = ["JobExists", "JobsApi", "RayUnavailable"]

TIMEOUT_SECONDS = 30.0


class RayUnavailable(Exception):
    """The Jobs API could not be reached or answered with a server error."""


class JobExists(Exception):
    """A job with this submission id was submitted before (a resubmission after a crash)."""


class JobsApi:
    """Calls on one Ray cluster's Jobs API; safe to use from several threads."""

    def __init__(self, address: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        parts = urlsplit(address.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the Ray Jobs API address must be an http:// or https:// URL, not [{address}]")
        self.address = address.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._base = parts.path
        self._timeout = timeout
        self._local = threading.local()

    def submit(self, request: dict[str, Any]) -> None:
        """POST /api/jobs/; JobExists when the submission id is taken."""
        status, body = self._call("POST", "/api/jobs/", request)
        if status == 200:
            return
        text = body.decode("utf-8", "replace")
        if "already exists" in text:  # Ray answers 500 with the ValueError's message
            raise JobExists(request.get("submission_id", ""))
        if status >= 500:
            raise RayUnavailable(f"the Ray Jobs API at {self.address} refused the job: {_last_line(text)}")
        raise ValueError(f"the Ray Jobs API at {self.address} refused the job ({status}): {_last_line(text)}")

    def job(self, submission_id: str) -> dict[str, Any] | None:
        """GET /api/jobs/{id}: the job's details, None when Ray has no such job."""
        status, body = self._call("GET", f"/api/jobs/{quote(submission_id, safe='')}")
        if status == 404:
            return None
        result = self._json(status, body, "read the job")
        return result if isinstance(result, dict) else None

    def jobs(self) -> list[dict[str, Any]]:
        """GET /api/jobs/: every job the cluster knows."""
        status, body = self._call("GET", "/api/jobs/")
        result = self._json(status, body, "list the jobs")
        return [job for job in result if isinstance(job, dict)] if isinstance(result, list) else []

    def stop(self, submission_id: str) -> bool:
        """POST /api/jobs/{id}/stop: True when a running or pending job was told to stop."""
        status, body = self._call("POST", f"/api/jobs/{quote(submission_id, safe='')}/stop")
        if status == 404:
            return False
        return bool(self._json(status, body, "stop the job").get("stopped"))

    def logs(self, submission_id: str) -> str | None:
        """GET /api/jobs/{id}/logs: the driver's output so far (stdout and stderr together)."""
        status, body = self._call("GET", f"/api/jobs/{quote(submission_id, safe='')}/logs")
        if status == 404:
            return None
        return str(self._json(status, body, "read the job's logs").get("logs", ""))

    def version(self) -> dict[str, Any]:
        """GET /api/version: reachable, and which Ray."""
        status, body = self._call("GET", "/api/version")
        return dict(self._json(status, body, "read the version"))

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # -- plumbing ----------------------------------------------------------------------------------------------

    def _json(self, status: int, body: bytes, what: str) -> Any:
        if status != 200:
            text = body.decode("utf-8", "replace")
            raise RayUnavailable(f"the Ray Jobs API at {self.address} could not {what} ({status}): {_last_line(text)}")
        try:
            return json.loads(body)
        except ValueError as e:
            raise RayUnavailable(f"the Ray Jobs API at {self.address} answered no JSON: {e}") from None

    def _call(self, method: str, path: str, payload: Any = None) -> tuple[int, bytes]:
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for retry in (False, True):  # a kept-alive connection the server closed meanwhile is opened once more
            connection = self._connection(fresh=retry)
            try:
                connection.request(method, self._base + path, body=data, headers=headers)
                response = connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException) as e:
                connection.close()
                self._local.connection = None
                if retry or isinstance(e, TimeoutError):
                    raise RayUnavailable(f"the Ray Jobs API at {self.address} is unreachable: {e}") from None
        raise AssertionError("unreachable")

    def _connection(self, *, fresh: bool) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None or fresh:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self._timeout)
            self._local.connection = connection
        return connection


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else "(no message)"
