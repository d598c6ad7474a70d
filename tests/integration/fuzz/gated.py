"""A workflow that waits on a signal for an hour and runs no task process: executions of it stay RUNNING while the
fuzz test sends events and signals for them."""

from __future__ import annotations

from datetime import timedelta

from flytekit import wait_for_input, workflow


@workflow
def waits() -> bool:
    return wait_for_input("go", timeout=timedelta(hours=1), expected_type=bool)
