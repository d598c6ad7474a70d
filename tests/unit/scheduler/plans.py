"""Schedules and launch-plan state changes, as the scheduler tests write them."""

from __future__ import annotations

from flyteidl.admin import launch_plan_pb2, schedule_pb2
from flyteidl.core import identifier_pb2

from flyteplane.services.registry.launch_plans import LaunchPlanService


def cron(expression: str, kickoff: str = "") -> schedule_pb2.Schedule:
    return schedule_pb2.Schedule(
        cron_schedule=schedule_pb2.CronSchedule(schedule=expression), kickoff_time_input_arg=kickoff
    )


def minutely_rate(minutes: int = 1) -> schedule_pb2.Schedule:
    return schedule_pb2.Schedule(rate=schedule_pb2.FixedRate(value=minutes, unit=schedule_pb2.MINUTE))


def set_state(service: LaunchPlanService, plan: identifier_pb2.Identifier, state: int) -> None:
    service.update_launch_plan(launch_plan_pb2.LaunchPlanUpdateRequest(id=plan, state=state))
