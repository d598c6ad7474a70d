"""Scheduled launch plans of the workflows in `workflows`."""

from __future__ import annotations

from datetime import timedelta

from flytekit import CronSchedule, FixedRate, LaunchPlan

from scheduled_apps.workflows import daily_report, echo, ticker

ticker_every_minute = LaunchPlan.get_or_create(
    ticker, name="ticker_every_minute", schedule=FixedRate(duration=timedelta(minutes=1))
)
echo_minutely = LaunchPlan.get_or_create(
    echo, name="echo_minutely", schedule=CronSchedule(schedule="* * * * *", kickoff_time_input_arg="kickoff")
)
echo_every_5_minutes = LaunchPlan.get_or_create(
    echo, name="echo_every_5_minutes", schedule=CronSchedule(schedule="*/5 * * * *", kickoff_time_input_arg="kickoff")
)
echo_every_6_hours = LaunchPlan.get_or_create(
    echo, name="echo_every_6_hours", schedule=CronSchedule(schedule="0 */6 * * *", kickoff_time_input_arg="kickoff")
)
report_every_6_hours = LaunchPlan.get_or_create(
    daily_report,
    name="report_every_6_hours",
    schedule=CronSchedule(schedule="0 */6 * * *", kickoff_time_input_arg="when"),
)
