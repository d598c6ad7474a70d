"""The local executor with real processes: flytekit tasks end to end, failures, termination, timeouts, the
concurrency bound, and adoption of running attempts by a restarted server."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flyteidl.core import errors_pb2, literals_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine
from flytekit.tools.fast_registration import fast_package
from tests.unit.engine.executors.attempt_builders import PUBLIC_URL, REPO_ROOT, Attempts, MakeExecutor, shell_task
from tests.unit.engine.executors.flytekit_tasks import add, add_each, explode, template_of

from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.executors.local import LocalExecutor
from flyteplane.errors import InvalidArgument

WAIT = 30.0  # generous upper bound; every test finishes far sooner


def literal_map(values: dict[str, object], types: dict[str, type]) -> literals_pb2.LiteralMap:
    ctx = FlyteContextManager.current_context()
    model = TypeEngine.dict_to_literal_map(ctx, values, types)  # type: ignore[arg-type]
    result: literals_pb2.LiteralMap = model.to_flyte_idl()
    return result


def read_outputs(path: Path) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap.FromString((path / "outputs.pb").read_bytes())


def process_alive(pid: int) -> bool:
    """A zombie (waiting for a parent that may be a reaper-less PID 1) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def wait_for(condition: object, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# -- flytekit tasks for real ---------------------------------------------------------------------------------------


def test_a_flytekit_task_runs_with_pyflyte_execute_and_writes_its_outputs(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    attempt = attempts.make(
        "add-1",
        template_of(add),
        inputs=literal_map({"a": 40, "b": 2}, {"a": int, "b": int}),
        env={"PYTHONPATH": str(REPO_ROOT)},
    )
    executor.submit(attempt)
    status = executor.wait("add-1", WAIT)
    assert (status.phase, status.exit_code) == (AttemptPhase.SUCCEEDED, 0), executor.log_file("add-1", "stderr")
    assert read_outputs(attempts.output_dir("add-1")).literals["o0"].scalar.primitive.integer == 42
    assert status.started_at is not None and status.finished_at is not None
    assert [(log.name, log.uri) for log in status.logs] == [
        ("stdout", f"{PUBLIC_URL}/logs/add-1/stdout"),
        ("stderr", f"{PUBLIC_URL}/logs/add-1/stderr"),
    ]


def test_a_failing_task_writes_error_pb_and_still_succeeds_as_a_process(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    attempt = attempts.make(
        "explode-1",
        template_of(explode),
        inputs=literal_map({"a": 7}, {"a": int}),
        env={"PYTHONPATH": str(REPO_ROOT)},
    )
    executor.submit(attempt)
    status = executor.wait("explode-1", WAIT)
    assert (status.phase, status.exit_code) == (AttemptPhase.SUCCEEDED, 0)
    document = errors_pb2.ErrorDocument.FromString((attempts.output_dir("explode-1") / "error.pb").read_bytes())
    assert "cannot handle 7" in document.error.message
    assert document.error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert not (attempts.output_dir("explode-1") / "outputs.pb").exists()


def test_a_map_task_element_finds_its_index_in_the_variable_flyte_names(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    attempt = attempts.make(
        "map-1",
        template_of(add_each),
        inputs=literal_map({"a": [1, 2, 3], "b": [10, 20, 30]}, {"a": list[int], "b": list[int]}),
        env={"PYTHONPATH": str(REPO_ROOT), "FLYTE_K8S_ARRAY_INDEX": "1"},
    )
    executor.submit(attempt)
    status = executor.wait("map-1", WAIT)
    assert status.phase == AttemptPhase.SUCCEEDED
    assert read_outputs(attempts.output_dir("map-1")).literals["o0"].scalar.primitive.integer == 22


def test_fast_registered_code_is_unpacked_once_into_the_bundle_cache_and_shown_in_the_working_folder(
    make_executor: MakeExecutor, attempts: Attempts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    source = tmp_path / "project"
    (source / "fastdemo").mkdir(parents=True)
    (source / "fastdemo" / "__init__.py").write_text("")
    (source / "fastdemo" / "greetings.py").write_text(
        textwrap.dedent(
            """
            from flytekit import task

            @task
            def greet(name: str) -> str:
                return f"hello {name} from fast registration"
            """
        )
    )
    (tmp_path / "dist").mkdir()
    tarball = fast_package(source, tmp_path / "dist")
    monkeypatch.syspath_prepend(str(source))
    from fastdemo.greetings import greet  # type: ignore[import-not-found]

    template = template_of(greet, fast_distribution=str(tarball))
    assert "/root" in template.container.args
    executor = make_executor()
    for n, name in enumerate(["ada", "grace"]):
        attempt_id = f"fast-{n}"
        executor.submit(attempts.make(attempt_id, template, inputs=literal_map({"name": name}, {"name": str})))
        status = executor.wait(attempt_id, WAIT)
        assert status.phase == AttemptPhase.SUCCEEDED, executor.log_file(attempt_id, "stderr")
        output = read_outputs(attempts.output_dir(attempt_id)).literals["o0"].scalar.primitive.string_value
        assert output == f"hello {name} from fast registration"
    (bundle,) = [p for p in (home / "bundles").iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert (bundle / "fastdemo" / "greetings.py").is_file()
    spec = json.loads((home / "attempts" / "fast-0" / "spec.json").read_text())
    work = home / "attempts" / "fast-0" / "work"
    assert (work / "fastdemo").resolve() == (bundle / "fastdemo").resolve()  # relative paths find the code's files
    # The executor unpacked the code itself, once: the task command runs without a pyflyte-fast-execute process,
    # told where the code is as pyflyte-fast-execute would tell it.
    assert spec["argv"][0] == "pyflyte-execute"
    assert spec["argv"][spec["argv"].index("--dynamic-dest-dir") + 1] == str(bundle)
    assert spec["argv"][spec["argv"].index("--dynamic-addl-distro") + 1] == str(tarball)
    assert spec["env"]["PYTHONPATH"].split(os.pathsep)[-1] == os.path.realpath(bundle)


def test_code_from_a_source_that_is_not_allowed_is_never_fetched(
    make_executor: MakeExecutor, attempts: Attempts, tmp_path: Path, home: Path
) -> None:
    from flyteplane.engine.executors.bundles import BundleCache

    template = shell_task(
        "pyflyte-fast-execute", "--additional-distribution", "http://203.0.113.9/fast.tar.gz", "--", "true"
    )
    executor = make_executor(bundles=BundleCache(home, sources=[str(tmp_path / "blobs")]))
    executor.submit(attempts.make("elsewhere-1", template))
    status = executor.status("elsewhere-1")
    assert status.phase == AttemptPhase.FAILED
    assert "not in the blob store or an allowed source" in status.message


# -- the command line and its environment ----------------------------------------------------------------------


def test_the_command_is_rendered_from_the_template_and_the_inputs_file(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    task = shell_task("echo", "{{ .Inputs.a }}", "{{.inputs.names}}", "{{$prevCheckpointPrefix}}", "{{.outputPrefix}}")
    inputs = literal_map({"a": 40, "names": ["x", "y"]}, {"a": int, "names": list[str]})
    executor.submit(attempts.make("echo-1", task, inputs=inputs))
    assert executor.wait("echo-1", WAIT).phase == AttemptPhase.SUCCEEDED
    stdout = Path(str(executor.log_file("echo-1", "stdout"))).read_text()
    assert stdout == f'40 [x,y] "" {attempts.output_dir("echo-1")}\n'


def test_a_command_that_cannot_be_rendered_fails_without_running(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    inputs = literal_map({"a": 1}, {"a": int})
    executor.submit(attempts.make("missing-1", shell_task("echo", "{{.Inputs.b}}"), inputs=inputs))
    status = executor.status("missing-1")
    assert status.phase == AttemptPhase.FAILED
    assert "requested input is not found [b]" in status.message
    assert executor.live() == []


def test_the_task_sees_template_and_engine_variables_but_not_the_servers_secrets(
    make_executor: MakeExecutor, attempts: Attempts, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, home: Path
) -> None:
    monkeypatch.setenv("FLYTEPLANE_DB_PASSWORD", "s3cr3t")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "pyflyte-execute"
    fake.write_text('#!/bin/sh\necho "fake pyflyte-execute in $VIRTUAL_ENV"\n')
    fake.chmod(0o755)
    executor = make_executor(python_envs={"registry.example/*": str(venv)})
    task = shell_task(
        "sh",
        "-c",
        "env; pyflyte-execute",
        env={"FROM_TEMPLATE": "t", "SHARED": "template"},
        image="registry.example/app:1",
    )
    executor.submit(attempts.make("env-1", task, env={"SHARED": "engine"}))
    assert executor.wait("env-1", WAIT).phase == AttemptPhase.SUCCEEDED
    lines = Path(str(executor.log_file("env-1", "stdout"))).read_text().splitlines()
    variables = dict(line.split("=", 1) for line in lines if "=" in line)
    assert "FLYTEPLANE_DB_PASSWORD" not in variables
    assert (variables["FROM_TEMPLATE"], variables["SHARED"]) == ("t", "engine")
    assert variables["PATH"].startswith(f"{venv / 'bin'}:")
    assert f"fake pyflyte-execute in {venv}" in lines
    assert Path(variables["PWD"]) == home / "attempts" / "env-1" / "work"


# -- ends of an attempt --------------------------------------------------------------------------------------------


def test_a_non_zero_exit_fails_with_the_exit_code_and_the_end_of_stderr(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    executor.submit(attempts.make("exit-3", shell_task("sh", "-c", "echo 'something broke' >&2; exit 3")))
    status = executor.wait("exit-3", WAIT)
    assert (status.phase, status.exit_code) == (AttemptPhase.FAILED, 3)
    assert "exited with code 3" in status.message and "something broke" in status.message


def test_a_missing_command_fails_with_exit_code_127(make_executor: MakeExecutor, attempts: Attempts) -> None:
    executor = make_executor()
    executor.submit(attempts.make("nocmd-1", shell_task("no-such-command-anywhere")))
    status = executor.wait("nocmd-1", WAIT)
    assert (status.phase, status.exit_code) == (AttemptPhase.FAILED, 127)
    assert "command not found: no-such-command-anywhere" in status.message


def test_terminate_kills_the_whole_process_group(
    make_executor: MakeExecutor, attempts: Attempts, tmp_path: Path
) -> None:
    executor = make_executor()
    pids = tmp_path / "pids"
    script = f"sleep 60 & echo $! >> {pids}; sleep 60 & echo $! >> {pids}; wait"
    executor.submit(attempts.make("sleep-1", shell_task("sh", "-c", script)))
    wait_for(lambda: pids.exists() and len(pids.read_text().split()) == 2)
    children = [int(pid) for pid in pids.read_text().split()]
    assert all(process_alive(pid) for pid in children)
    executor.terminate("sleep-1")
    assert executor.status("sleep-1").phase == AttemptPhase.ABORTED
    assert "sleep-1" not in executor.live()
    status = executor.wait("sleep-1", WAIT)
    assert status.phase == AttemptPhase.ABORTED and status.finished_at is not None
    wait_for(lambda: not any(process_alive(pid) for pid in children), timeout=5)


def test_processes_ignoring_sigterm_are_killed_after_the_grace_period(
    make_executor: MakeExecutor, attempts: Attempts, tmp_path: Path
) -> None:
    executor = make_executor(grace_period=0.3)
    pids = tmp_path / "pids"
    script = f"trap '' TERM; sleep 60 & echo $! > {pids}; wait"
    executor.submit(attempts.make("stubborn-1", shell_task("sh", "-c", script)))
    wait_for(pids.exists)
    started = time.monotonic()
    executor.terminate("stubborn-1")
    status = executor.wait("stubborn-1", WAIT)
    assert status.phase == AttemptPhase.ABORTED
    assert status.exit_code == 128 + signal.SIGKILL
    assert time.monotonic() - started >= 0.3
    wait_for(lambda: not process_alive(int(pids.read_text())), timeout=5)


def test_an_attempt_running_past_its_timeout_is_killed_and_fails_as_timed_out(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    executor.submit(attempts.make("slow-1", shell_task("sleep", "60"), timeout=timedelta(milliseconds=300)))
    status = executor.wait("slow-1", WAIT)
    assert (status.phase, status.timed_out) == (AttemptPhase.FAILED, True)
    assert status.message == "task execution timeout [300ms] expired"


def test_terminating_a_queued_attempt_means_it_never_runs(
    make_executor: MakeExecutor, attempts: Attempts, home: Path
) -> None:
    executor = make_executor(max_concurrency=1)
    executor.submit(attempts.make("first", shell_task("sleep", "60")))
    executor.submit(attempts.make("second", shell_task("touch", "ran")))
    assert executor.status("second").phase == AttemptPhase.QUEUED
    executor.terminate("second")
    executor.terminate("first")
    assert executor.wait("second", WAIT).phase == AttemptPhase.ABORTED
    assert executor.wait("first", WAIT).phase == AttemptPhase.ABORTED
    assert not (home / "attempts" / "second" / "work" / "ran").exists()
    assert executor.status("second").started_at is None


# -- bookkeeping ---------------------------------------------------------------------------------------------------


def test_at_most_max_concurrency_attempts_run_at_once(
    make_executor: MakeExecutor, attempts: Attempts, tmp_path: Path
) -> None:
    executor = make_executor(max_concurrency=1)
    journal = tmp_path / "journal"
    for i in range(3):
        script = f"echo begin {i} >> {journal}; sleep 0.2; echo end {i} >> {journal}"
        executor.submit(attempts.make(f"slot-{i}", shell_task("sh", "-c", script)))
    assert [executor.status(f"slot-{i}").phase for i in (1, 2)] == [AttemptPhase.QUEUED] * 2
    assert sorted(executor.live()) == ["slot-0", "slot-1", "slot-2"]
    for i in range(3):
        assert executor.wait(f"slot-{i}", WAIT).phase == AttemptPhase.SUCCEEDED
    assert journal.read_text().split("\n")[:-1] == [f"{what} {i}" for i in range(3) for what in ("begin", "end")]


def test_submitting_a_known_attempt_again_does_nothing(
    make_executor: MakeExecutor, attempts: Attempts, tmp_path: Path
) -> None:
    executor = make_executor()
    marker = tmp_path / "count"
    attempt = attempts.make("once-1", shell_task("sh", "-c", f"echo x >> {marker}"))
    executor.submit(attempt)
    executor.submit(attempt)
    executor.wait("once-1", WAIT)
    executor.release("once-1")
    executor.submit(attempt)
    assert executor.wait("once-1", WAIT).phase == AttemptPhase.SUCCEEDED
    assert marker.read_text() == "x\n"


def test_an_attempt_whose_submit_was_cut_short_by_a_crash_can_be_submitted_again(
    make_executor: MakeExecutor, attempts: Attempts, home: Path
) -> None:
    debris = home / "attempts" / "cut-1"
    (debris / "work").mkdir(parents=True)
    (debris / "spec.json").write_text("{")
    executor = make_executor()
    assert executor.status("cut-1").phase == AttemptPhase.LOST
    executor.submit(attempts.make("cut-1", shell_task("true")))
    assert executor.wait("cut-1", WAIT).phase == AttemptPhase.SUCCEEDED


def test_an_attempt_that_cannot_be_started_fails_with_the_reason(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    executor.submit(attempts.make("nul-1", shell_task("true"), env={"BROKEN": "a\0b"}))
    status = executor.wait("nul-1", WAIT)
    assert status.phase == AttemptPhase.FAILED
    assert "could not start the attempt" in status.message


def test_released_attempts_are_still_answered_from_their_files(make_executor: MakeExecutor, attempts: Attempts) -> None:
    executor = make_executor()
    executor.submit(attempts.make("done-1", shell_task("true")))
    executor.wait("done-1", WAIT)
    executor.release("done-1")
    status = executor.status("done-1")
    assert (status.phase, status.exit_code) == (AttemptPhase.SUCCEEDED, 0)
    assert status.started_at is not None
    assert executor.log_file("done-1", "stdout") is not None


def test_unknown_attempts_are_lost_and_bad_ids_are_rejected(make_executor: MakeExecutor, attempts: Attempts) -> None:
    executor = make_executor()
    assert executor.status("never-submitted").phase == AttemptPhase.LOST
    assert executor.status("../etc").phase == AttemptPhase.LOST
    with pytest.raises(InvalidArgument, match="invalid attempt id"):
        executor.submit(dataclasses.replace(attempts.make("ok", shell_task("true")), attempt_id="../escape"))
    executor.terminate("never-submitted")
    executor.release("never-submitted")


def test_on_change_is_called_when_an_attempt_starts_and_ends(make_executor: MakeExecutor, attempts: Attempts) -> None:
    changes: list[str] = []
    ended = threading.Event()
    executor = make_executor()

    def changed(attempt_id: str) -> None:
        changes.append(attempt_id)
        if executor.status(attempt_id).phase.terminal:
            ended.set()

    executor.set_on_change(changed)
    executor.submit(attempts.make("note-1", shell_task("true")))
    assert ended.wait(WAIT)
    assert set(changes) == {"note-1"} and len(changes) >= 2


def test_prune_removes_the_files_of_attempts_that_ended_long_ago(
    make_executor: MakeExecutor, attempts: Attempts
) -> None:
    executor = make_executor()
    executor.submit(attempts.make("old-1", shell_task("true")))
    executor.wait("old-1", WAIT)
    assert executor.prune(timedelta(hours=1)) == 0
    assert executor.prune(timedelta(seconds=-60)) == 1
    assert executor.log_file("old-1", "stdout") is None
    assert executor.status("old-1").phase == AttemptPhase.LOST


# -- a restarted server ----------------------------------------------------------------------------------------


def test_a_new_executor_adopts_a_running_attempt_and_learns_how_it_ended(
    make_executor: MakeExecutor, attempts: Attempts, home: Path
) -> None:
    first = LocalExecutor(home, max_concurrency=2, python_envs=None, public_url=PUBLIC_URL)
    first.submit(attempts.make("nap-1", shell_task("sleep", "1.5")))
    wait_for(lambda: first.status("nap-1").phase == AttemptPhase.RUNNING)
    first.close()  # gone without terminating anything: the attempt carries on
    second = make_executor()
    assert second.status("nap-1").phase == AttemptPhase.RUNNING
    assert second.live() == ["nap-1"]
    status = second.wait("nap-1", WAIT)
    assert (status.phase, status.exit_code) == (AttemptPhase.SUCCEEDED, 0)
    assert second.live() == []


SERVER_SCRIPT = """
import sys, time
from pathlib import Path
from flyteidl.core import tasks_pb2
from flyteplane.engine.executors.base import TaskAttempt
from flyteplane.engine.executors.local import LocalExecutor

home, work = Path(sys.argv[1]), Path(sys.argv[2])
executor = LocalExecutor(home, max_concurrency=1, python_envs=None, public_url="http://x")
for attempt_id, args in (("long-1", ["sleep", "60"]), ("queued-1", ["touch", str(work / "queued-ran")])):
    task = tasks_pb2.TaskTemplate(container=tasks_pb2.Container(image="local", args=args))
    executor.submit(TaskAttempt(attempt_id, task, "", "", "", "", "", "", ""))
while executor.status("long-1").phase.value != "RUNNING":
    time.sleep(0.01)
print("submitted", flush=True)
time.sleep(600)
"""


def test_after_a_kill_9_running_attempts_keep_running_and_queued_ones_still_run(
    make_executor: MakeExecutor, home: Path, tmp_path: Path
) -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, str(home), str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None and server.stdout.readline() == "submitted\n"
    server.kill()
    server.wait()
    restarted = make_executor(max_concurrency=1)
    assert restarted.status("long-1").phase == AttemptPhase.RUNNING
    assert restarted.status("queued-1").phase == AttemptPhase.QUEUED
    assert sorted(restarted.live()) == ["long-1", "queued-1"]
    restarted.terminate("long-1")
    assert restarted.wait("long-1", WAIT).phase == AttemptPhase.ABORTED
    assert not process_alive(json.loads((home / "attempts" / "long-1" / "started.json").read_text())["pid"])
    assert restarted.wait("queued-1", WAIT).phase == AttemptPhase.SUCCEEDED
    assert (tmp_path / "queued-ran").exists()


def test_an_attempt_whose_supervisor_vanished_is_lost(
    make_executor: MakeExecutor, attempts: Attempts, home: Path
) -> None:
    executor = make_executor()
    executor.submit(attempts.make("doomed-1", shell_task("sleep", "2")))
    started = home / "attempts" / "doomed-1" / "started.json"
    wait_for(started.exists)
    os.kill(json.loads(started.read_text())["pid"], signal.SIGKILL)
    status = executor.wait("doomed-1", WAIT)
    assert status.phase == AttemptPhase.LOST
    assert "without recording an exit status" in status.message


def test_a_supervisor_told_to_stop_by_someone_else_stops_its_task_and_reports_an_interruption(
    make_executor: MakeExecutor, attempts: Attempts, home: Path, tmp_path: Path
) -> None:
    executor = make_executor()
    pids = tmp_path / "pids"
    executor.submit(attempts.make("shutdown-1", shell_task("sh", "-c", f"sleep 60 & echo $! > {pids}; wait")))
    started = home / "attempts" / "shutdown-1" / "started.json"
    wait_for(lambda: started.exists() and pids.exists())
    os.kill(json.loads(started.read_text())["pid"], signal.SIGTERM)  # e.g. the machine shutting down
    status = executor.wait("shutdown-1", WAIT)
    assert status.phase == AttemptPhase.LOST
    assert "interrupted" in status.message
    wait_for(lambda: not process_alive(int(pids.read_text())), timeout=5)
