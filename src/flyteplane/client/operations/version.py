"""The control plane's version, for feature checks."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import version_pb2

from flyteplane.client.calls import Call, operation
from flyteplane.client.rpcs import ADMIN

__all__ = ["VersionOperations"]


def _version(response: Any) -> str:
    return str(response.control_plane_version.Version)


class VersionOperations:
    @operation
    def get_control_plane_version(self) -> Call[str]:
        """The version string Flyte Admin reports, e.g. "1.16.0" (flyteplane reports its own)."""
        return Call(ADMIN["GetVersion"], version_pb2.GetVersionRequest(), _version)
