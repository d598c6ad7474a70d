"""`serve --sandbox` settings: the sandbox's bucket, endpoint and fixed credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument
from flyteplane.server.composition import s3_access
from flyteplane.server.sandbox import sandbox_settings


def test_the_sandbox_points_the_blob_store_at_its_own_bucket(tmp_path: Path) -> None:
    settings = sandbox_settings(Settings(home=tmp_path, sandbox=True, sandbox_s3_port=31002))
    assert settings.blob_store == "s3://my-s3-bucket"
    assert settings.s3_endpoint == "http://127.0.0.1:31002"
    access = s3_access(settings)
    assert access is not None
    assert (access.access_key_id, access.secret_access_key) == ("minio", "miniostorage")
    assert access.task_env()["FLYTE_AWS_ENDPOINT"] == "http://127.0.0.1:31002"


@pytest.mark.parametrize("field", ["blob_store", "s3_endpoint"])
def test_a_store_of_ones_own_contradicts_the_sandbox(tmp_path: Path, field: str) -> None:
    value = "s3://mine" if field == "blob_store" else "http://127.0.0.1:9000"
    with pytest.raises(InvalidArgument, match="sandbox"):
        sandbox_settings(Settings(home=tmp_path, sandbox=True, **{field: value}))


def test_only_an_s3_store_has_s3_access(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert s3_access(Settings(home=tmp_path)) is None
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    access = s3_access(Settings(home=tmp_path, blob_store="s3://b/p", s3_endpoint="http://127.0.0.1:8333"))
    assert access is not None
    assert (access.endpoint, access.access_key_id) == ("http://127.0.0.1:8333", "id")
