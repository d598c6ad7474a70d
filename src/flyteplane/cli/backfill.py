"""`flyteplane backfill`: a launch plan's scheduled executions for a past range of time, with a progress bar.

It creates the executions itself, one per scheduled time, exactly as the scheduler would have (mode SCHEDULED,
`scheduled_at`, kickoff input, deterministic name): running it again, or over times the scheduler already
covered, starts nothing twice. FlyteRemote.launch_backfill's way — one registered workflow of launch-plan nodes —
also works against flyteplane; this command's executions are instead each a top-level execution of the launch
plan, listed and filtered like scheduled ones and relaunchable one by one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2

__all__ = ["backfill"]


def _time(ctx: click.Context, param: click.Parameter, value: str) -> datetime:
    """An ISO 8601 date or time, with or without an offset."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date or time (e.g. 2024-01-31 or 2024-01-31T06:00)", ctx, param
        ) from None


class _AdminBackfill:
    """flyteplane's client as the BackfillClient the runner drives."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def launch(self, request: execution_pb2.ExecutionCreateRequest) -> bool:
        from flyteplane.client import FlyteEntityAlreadyExistsException, FlyteEntityNotExistException

        try:
            self.client.create_execution(request.project, request.domain, request.name, request.spec, request.inputs)
        except FlyteEntityAlreadyExistsException as exc:
            try:
                self.client.get_execution(_execution_id(request))
            except FlyteEntityNotExistException:
                raise exc from None  # not there: e.g. the launch plan's concurrency limit skipped it
            return False
        return True

    def phase(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> int:
        return int(self.client.get_execution(execution).closure.phase)


def _execution_id(request: execution_pb2.ExecutionCreateRequest) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(project=request.project, domain=request.domain, name=request.name)


def _launch_plan(client: Any, project: str, domain: str, name: str, version: str | None) -> launch_plan_pb2.LaunchPlan:
    """The given version; else the active one (whose times the scheduler fires); else the newest."""
    from flyteplane.client import FlyteEntityNotExistException, Sort

    if version:
        ident = identifier_pb2.Identifier(
            resource_type=identifier_pb2.LAUNCH_PLAN, project=project, domain=domain, name=name, version=version
        )
        return client.get_launch_plan(ident)
    named = common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name)
    try:
        return client.get_active_launch_plan(named)
    except FlyteEntityNotExistException:
        pass
    plans, _ = client.list_launch_plans_paginated(named, limit=1, sort_by=Sort.desc("created_at"))
    if not plans:
        raise click.ClickException(f"launch plan [{name}] not found in {project}/{domain}")
    return plans[0]


def _phase_name(phase: int) -> str:
    from flyteidl.core import execution_pb2 as core

    return str(core.WorkflowExecution.Phase.Name(phase))


def _dry_run(client: Any, plan: Any, console: Any) -> None:
    """Lists the times and names, and which executions exist already; changes nothing."""
    from rich.table import Table

    from flyteplane.client import FlyteEntityNotExistException

    table = Table(title=f"backfill of {plan.launch_plan.name}@{plan.launch_plan.version} (dry run)")
    for column in (f"scheduled ({plan.zone.key})", "UTC", "execution", "status"):
        table.add_column(column)
    for request, moment in zip(plan.requests, plan.times, strict=True):
        try:
            status = _phase_name(client.get_execution(_execution_id(request)).closure.phase).lower()
        except FlyteEntityNotExistException:
            status = "to start"
        local = moment.astimezone(plan.zone)
        table.add_row(f"{local:%Y-%m-%d %H:%M:%S}", f"{moment:%Y-%m-%d %H:%M:%S}", request.name, status)
    console.print(table)


def _run(runner: Any, console: Any, waiting: bool) -> list[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flyteplane.scheduler.backfill import ItemState

    items = runner.items
    finished = (ItemState.DONE, ItemState.SKIPPED) if waiting else (ItemState.RUNNING, ItemState.DONE)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task("backfill", total=len(items))

        def on_change(item: Any) -> None:
            counts = {state: sum(1 for i in items if i.state is state) for state in ItemState}
            ok = sum(1 for i in items if i.succeeded)
            failed = counts[ItemState.DONE] - ok
            progress.update(
                bar,
                completed=sum(1 for i in items if i.state in finished),
                description=f"running {counts[ItemState.RUNNING]} · succeeded {ok} · failed {failed}",
            )
            if item.state is ItemState.DONE and not item.succeeded:
                progress.console.print(
                    f"[red]{item.scheduled_at:%Y-%m-%d %H:%M:%S} UTC  {item.request.name}  {_phase_name(item.phase)}"
                )

        runner.on_change = on_change
        return list(runner.run())


@click.command()
@click.argument("launch_plan")
@click.option("--from", "start", required=True, callback=_time, help="First time of the range (included), ISO 8601.")
@click.option("--to", "end", required=True, callback=_time, help="End of the range (excluded), ISO 8601.")
@click.option("-p", "--project", default="flytesnacks", show_default=True)
@click.option("-d", "--domain", default="development", show_default=True)
@click.option("--version", default=None, help="Launch plan version [default: the active one, else the newest].")
@click.option("--parallel/--serial", default=False, help="Start all at once, or each after the previous ended.")
@click.option("--concurrency", type=click.IntRange(min=0), default=0, help="Parallel: at most this many running.")
@click.option("--keep-going", is_flag=True, help="Serial: go on after an execution that did not succeed.")
@click.option("--timezone", "zone_name", default=None, help="Zone of cron schedules and of times without offset.")
@click.option("--dry-run", is_flag=True, help="Only list the scheduled times and execution names.")
@click.option("--no-wait", is_flag=True, help="Parallel: start the executions and return.")
@click.option(
    "--endpoint",
    envvar="FLYTE_PLATFORM_URL",
    default=None,
    help="Flyte Admin's host:port [default: $FLYTE_PLATFORM_URL or localhost:30080].",
)
@click.option("--insecure/--tls", default=True, show_default=True, help="Plaintext gRPC, or TLS.")
@click.option("--poll-interval", type=click.FloatRange(min=0.05), default=1.0, show_default=True, hidden=True)
def backfill(
    launch_plan: str,
    start: datetime,
    end: datetime,
    project: str,
    domain: str,
    version: str | None,
    parallel: bool,
    concurrency: int,
    keep_going: bool,
    zone_name: str | None,
    dry_run: bool,
    no_wait: bool,
    endpoint: str | None,
    insecure: bool,
    poll_interval: float,
) -> None:
    """Start LAUNCH_PLAN's executions for every scheduled time in [--from, --to), as its schedule would have.

    Times without an offset are read in the schedule's time zone (--timezone, else the launch plan's
    `flyteplane.io/timezone` label, else UTC). Exits with status 1 when an execution did not succeed.
    """
    from rich.console import Console

    from flyteplane.client import FlyteClientException, SynchronousFlyteClient
    from flyteplane.client.config import DEFAULT_ENDPOINT
    from flyteplane.errors import FlyteplaneError
    from flyteplane.scheduler.backfill import BackfillRunner, plan_backfill
    from flyteplane.scheduler.timezones import zone_named

    if no_wait and not parallel:
        raise click.UsageError("--no-wait needs --parallel: a serial backfill waits for each execution")
    console = Console(stderr=False)
    try:
        zone = zone_named(zone_name) if zone_name else None
        with SynchronousFlyteClient(endpoint or DEFAULT_ENDPOINT, insecure=insecure) as client:
            plan = plan_backfill(_launch_plan(client, project, domain, launch_plan, version), start, end, zone=zone)
            console.print(
                f"backfill of {project}/{domain}/{plan.launch_plan.name}@{plan.launch_plan.version}: "
                f"{len(plan.requests)} execution(s) from {plan.times[0].astimezone(plan.zone):%Y-%m-%d %H:%M:%S} to "
                f"{plan.times[-1].astimezone(plan.zone):%Y-%m-%d %H:%M:%S} ({plan.zone.key}), "
                f"{'parallel' if parallel else 'serial'}"
            )
            if dry_run:
                _dry_run(client, plan, console)
                return
            runner = BackfillRunner(
                _AdminBackfill(client),
                plan,
                parallel=parallel,
                concurrency=concurrency,
                keep_going=keep_going,
                wait=not no_wait,
                poll_interval=poll_interval,
            )
            items = _run(runner, console, waiting=not no_wait)
    except FlyteplaneError as exc:
        raise click.UsageError(exc.message) from exc
    except FlyteClientException as exc:
        raise click.ClickException(str(exc)) from exc
    existed = sum(1 for item in items if item.existed)
    if no_wait:
        console.print(f"started {len(items) - existed}, {existed} existed already")
        return
    succeeded = sum(1 for item in items if item.succeeded)
    not_run = sum(1 for item in items if item.state.value == "skipped")
    console.print(
        f"succeeded {succeeded} of {len(items)} ({existed} existed already)"
        + (f", {not_run} not started after a failure" if not_run else "")
    )
    if succeeded != len(items):
        raise SystemExit(1)
