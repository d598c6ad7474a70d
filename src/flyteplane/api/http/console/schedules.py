"""The schedules page: every active launch plan with a schedule, its next fire times (the scheduler's own schedule
math, in the zone the scheduler would use) and its recent scheduled runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flyteidl.admin import common_pb2, execution_pb2
from starlette.requests import Request
from starlette.responses import Response

from flyteplane.api.http.console.context import Console
from flyteplane.api.http.console.entities import _schedule_text
from flyteplane.api.http.console.views import workflow_phase
from flyteplane.errors import FlyteplaneError
from flyteplane.scheduler.cadence import cadence_of
from flyteplane.scheduler.ports import ScheduledLaunchPlan
from flyteplane.scheduler.timezones import schedule_zone

__all__ = ["SchedulePages"]

NEXT_TIMES = 3
RECENT_RUNS = 5


class SchedulePages:
    def __init__(self, console: Console, scheduled: Callable[[], list[ScheduledLaunchPlan]], zone: ZoneInfo) -> None:
        self.c = console
        self.scheduled = scheduled
        self.zone = zone

    def page(self, request: Request) -> Response:
        now = datetime.now(timezone.utc)
        rows = []
        for item in self.scheduled():
            try:
                plan = self.c.rpc("GetLaunchPlan", common_pb2.ObjectGetRequest(id=item.identifier))
            except FlyteplaneError:
                continue
            schedule = plan.spec.entity_metadata.schedule
            problem = ""
            upcoming: list[datetime] = []
            try:
                zone = schedule_zone(dict(plan.spec.labels.values), self.zone)
                anchor = item.activation.replace(tzinfo=timezone.utc)
                cadence = cadence_of(schedule, zone=zone, anchor=anchor)
                moment = now
                for _ in range(NEXT_TIMES):
                    moment = cadence.next_after(moment)
                    upcoming.append(moment)
            except FlyteplaneError as exc:
                problem = exc.message
            rows.append(
                {
                    "plan": plan,
                    "schedule": _schedule_text(plan),
                    "next": [m.strftime("%Y-%m-%d %H:%M:%S UTC") for m in upcoming],
                    "problem": problem,
                    "recent": self._recent(plan),
                }
            )
        return self.c.page(request, "schedules.html", title="Schedules", rows=rows)

    def _recent(self, plan: Any) -> list[dict[str, Any]]:
        ident = plan.id
        try:
            answer = self.c.rpc(
                "ListExecutions",
                common_pb2.ResourceListRequest(
                    id=common_pb2.NamedEntityIdentifier(project=ident.project, domain=ident.domain),
                    limit=RECENT_RUNS,
                    filters=f"eq(launch_plan.name,{ident.name})+eq(mode,{execution_pb2.ExecutionMetadata.SCHEDULED})",
                    sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
                ),
            )
        except FlyteplaneError:
            return []
        return [{"execution": e, "phase": workflow_phase(e.closure.phase)} for e in answer.executions]
