"""The engine's essentials on PostgreSQL + S3 + the local executor, with the real flytekit: fast-registered code
uploaded to the bucket through presigned URLs, files and directories written by tasks to S3 and read back by the
client, a deck served through a presigned link, a map task, and `pyflyte run --remote` uploading local inputs."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import fsspec
import pytest
from flows import fanout, files
from flyteidl.service import dataproxy_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from tests.integration.engine.support import APPS, DOMAIN, assert_succeeded, register, run
from tests.integration.s3.conftest import PREFIX
from tests.integration.server import RunningServer
from tests.integration.support import unique
from tests.s3server import S3Server

PYFLYTE = Path(sys.executable).with_name("pyflyte")


@pytest.fixture(scope="module")
def artifacts(flyte: Any, project: str) -> Any:
    return register(flyte, project, files.artifacts)


@pytest.fixture(scope="module")
def execution(flyte: Any, project: str, artifacts: Any) -> Any:
    finished = run(flyte, project, artifacts, text="hello from S3", count=3)
    assert_succeeded(finished)
    return finished


def test_fast_registered_code_is_uploaded_to_the_bucket_and_fetched_from_it(
    flyte: Any, project: str, artifacts: Any, execution: Any, s3: S3Server
) -> None:
    task = flyte.fetch_task(project=project, domain=DOMAIN, name="flows.files.write_file", version="v1")
    args = task.template.container.args
    bundle = args[args.index("--additional-distribution") + 1]
    assert bundle.startswith(f"s3://{s3.bucket}/{PREFIX}/uploads/"), bundle  # under the remote's default project
    fs = fsspec.filesystem("s3", **s3.storage_options())
    assert fs.isfile(bundle)


def test_file_and_directory_outputs_live_in_s3_and_download_to_the_client(
    flyte: Any, execution: Any, s3: S3Server
) -> None:
    for name in ("o0", "o1"):
        uri = execution.outputs.literals[name].scalar.blob.uri
        assert uri.startswith(f"s3://{s3.bucket}/{PREFIX}/raw/"), uri
    # the remote's own data access (FLYTE_AWS_* as the fixture set them), as FlyteRemote uses it for its downloads
    context = FlyteContextManager.current_context().with_file_access(flyte.file_access).build()
    with FlyteContextManager.with_context(context.new_builder()):
        note = execution.outputs.get("o0", as_type=FlyteFile)
        folder = execution.outputs.get("o1", as_type=FlyteDirectory)
        assert Path(note.download()).read_text() == "hello from S3"
        local = Path(folder.download())
    assert sorted(p.name for p in local.iterdir()) == ["part-0.txt", "part-1.txt", "part-2.txt"]


def test_a_deck_is_in_s3_and_its_download_link_is_presigned(flyte: Any, execution: Any, s3: S3Server) -> None:
    nodes = flyte.sync_execution(execution, sync_nodes=True).node_executions
    deck = nodes["n1"].closure.deck_uri
    assert deck.startswith(f"s3://{s3.bucket}/{PREFIX}/") and deck.endswith("/deck.html")
    link = flyte.client._dataproxy_stub.CreateDownloadLink(
        dataproxy_pb2.CreateDownloadLinkRequest(
            artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK, node_execution_id=nodes["n1"].id.to_flyte_idl()
        ),
        metadata=flyte.client._metadata,
    )
    (url,) = link.signed_url
    assert url.startswith(s3.endpoint + "/") and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=30) as response:
        assert b"<html" in response.read().lower()


def test_a_map_task_runs_on_s3(flyte: Any, project: str) -> None:
    squares = register(flyte, project, fanout.squares)
    xs = list(range(20))
    execution = run(flyte, project, squares, xs=xs)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == sum(x * x for x in xs)


def test_pyflyte_run_remote_uploads_local_inputs_straight_to_s3(
    flyte: Any, project: str, server: RunningServer, s3: S3Server, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("from the client")
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(name)
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{server.endpoint}\n  insecure: true\n")
    name = unique("s3")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "FLYTEPLANE_", "AWS_"))}
    completed = subprocess.run(
        [
            str(PYFLYTE),
            "--config",
            str(config),
            "run",
            "--remote",
            "--project",
            project,
            "--domain",
            DOMAIN,
            "--name",
            name,
            "--wait",
            "--poll-interval",
            "1",
            "flows/inputs.py",
            "read_inputs",
            "--f",
            str(note),
            "--d",
            str(folder),
        ],
        cwd=APPS,
        env=env,  # no S3 credentials: every upload goes through a presigned URL
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    execution = flyte.fetch_execution(project=project, domain=DOMAIN, name=name)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == "from the client|a.txt,b.txt"
    uri = execution.inputs.literals["f"].scalar.blob.uri
    assert uri.startswith(f"s3://{s3.bucket}/{PREFIX}/uploads/{project}/{DOMAIN}/"), uri


def _put(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "application/octet-stream", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_a_presigned_upload_to_a_chosen_name_never_replaces_it(flyte: Any, project: str, s3: S3Server) -> None:
    """Issue 9, item 5 on S3: the PUT is signed with If-None-Match, which SeaweedFS enforces."""
    location = flyte.client._dataproxy_stub.CreateUploadLocation(
        dataproxy_pb2.CreateUploadLocationRequest(
            project=project, domain=DOMAIN, filename_root=unique("root"), filename="outputs.pb"
        ),
        metadata=flyte.client._metadata,
    )
    assert location.native_url.startswith(f"s3://{s3.bucket}/{PREFIX}/uploads/{project}/{DOMAIN}/")
    assert dict(location.headers) == {"If-None-Match": "*"}
    assert _put(location.signed_url, b"first", {}) == 403  # the header is signed: it cannot be left out
    assert _put(location.signed_url, b"first", dict(location.headers)) == 200
    assert _put(location.signed_url, b"forged", dict(location.headers)) == 412
    assert fsspec.filesystem("s3", **s3.storage_options()).cat_file(location.native_url) == b"first"


def test_a_presigned_upload_is_pinned_to_its_content_md5(flyte: Any, project: str) -> None:
    data = b"a tarball"
    location = flyte.client._dataproxy_stub.CreateUploadLocation(
        dataproxy_pb2.CreateUploadLocationRequest(
            project=project, domain=DOMAIN, filename="f.tar.gz", content_md5=hashlib.md5(data).digest()
        ),
        metadata=flyte.client._metadata,
    )
    assert _put(location.signed_url, b"other bytes", dict(location.headers)) == 400
    assert _put(location.signed_url, data, dict(location.headers)) == 200


def test_doctor_reaches_the_s3_store_with_the_servers_settings(server: RunningServer, s3: S3Server) -> None:
    config = server.home / "settings.yaml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTEPLANE_", "AWS_"))}
    args = [sys.executable, "-m", "flyteplane", "doctor", "--home", str(server.home), "--db", server.db]
    args += ["--config", str(config), "--no-executor"]
    done = subprocess.run(args, env={**env, **s3.aws_env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [line for line in done.stdout.splitlines() if "blob store" in line]
    assert f"{s3.bucket}/{PREFIX}/.flyteplane/probe/" in line
    wrong = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)  # no credentials
    assert wrong.returncode != 0
    assert "blob store" in wrong.stdout
