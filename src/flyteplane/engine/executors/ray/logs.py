"""A Ray job's logs behind its attempt's log link (`/logs/<attempt>/job`), read from the cluster's Jobs API.

Ray keeps a job's stdout and stderr together; each request reads them afresh (the job may still be running) and
keeps a copy under `<home>/ray-jobs/`, served when the cluster is away or has forgotten the job. The engine's
executor serves them, and so does a `serve --no-engine` process beside a `flyteplane engine` on the same home.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from flyteplane.engine.executors.attempt_files import valid_attempt_id
from flyteplane.engine.executors.ray.jobs_api import JobsApi, RayUnavailable

__all__ = ["LOG_STREAM", "RayJobLogs"]

log = logging.getLogger(__name__)

LOG_STREAM = "job"


class RayJobLogs:
    def __init__(self, home: Path, api: JobsApi) -> None:
        self._api = api
        self.folder = Path(home).absolute() / "ray-jobs"

    def link(self, public_url: str, attempt_id: str) -> str:
        return f"{public_url.rstrip('/')}/logs/{attempt_id}/{LOG_STREAM}"

    def log_file(self, attempt_id: str, stream: str) -> Path | None:
        """The job's logs as Ray has them now, in a file; the last copy when Ray cannot say."""
        if stream != LOG_STREAM or not valid_attempt_id(attempt_id):
            return None
        path = self.folder / f"{attempt_id}.log"
        try:
            text = self._api.logs(attempt_id)
        except RayUnavailable as e:
            log.warning("ray job logs of %s: %s", attempt_id, e)
            text = None
        if text is None:
            return path if path.is_file() else None
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        return path
