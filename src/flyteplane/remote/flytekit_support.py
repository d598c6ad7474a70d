"""flytekit, used only where it is indispensable: serializing Python-defined entities and types beyond the core.

Nothing here imports flytekit at module load; each helper imports it when called, so `flyteplane.remote` works in
an environment without flytekit and says `pip install flytekit` the moment a feature really needs it.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from typing import Any

__all__ = ["FlytekitRequired", "flytekit_context", "flytekit_installed", "require_flytekit"]


class FlytekitRequired(ImportError):
    """A feature needs flytekit, which is not installed."""


def flytekit_installed() -> bool:
    try:
        return importlib.util.find_spec("flytekit") is not None
    except (ImportError, ValueError):  # an import hook refusing it counts as absent
        return False


def require_flytekit(feature: str) -> None:
    """Raises FlytekitRequired naming `feature` and the fix when flytekit cannot be imported."""
    try:
        import flytekit  # noqa: F401
    except ImportError as e:
        raise FlytekitRequired(f"{feature} needs flytekit, which is not installed: pip install flytekit") from e


def flytekit_context(remote: Any, data_upload_location: str) -> Any:
    """A FlyteContext whose file access uploads local data through `remote`'s data proxy (the `flyte://` scheme).

    `remote` must look like flytekit's FlyteRemote to flytekit's FlyteFS: `client.get_upload_signed_url`,
    `upload_file`, `default_project`, `default_domain` and `get_extra_headers_for_protocol`; flyteplane's
    FlyteRemote does.
    """
    require_flytekit("converting this value")
    import fsspec
    from flytekit.configuration import DataConfig
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.data_persistence import FileAccessProvider
    from flytekit.remote.remote_fs import get_flyte_fs

    fsspec.register_implementation("flyte", get_flyte_fs(remote=remote), clobber=True)
    sandbox = os.path.join(tempfile.gettempdir(), "flyteplane-remote")
    os.makedirs(sandbox, exist_ok=True)
    file_access = FileAccessProvider(
        local_sandbox_dir=sandbox, raw_output_prefix=data_upload_location, data_config=DataConfig.auto()
    )
    return FlyteContextManager.current_context().with_file_access(file_access).build()
