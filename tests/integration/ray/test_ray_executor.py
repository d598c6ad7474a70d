"""The Ray executor against a real two-node Ray cluster (started here, on 127.0.0.1 only) and PostgreSQL, with the
real flytekit: workflows run as Ray jobs on the worker node, terminate and timeouts stop the job, the job's logs
are served on the task's log link, Flyte's Ray task type joins the cluster, a server killed with -9 mid-task
adopts its job after a restart, and with an S3 blob store (SeaweedFS, started here) the data path works on the
worker node: the code bundle, files, a map task and inputs a command line names. One module: the cluster (half a
minute to start) is started once, and pytest-xdist (`--dist loadfile`) runs a module on one worker."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
import grpc
import pytest
from flyteidl.admin import node_execution_pb2, task_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import literals_pb2
from flyteidl.service import admin_pb2_grpc
from flytekit.configuration import DataConfig, S3Config
from flytekit.core.context_manager import FlyteContextManager
from flytekit.types.file import FlyteFile
from tests import ray_cluster
from tests.integration.engine.support import DOMAIN, VERSION, QuickRemote, assert_succeeded, finish, phase_name
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project
from tests.postgres import temporary_database
from tests.s3server import S3Server, running_s3
from tests.unit.engine.executors.attempt_builders import Attempts, shell_task

from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.executors.ray import RayExecutor

APPS = Path(__file__).parent / "apps"
if str(APPS) not in sys.path:
    sys.path.insert(0, str(APPS))

from rayflows import basics, raytask, s3data  # noqa: E402

TaskPhase = core_execution_pb2.TaskExecution.Phase


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ray_cluster.RayCluster]:
    ray_cluster.require()
    started = ray_cluster.start_cluster(tmp_path_factory.mktemp("ray"))
    try:
        yield started
    finally:
        started.stop()
    assert started.processes() == [], "Ray processes outlived the cluster's stop"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with temporary_database() as url:
        yield url


def ray_server(home: Path, database: str, cluster: ray_cluster.RayCluster) -> RunningServer:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "flyteplane.yaml"
    config.write_text(f"executor: ray\nray_address: {cluster.address}\n")
    return start_server(home, database, "--config", str(config))


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, database: str, cluster: ray_cluster.RayCluster
) -> Iterator[RunningServer]:
    running = ray_server(tmp_path_factory.mktemp("home-ray"), database, cluster)
    yield running
    running.stop()


def remote_of(server: RunningServer) -> Any:
    return QuickRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
    )


@pytest.fixture(scope="module")
def flyte(server: RunningServer) -> Any:
    return remote_of(server)


@pytest.fixture(scope="module")
def project(flyte: Any) -> str:
    return new_project(flyte, "ray")


def register(remote: Any, project: str, entity: Any) -> Any:
    return remote.register_script(
        entity, project=project, domain=DOMAIN, version=VERSION, source_path=str(APPS), copy_all=True
    )


def run(remote: Any, project: str, entity: Any, **inputs: Any) -> Any:
    execution = remote.execute(register(remote, project, entity), inputs=inputs, project=project, domain=DOMAIN)
    return finish(remote, execution)


def task_executions(server: RunningServer, execution: Any) -> list[Any]:
    """Every task execution of the execution's task nodes, in node order."""
    with grpc.insecure_channel(server.endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        nodes = stub.ListNodeExecutions(
            node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=execution.id.to_flyte_idl(), limit=100)
        ).node_executions
        found = []
        for node in sorted(nodes, key=lambda n: n.id.node_id):
            listed = stub.ListTaskExecutions(
                task_execution_pb2.TaskExecutionListRequest(node_execution_id=node.id, limit=100)
            )
            found += list(listed.task_executions)
        return found


def job_link(task_execution: Any) -> str:
    links = [log.uri for log in task_execution.closure.logs if log.uri.endswith("/job")]
    assert len(links) == 1, task_execution.closure.logs
    return links[0]


def attempt_of(task_execution: Any) -> str:
    """The attempt id, which is the Ray job's submission id: /logs/<attempt>/job."""
    return job_link(task_execution).rsplit("/", 2)[-2]


def ray_job(cluster: ray_cluster.RayCluster, submission_id: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{cluster.address}/api/jobs/{submission_id}", timeout=10) as response:
        return dict(json.load(response))


def supervisor_resources(cluster: ray_cluster.RayCluster, submission_id: str) -> dict[str, float]:
    """What Ray reserved for the job's entrypoint: the resources of its supervisor actor (state API)."""
    url = f"{cluster.address}/api/v0/actors?detail=1&limit=10000"
    with urllib.request.urlopen(url, timeout=30) as response:
        actors = json.load(response)["data"]["result"]["result"]
    (actor,) = [a for a in actors if a.get("name") == f"_ray_internal_job_actor_{submission_id}"]
    return dict(actor["required_resources"])


def wait_for(check: Any, what: str, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def test_a_workflow_runs_as_ray_jobs_on_postgres(
    flyte: Any, project: str, server: RunningServer, cluster: ray_cluster.RayCluster
) -> None:
    ended = run(flyte, project, basics.pair, x=21)
    assert_succeeded(ended)
    assert ended.outputs["o0"] == 63
    attempts = task_executions(server, ended)
    assert len(attempts) == 2
    for attempt in attempts:
        assert attempt.closure.phase == TaskPhase.SUCCEEDED
        job = ray_job(cluster, attempt_of(attempt))
        assert job["status"] == "SUCCEEDED"
        assert job["metadata"]["flyteplane_owner"]
        assert supervisor_resources(cluster, job["submission_id"]) == {"CPU": 1.0}  # no request: one CPU
        assert "pyflyte-fast-execute" in job["entrypoint"]


def test_tasks_run_on_the_worker_node_with_their_resources_and_logs(
    flyte: Any, project: str, server: RunningServer, cluster: ray_cluster.RayCluster
) -> None:
    ended = run(flyte, project, basics.where_wf)
    assert_succeeded(ended)
    ancestry = ended.outputs["o0"]
    # The task's own process descends from the worker node's `ray start`, not the head's.
    assert cluster.worker.pid in ancestry, (ancestry, cluster.worker.pid)
    assert cluster.head.pid not in ancestry
    (attempt,) = task_executions(server, ended)
    job = ray_job(cluster, attempt_of(attempt))
    assert job["driver_node_id"] == cluster.node_id("worker")
    assert job["driver_node_id"] != cluster.node_id("node:InternalHead")
    assert supervisor_resources(cluster, job["submission_id"]) == {"CPU": 1.0, "memory": 200.0 * 2**20}
    # The job's logs on the task's log link (Ray flushes them a moment after the job ends).
    link = job_link(attempt)
    assert link.startswith(server.url + "/logs/")

    def logged() -> bool:
        with urllib.request.urlopen(link, timeout=10) as response:
            return "flyteplane-ray-marker: running on the worker node" in response.read().decode()

    wait_for(logged, "the task's print in its log link", timeout=30)
    # An API-only server beside the engine (same home and settings) serves the same link from Ray.
    api_only = start_server(server.home, server.db, "--no-engine", "--config", str(server.home / "flyteplane.yaml"))
    try:
        with urllib.request.urlopen(link.replace(server.url, api_only.url), timeout=30) as response:
            assert "flyteplane-ray-marker: running on the worker node" in response.read().decode()
    finally:
        api_only.stop()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{server.url}/logs/{attempt_of(attempt)}/stdout", timeout=10)
    assert missing.value.code == 404


def test_terminate_stops_the_ray_job(
    flyte: Any, project: str, server: RunningServer, cluster: ray_cluster.RayCluster, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger"
    entity = register(flyte, project, basics.slow_wf)
    execution = flyte.execute(entity, inputs={"seconds": 300, "ledger": str(ledger)}, project=project, domain=DOMAIN)
    wait_for(lambda: ledger.exists() and ledger.read_text().strip(), "the task's start")
    (attempt,) = wait_for(lambda: task_executions(server, execution), "the task execution")
    flyte.terminate(execution, cause="enough")
    ended = finish(flyte, execution)
    assert phase_name(ended.closure.phase) == "ABORTED"
    job = wait_for(
        lambda: (j := ray_job(cluster, attempt_of(attempt)))["status"] == "STOPPED" and j,
        "the Ray job's stop",
        timeout=60,
    )
    assert job["end_time"]


def test_a_timeout_stops_the_job_and_fails_the_task(
    flyte: Any, project: str, server: RunningServer, cluster: ray_cluster.RayCluster
) -> None:
    ended = run(flyte, project, basics.too_slow_wf)
    assert phase_name(ended.closure.phase) == "FAILED"
    # The task's own timeout, or, when Ray was slow to start the job, the node's active deadline (twice the
    # timeout, counted from when the node was queued): either way a timeout, and the job is stopped.
    assert "timeout" in ended.closure.error.message.lower(), ended.closure.error.message
    (attempt,) = task_executions(server, ended)[-1:]
    wait_for(lambda: ray_job(cluster, attempt_of(attempt))["status"] == "STOPPED", "the job's stop", timeout=60)


def test_flytes_ray_task_type_runs_on_the_cluster(
    flyte: Any, project: str, server: RunningServer, cluster: ray_cluster.RayCluster
) -> None:
    ended = run(flyte, project, raytask.squares_wf, n=4)
    assert_succeeded(ended)
    # Its runtime env's variable reached the task; its Ray tasks ran on the cluster's worker (custom resource).
    assert ended.outputs["o0"] == "hello-from-runtime-env 14"
    (attempt,) = task_executions(server, ended)
    job = ray_job(cluster, attempt_of(attempt))
    assert job["runtime_env"]["env_vars"]["GREETING"] == "hello-from-runtime-env"


def test_a_restarted_server_adopts_its_running_job(
    database: str, cluster: ray_cluster.RayCluster, tmp_path: Path
) -> None:
    home, ledger = tmp_path / "home", tmp_path / "ledger"
    first = ray_server(home, database, cluster)
    try:
        flyte = remote_of(first)
        project = new_project(flyte, "ray-crash")
        entity = register(flyte, project, basics.slow_wf)
        execution = flyte.execute(entity, inputs={"seconds": 8, "ledger": str(ledger)}, project=project, domain=DOMAIN)
        wait_for(lambda: ledger.exists() and ledger.read_text().strip(), "the task's start")
        first.process.kill()  # kill -9 while the task runs
        first.process.wait()
    finally:
        first.stop()
    second = ray_server(home, database, cluster)
    try:
        flyte = remote_of(second)
        ended = finish(flyte, flyte.fetch_execution(project=project, domain=DOMAIN, name=execution.id.name))
        assert_succeeded(ended)
        assert ended.outputs["o0"] == 8
        assert len(ledger.read_text().split()) == 1, "the task ran more than once"
        attempts = task_executions(second, ended)
        assert [a.id.retry_attempt for a in attempts] == [0]
        jobs = [j for j in _all_jobs(cluster) if j["submission_id"].startswith(attempt_of(attempts[0]))]
        assert [j["status"] for j in jobs] == ["SUCCEEDED"]
    finally:
        second.stop()


def _all_jobs(cluster: ray_cluster.RayCluster) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{cluster.address}/api/jobs/", timeout=10) as response:
        return list(json.load(response))


def test_the_executor_alone_resubmits_idempotently_and_a_new_one_adopts_by_owner(
    cluster: ray_cluster.RayCluster, tmp_path: Path
) -> None:
    """The executor without an engine: the same attempt submitted twice is one job; with max_jobs=1 the second
    attempt waits for the first to end; a second executor with the same owner id lists (adopts) the running job at
    live(), and its terminate stops it."""
    attempts = Attempts(tmp_path / "data")
    failing = attempts.make("ray-direct-1", shell_task("sh", "-c", "echo to-stderr >&2; exit 3"))
    sleeping = attempts.make("ray-direct-2", shell_task("sleep", "300"))
    first = RayExecutor(
        tmp_path / "home", address=cluster.address, owner="owner-a", public_url="http://fp.test", max_jobs=1
    )
    try:
        first.submit(failing)
        first.submit(failing)  # a resubmission after a crash: the job is already there
        first.submit(sleeping)
        assert first.status("ray-direct-2").message == "waiting to be submitted"  # one job at a time
        ended = first.wait("ray-direct-1", timeout=120)
        assert (ended.phase, ended.exit_code) == (AttemptPhase.FAILED, 3), ended
        assert "to-stderr" in ended.message
        wait_for(lambda: first.status("ray-direct-2").phase == AttemptPhase.RUNNING, "the sleeping job's start")
    finally:
        first.close()
    assert [j["submission_id"] for j in _all_jobs(cluster)].count("ray-direct-1") == 1
    other = RayExecutor(tmp_path / "other", address=cluster.address, owner="owner-b", public_url="http://fp.test")
    second = RayExecutor(tmp_path / "home", address=cluster.address, owner="owner-a", public_url="http://fp.test")
    try:
        assert "ray-direct-2" not in other.live()
        assert "ray-direct-2" in second.live()
        second.terminate("ray-direct-2")
        stopped = second.wait("ray-direct-2", timeout=60)
        assert stopped.phase == AttemptPhase.ABORTED and stopped.finished_at is not None
        assert ray_job(cluster, "ray-direct-2")["status"] == "STOPPED"
    finally:
        second.close()
        other.close()


def test_doctor_checks_the_ray_jobs_api(cluster: ray_cluster.RayCluster, database: str, tmp_path: Path) -> None:
    def doctor(address: str) -> str:
        config = tmp_path / "doctor.yaml"
        config.write_text(f"executor: ray\nray_address: {address}\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTEPLANE_")}
        argv = [sys.executable, "-m", "flyteplane", "doctor", "--home", str(tmp_path / "home"), "--db", database]
        done = subprocess.run([*argv, "--config", str(config)], capture_output=True, text=True, env=env, timeout=120)
        return next(line for line in done.stdout.splitlines() if "executor (ray)" in line)

    assert doctor(cluster.address).startswith("ok")
    assert f"the Jobs API at {cluster.address} answers (Ray 2." in doctor(cluster.address)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    line = doctor(closed)
    assert line.startswith("FAIL") and f"the Ray Jobs API at {closed} is unreachable" in line, line


# -- PostgreSQL + S3 + Ray: the data path on the worker node ------------------------------------------------------

S3_PREFIX = "flyteplane-ray"


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with running_s3(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="module")
def s3_server(
    tmp_path_factory: pytest.TempPathFactory, s3: S3Server, cluster: ray_cluster.RayCluster
) -> Iterator[RunningServer]:
    """A server of its own (its own database: its blobs are in another store than the other server's)."""
    home = tmp_path_factory.mktemp("home-ray-s3")
    config = home / "flyteplane.yaml"
    config.write_text(
        f"executor: ray\nray_address: {cluster.address}\n"
        f"blob_store: s3://{s3.bucket}/{S3_PREFIX}\ns3_endpoint: {s3.endpoint}\n"
    )
    with temporary_database() as url:
        running = start_server(home, url, "--config", str(config), env=s3.aws_env)
        yield running
        running.stop()


@pytest.fixture(scope="module")
def s3_flyte(s3_server: RunningServer, s3: S3Server) -> Any:
    """A remote that reads outputs from the bucket itself (uploads go through the server's presigned URLs)."""
    env = s3.flytekit_env
    data = DataConfig(
        s3=S3Config(
            endpoint=s3.endpoint,
            access_key_id=env["FLYTE_AWS_ACCESS_KEY_ID"],
            secret_access_key=env["FLYTE_AWS_SECRET_ACCESS_KEY"],
        )
    )
    return QuickRemote.for_endpoint(
        s3_server.endpoint, insecure=True, data_config=data, default_project="flytesnacks", default_domain=DOMAIN
    )


def test_on_s3_the_bundle_files_and_a_map_task_go_through_the_bucket_on_the_worker(
    s3_flyte: Any, s3_server: RunningServer, s3: S3Server, cluster: ray_cluster.RayCluster
) -> None:
    project = new_project(s3_flyte, "ray-s3")
    ended = run(s3_flyte, project, s3data.round_trip, text="hello from the worker", words=["a", "b", "c"])
    assert_succeeded(ended)
    store = f"s3://{s3.bucket}/{S3_PREFIX}/"
    # The code bundle was uploaded to the bucket (presigned URL) and fetched from it by pyflyte-fast-execute on
    # the worker node, where every job of the execution ran.
    task = s3_flyte.fetch_task(project=project, domain=DOMAIN, name="rayflows.s3data.write_note", version=VERSION)
    args = list(task.template.container.args)
    bundle = args[args.index("--additional-distribution") + 1]
    assert bundle.startswith(store), bundle
    fs = fsspec.filesystem("s3", **s3.storage_options())
    assert fs.isfile(bundle)
    worker = cluster.node_id("worker")
    jobs = [j for j in _all_jobs(cluster) if j["submission_id"].startswith(f"{ended.id.name}-")]
    tasks = sorted(j["metadata"]["flyteplane_task"] for j in jobs)
    assert len(jobs) == 5 and tasks[3:] == ["rayflows.s3data.read_note", "rayflows.s3data.write_note"], tasks
    assert "map_shout" in tasks[0] and len(set(tasks[:3])) == 1, tasks  # the map task's three items
    for job in jobs:
        assert job["status"] == "SUCCEEDED", job
        assert job["driver_node_id"] == worker, job
        assert "--additional-distribution" in job["entrypoint"] and bundle in job["entrypoint"]
        assert job["runtime_env"]["env_vars"]["FLYTE_AWS_ENDPOINT"] == s3.endpoint
    # The file and folder the worker wrote are in the bucket; the next task read them there (and its deck went
    # there too); the client downloads the file.
    uri = ended.outputs.literals["o0"].scalar.blob.uri
    assert uri.startswith(store), uri
    assert fs.cat_file(uri) == b"hello from the worker"
    assert ended.outputs["o1"] == "hello from the worker|a.txt,b.txt"
    deck = s3_flyte.sync_execution(ended, sync_nodes=True).node_executions["n1"].closure.deck_uri
    assert deck.startswith(store) and deck.endswith("/deck.html"), deck
    assert b"<html" in fs.cat_file(deck).lower()
    context = FlyteContextManager.current_context().with_file_access(s3_flyte.file_access).build()
    with FlyteContextManager.with_context(context.new_builder()):
        note = ended.outputs.get("o0", as_type=FlyteFile)
        assert Path(note.download()).read_text() == "hello from the worker"
    assert ended.outputs["o2"] == ["A@0", "B@1", "C@2"]


def test_a_command_line_naming_inputs_in_s3_is_rendered_for_its_ray_job(
    cluster: ray_cluster.RayCluster, s3: S3Server, tmp_path: Path
) -> None:
    """`{{.Inputs.x}}` in a command line: the executor reads the attempt's inputs from the bucket to render it."""
    inputs = f"s3://{s3.bucket}/{S3_PREFIX}/direct/inputs.pb"
    fs = fsspec.filesystem("s3", **s3.storage_options())
    word = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="from-the-bucket"))
    )
    fs.pipe_file(inputs, literals_pb2.LiteralMap(literals={"word": word}).SerializeToString())
    attempt = Attempts(tmp_path / "data").make("ray-s3-inputs-1", shell_task("echo", "said {{.Inputs.word}}"))
    attempt = dataclasses.replace(attempt, input_path=inputs, input_prefix=inputs.rsplit("/", 1)[0])
    executor = RayExecutor(
        tmp_path / "home",
        address=cluster.address,
        owner="owner-s3",
        public_url="http://fp.test",
        storage_options=s3.storage_options(),
    )
    try:
        executor.submit(attempt)
        ended = executor.wait("ray-s3-inputs-1", timeout=120)
        assert ended.phase == AttemptPhase.SUCCEEDED, ended
    finally:
        executor.close()
    job = ray_job(cluster, "ray-s3-inputs-1")
    assert "echo 'said from-the-bucket'" in job["entrypoint"], job["entrypoint"]

    def logged() -> bool:
        url = f"{cluster.address}/api/jobs/ray-s3-inputs-1/logs"
        with urllib.request.urlopen(url, timeout=10) as response:
            return "said from-the-bucket" in json.load(response)["logs"]

    wait_for(logged, "the rendered line in the job's logs", timeout=30)


def test_every_port_of_the_cluster_is_loopback_only(cluster: ray_cluster.RayCluster) -> None:
    """After all the jobs above (their supervisors and drivers listen too), nothing listens beyond 127.0.0.1."""
    assert cluster.listening_ports()
    assert cluster.exposed() == []
