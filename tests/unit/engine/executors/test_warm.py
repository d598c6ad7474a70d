"""The warm pool with real processes: flytekit attempts forked from a warm interpreter behave as cold ones do —
isolated from each other, stopped as a process group, timed out, adopted after a restart — and whatever cannot
start warm (other commands, environments without flytekit, start-up variables, a dead warm interpreter) starts
cold."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.unit.engine.executors.attempt_builders import PUBLIC_URL, REPO_ROOT, Attempts, MakeExecutor, shell_task
from tests.unit.engine.executors.flytekit_tasks import template_of
from tests.unit.engine.executors.test_local import literal_map, process_alive, read_outputs, wait_for
from tests.unit.engine.executors.warm_tasks import crash, linger, nap, pollute, whoami

from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.executors.local import LocalExecutor
from flyteplane.engine.executors.warm import WarmSettings, interpreter_of

WAIT = 60.0
CODE = {"PYTHONPATH": str(REPO_ROOT)}


@pytest.fixture
def warm_executor(make_executor: MakeExecutor) -> Callable[..., LocalExecutor]:
    def make(**kwargs: Any) -> LocalExecutor:
        return make_executor(warm=WarmSettings(prestart=True, **kwargs.pop("warm", {})), **kwargs)

    return make


def zygotes(executor: LocalExecutor) -> list[dict[str, Any]]:
    with executor._lock:
        return executor._warm.status() if executor._warm is not None else []


def ready_zygote(executor: LocalExecutor) -> int:
    wait_for(lambda: [z["state"] for z in zygotes(executor)] == ["ready"], timeout=WAIT)
    return int(zygotes(executor)[0]["pid"])


def run(executor: LocalExecutor, attempts: Attempts, attempt_id: str, entity: Any, **inputs: Any) -> Any:
    types = {name: type(value) for name, value in inputs.items()}
    executor.submit(attempts.make(attempt_id, template_of(entity), inputs=literal_map(inputs, types), env=CODE))
    return executor.wait(attempt_id, WAIT)


def report(attempts: Attempts, attempt_id: str) -> dict[str, Any]:
    value = read_outputs(attempts.output_dir(attempt_id)).literals["o0"].scalar.primitive.string_value
    result: dict[str, Any] = json.loads(value)
    return result


def started_pid(home: Path, attempt_id: str) -> int:
    return int(json.loads((home / "attempts" / attempt_id / "started.json").read_text())["pid"])


def test_a_flytekit_attempt_is_a_fork_of_the_warm_interpreter_laid_out_as_a_cold_one(
    warm_executor: Callable[..., LocalExecutor], attempts: Attempts, home: Path
) -> None:
    executor = warm_executor()
    zygote = ready_zygote(executor)
    status = run(executor, attempts, "who-1", whoami)
    assert status.phase == AttemptPhase.SUCCEEDED, executor.log_file("who-1", "stderr")
    me = report(attempts, "who-1")
    attempt = home / "attempts" / "who-1"
    assert "zygote.py" in " ".join(me["cmdline"])  # forked, not exec'd
    assert me["pgid"] == me["pid"]  # its own process group ...
    assert me["sid"] == started_pid(home, "who-1") != zygote  # ... in its supervisor's own session
    assert Path(me["cwd"]) == attempt / "work"
    assert Path(me["tmp"]) == attempt / "tmp"
    assert me["argv0"].endswith("/pyflyte-execute")
    assert me["stdin"] == ""
    spec = json.loads((attempt / "spec.json").read_text())
    assert spec["warm"]["python"] == interpreter_of(os.path.join(spec["warm"]["bin_dir"], "pyflyte-execute"))
    assert ready_zygote(executor) == zygote


def test_what_an_attempt_changes_in_its_interpreter_or_how_it_dies_never_reaches_the_next(
    warm_executor: Callable[..., LocalExecutor], attempts: Attempts
) -> None:
    executor = warm_executor()
    zygote = ready_zygote(executor)
    assert run(executor, attempts, "pollute-1", pollute).phase == AttemptPhase.SUCCEEDED
    segfault = run(executor, attempts, "segfault-1", crash, how="segfault")
    assert (segfault.phase, segfault.exit_code) == (AttemptPhase.FAILED, 128 + signal.SIGSEGV)
    assert "SIGSEGV" in segfault.message
    exited = run(executor, attempts, "exit-1", crash, how="exit")
    assert (exited.phase, exited.exit_code) == (AttemptPhase.FAILED, 3)
    assert run(executor, attempts, "who-2", whoami).phase == AttemptPhase.SUCCEEDED
    me = report(attempts, "who-2")
    assert me["calls"] == 1
    assert me["polluted_env"] is None and not me["polluted_module"] and not me["json_dumps_patched"]
    assert not me["polluted_path"]
    assert ready_zygote(executor) == zygote


def test_a_task_error_and_a_map_item_work_as_cold(
    warm_executor: Callable[..., LocalExecutor], attempts: Attempts
) -> None:
    from tests.unit.engine.executors.flytekit_tasks import add_each, explode

    executor = warm_executor()
    ready_zygote(executor)
    assert run(executor, attempts, "explode-1", explode, a=7).phase == AttemptPhase.SUCCEEDED
    assert (attempts.output_dir("explode-1") / "error.pb").exists()
    inputs = literal_map({"a": [1, 2, 3], "b": [10, 20, 30]}, {"a": list[int], "b": list[int]})
    executor.submit(
        attempts.make("item-2", template_of(add_each), inputs=inputs, env={**CODE, "FLYTE_K8S_ARRAY_INDEX": "2"})
    )
    assert executor.wait("item-2", WAIT).phase == AttemptPhase.SUCCEEDED
    assert read_outputs(attempts.output_dir("item-2")).literals["o0"].scalar.primitive.integer == 33


def test_terminate_and_timeout_stop_a_warm_attempts_whole_process_group(
    warm_executor: Callable[..., LocalExecutor], attempts: Attempts, tmp_path: Path
) -> None:
    executor = warm_executor()
    ready_zygote(executor)
    pid_file = tmp_path / "pids"
    inputs = literal_map({"pid_file": str(pid_file)}, {"pid_file": str})
    executor.submit(attempts.make("linger-1", template_of(linger), inputs=inputs, env=CODE))
    wait_for(lambda: pid_file.exists() and len(pid_file.read_text().split()) == 2)
    task_pid, child_pid = map(int, pid_file.read_text().split())
    executor.terminate("linger-1")
    assert executor.wait("linger-1", WAIT).phase == AttemptPhase.ABORTED
    wait_for(lambda: not process_alive(task_pid) and not process_alive(child_pid), timeout=10)

    slow = attempts.make("nap-1", template_of(nap), inputs=literal_map({"seconds": 60.0}, {"seconds": float}), env=CODE)
    executor.submit(type(slow)(**{**slow.__dict__, "timeout": timedelta(milliseconds=500)}))
    status = executor.wait("nap-1", WAIT)
    assert (status.phase, status.timed_out) == (AttemptPhase.FAILED, True)


def test_attempts_a_dying_warm_interpreter_never_started_start_cold_and_it_is_replaced(
    warm_executor: Callable[..., LocalExecutor], attempts: Attempts
) -> None:
    executor = warm_executor()
    zygote = ready_zygote(executor)
    os.kill(zygote, signal.SIGSTOP)  # it takes requests but answers none ...
    try:
        executor.submit(attempts.make("who-cold", template_of(whoami), inputs=literal_map({}, {}), env=CODE))
        wait_for(lambda: executor.status("who-cold").phase == AttemptPhase.RUNNING)
    finally:
        os.kill(zygote, signal.SIGKILL)  # ... and dies with the request unread
    assert executor.wait("who-cold", WAIT).phase == AttemptPhase.SUCCEEDED
    assert "zygote.py" not in " ".join(report(attempts, "who-cold")["cmdline"])  # it ran cold
    assert run(executor, attempts, "who-warm", whoami).phase == AttemptPhase.SUCCEEDED
    assert "zygote.py" in " ".join(report(attempts, "who-warm")["cmdline"])
    assert ready_zygote(executor) != zygote


def test_an_environment_whose_interpreter_cannot_be_warmed_runs_cold(
    warm_executor: Callable[..., LocalExecutor], attempts: Attempts, tmp_path: Path
) -> None:
    bare = tmp_path / "bare" / "bin"
    bare.mkdir(parents=True)
    python = bare / "python"  # an interpreter without flytekit, as far as a warm start can tell
    python.write_text('#!/bin/sh\necho "bare python $*"\nexit 0\n')
    python.chmod(0o755)
    script = bare / "pyflyte-execute"
    script.write_text(f"#!{python}\nimport sys\n")
    script.chmod(0o755)
    executor = warm_executor(python_envs={"bare:*": str(bare)})
    ready_zygote(executor)  # the default environment's
    task = shell_task("pyflyte-execute", "--inputs", "x", image="bare:1")
    executor.submit(attempts.make("bare-1", task))
    assert executor.wait("bare-1", WAIT).phase == AttemptPhase.SUCCEEDED
    stdout = Path(str(executor.log_file("bare-1", "stdout"))).read_text()
    assert stdout.startswith(f"bare python {script} --inputs x")  # exec'd: a cold start
    executor.submit(attempts.make("bare-2", task))  # and no second try at warming it for a while
    assert executor.wait("bare-2", WAIT).phase == AttemptPhase.SUCCEEDED
    assert len(zygotes(executor)) == 1


def test_commands_and_variables_a_fork_cannot_honour_start_cold(
    warm_executor: Callable[..., LocalExecutor], attempts: Attempts, home: Path
) -> None:
    executor = warm_executor()
    ready_zygote(executor)
    executor.submit(attempts.make("shell-1", shell_task("true")))
    executor.submit(
        attempts.make("seeded-1", template_of(whoami), inputs=literal_map({}, {}), env={**CODE, "PYTHONHASHSEED": "7"})
    )
    for attempt_id in ("shell-1", "seeded-1"):
        assert executor.wait(attempt_id, WAIT).phase == AttemptPhase.SUCCEEDED
        assert "warm" not in json.loads((home / "attempts" / attempt_id / "spec.json").read_text())
    assert "zygote.py" not in " ".join(report(attempts, "seeded-1")["cmdline"])


def test_a_restarted_executor_adopts_a_running_warm_attempt(
    make_executor: MakeExecutor, attempts: Attempts, home: Path
) -> None:
    first = LocalExecutor(
        home, max_concurrency=2, python_envs=None, public_url=PUBLIC_URL, warm=WarmSettings(prestart=True)
    )
    try:
        ready_zygote(first)
        slow = attempts.make(
            "nap-2", template_of(nap), inputs=literal_map({"seconds": 2.0}, {"seconds": float}), env=CODE
        )
        first.submit(slow)
        wait_for(lambda: (home / "attempts" / "nap-2" / "started.json").exists())
    finally:
        first.close()  # its warm interpreter goes; the attempt's supervisor does not
    assert process_alive(started_pid(home, "nap-2"))
    second = make_executor()
    assert second.status("nap-2").phase == AttemptPhase.RUNNING
    status = second.wait("nap-2", WAIT)
    assert (status.phase, status.exit_code) == (AttemptPhase.SUCCEEDED, 0)
    assert read_outputs(attempts.output_dir("nap-2")).literals["o0"].scalar.primitive.float_value == 2.0


def test_an_idle_warm_interpreter_exits_and_comes_back_on_demand(
    warm_executor: Callable[..., LocalExecutor], attempts: Attempts
) -> None:
    executor = warm_executor(warm={"idle_timeout": 0.5})
    zygote = ready_zygote(executor)
    wait_for(lambda: zygotes(executor) == [], timeout=WAIT)
    wait_for(lambda: not process_alive(zygote), timeout=10)
    assert run(executor, attempts, "who-3", whoami).phase == AttemptPhase.SUCCEEDED
    assert "zygote.py" in " ".join(report(attempts, "who-3")["cmdline"])


def test_the_interpreter_is_the_one_the_console_scripts_shebang_names(tmp_path: Path) -> None:
    python = tmp_path / "python3"
    python.write_text("")
    python.chmod(0o755)
    direct, via_env, shell, missing = (tmp_path / name for name in ("direct", "env", "shell", "missing"))
    direct.write_text(f"#!{python}\nimport sys\n")
    via_env.write_text("#!/usr/bin/env python3\n")
    shell.write_text('#!/bin/sh\nexec python3 "$0"\n')
    assert interpreter_of(str(direct)) == str(python)
    assert interpreter_of(str(via_env)) == shutil.which("python3")
    assert interpreter_of(str(shell)) is None
    assert interpreter_of(str(missing)) is None
