"""An S3 blob store's access: what fsspec (s3fs) needs, what task processes need, and presigned URLs.

Credentials are never settings: they come from the standard AWS variables (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, or botocore's usual chain when those are unset). The endpoint (an S3-compatible server such
as SeaweedFS or MinIO) and the region are settings. Presigned URLs use Signature V4 and path-style addressing
against a custom endpoint (an S3-compatible server on one host has no per-bucket host names).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["DEFAULT_REGION", "S3Access", "S3Presigner", "is_s3_url", "seconds_until"]

DEFAULT_REGION = "us-east-1"
_SCHEMES = ("s3://", "s3a://")


def is_s3_url(url: str) -> bool:
    return url.startswith(_SCHEMES)


@dataclass(frozen=True)
class S3Access:
    """How this process (and the tasks it starts) reach the S3 store; empty fields fall back to AWS defaults."""

    endpoint: str = ""
    region: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""

    @classmethod
    def from_settings(cls, endpoint: str, region: str, env: Mapping[str, str] | None = None) -> S3Access:
        """The region setting wins over AWS_REGION / AWS_DEFAULT_REGION; keys come only from the environment."""
        env = os.environ if env is None else env
        return cls(
            endpoint=endpoint.rstrip("/"),
            region=region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
            access_key_id=env.get("AWS_ACCESS_KEY_ID", ""),
            secret_access_key=env.get("AWS_SECRET_ACCESS_KEY", ""),
        )

    def storage_options(self) -> dict[str, Any]:
        """s3fs arguments. Listing caches are off: the engine asks "does this object exist now?" and a cached
        listing would answer for an earlier moment."""
        client_kwargs: dict[str, Any] = {"region_name": self.region}
        if self.endpoint:
            client_kwargs["endpoint_url"] = self.endpoint
        options: dict[str, Any] = {"client_kwargs": client_kwargs, "use_listings_cache": False}
        if self.access_key_id:
            options["key"] = self.access_key_id
            options["secret"] = self.secret_access_key
        if self.endpoint:
            options["config_kwargs"] = {"s3": {"addressing_style": "path"}}
        return options

    def task_env(self) -> dict[str, str]:
        """flytekit's own S3 settings (FLYTE_AWS_*) and the region, for the task processes."""
        env = {"AWS_REGION": self.region}
        if self.endpoint:
            env["FLYTE_AWS_ENDPOINT"] = self.endpoint
        if self.access_key_id:
            env["FLYTE_AWS_ACCESS_KEY_ID"] = self.access_key_id
            env["FLYTE_AWS_SECRET_ACCESS_KEY"] = self.secret_access_key
        return env

    def presigner(self) -> S3Presigner:
        return S3Presigner(self)


class S3Presigner:
    """Presigned GET and PUT URLs (botocore's generate_presigned_url), as flyteadmin's data proxy signs them."""

    def __init__(self, access: S3Access) -> None:
        import botocore.config
        import botocore.session

        config = botocore.config.Config(
            signature_version="s3v4", s3={"addressing_style": "path" if access.endpoint else "auto"}
        )
        self._client: Any = botocore.session.get_session().create_client(
            "s3",
            endpoint_url=access.endpoint or None,
            region_name=access.region,
            aws_access_key_id=access.access_key_id or None,
            aws_secret_access_key=access.secret_access_key or None,
            config=config,
        )

    def get(self, bucket: str, key: str, expires_in: int) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
        )
        return url

    def put(
        self,
        bucket: str,
        key: str,
        expires_in: int,
        *,
        content_md5: str | None,
        metadata: Mapping[str, str] | None = None,
        create_only: bool = False,
    ) -> str:
        """A PUT whose signature covers Content-MD5 (and the metadata, and `If-None-Match: *` when the object
        must not exist yet): the client must send exactly those headers, so it can store only that content."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if content_md5:
            params["ContentMD5"] = content_md5
        if metadata:
            params["Metadata"] = dict(metadata)
        if create_only:
            params["IfNoneMatch"] = "*"
        url: str = self._client.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in)
        return url


def seconds_until(expires_at: datetime, now: datetime) -> int:
    """Whole seconds for X-Amz-Expires: at least 1, at most S3's limit of 7 days."""
    return max(1, min(7 * 24 * 3600, int((expires_at - now).total_seconds())))
