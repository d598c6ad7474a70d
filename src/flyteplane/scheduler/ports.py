"""What the scheduler needs from the registry: which launch-plan versions are active with a schedule, and their
specs. The scheduler keeps only its own table (`schedule_progress`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flyteidl.admin import common_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2

__all__ = ["LaunchPlans", "ScheduledLaunchPlan"]


@dataclass(frozen=True)
class ScheduledLaunchPlan:
    key: int  # the version's stable row id, which its schedule progress is kept under
    identifier: identifier_pb2.Identifier
    activation: datetime  # when it was last activated (naive UTC): a new activation starts a new progress


class LaunchPlans(Protocol):
    def scheduled_launch_plans(self) -> list[ScheduledLaunchPlan]: ...

    def get_launch_plan(self, req: common_pb2.ObjectGetRequest) -> launch_plan_pb2.LaunchPlan: ...
